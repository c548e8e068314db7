"""Pytest options and fixtures of the cluster tier (filled in by the cluster tier)."""
