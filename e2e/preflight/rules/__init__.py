"""Rule modules, one per concern; importing this package registers every rule."""

from e2e.preflight.rules import (
    eso,
    files,
    gitsync,
    install,
    jobs,
    ordering,
    payload,
    secrets,
    sources,
    terraform,
    values,
    vault,
)

__all__ = ["eso", "files", "gitsync", "install", "jobs", "ordering", "payload", "secrets", "sources", "terraform",
           "values", "vault"]
