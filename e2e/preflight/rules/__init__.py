"""Rule modules, one per concern; importing this package registers every rule.

Why `all_rules` lives here, not in the registry: the registry is below the rules (they import it to register),
so it never imports them back.
"""

from e2e.preflight.registry import RULES, Rule
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


def all_rules() -> list[Rule]:
    """Every registered rule (importing this package registered them all)."""
    return list(RULES.values())
