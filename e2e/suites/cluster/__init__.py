"""Cluster tier: the whole stack on kind or a kubeconfig (see conftest.py)."""
