"""The GitOps repository model: load once, read everywhere."""

from e2e.gitops.loader import load_repository
from e2e.gitops.model import Repository, get_path

__all__ = ["Repository", "get_path", "load_repository"]
