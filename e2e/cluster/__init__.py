"""Cluster providers (kind, existing kubeconfig) and thin CLI wrappers (kind, kubectl, helm)."""
