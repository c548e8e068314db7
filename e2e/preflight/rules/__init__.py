"""Rule modules, one per concern; importing this package registers every rule."""

from e2e.preflight.rules import eso, gitsync, jobs, ordering, payload, secrets, sources, vault

__all__ = ["eso", "gitsync", "jobs", "ordering", "payload", "secrets", "sources", "vault"]
