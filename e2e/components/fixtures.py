"""Pytest fixtures of the component tier (filled in by the component tier)."""
