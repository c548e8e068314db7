"""The rule registry: every rule has a stable id, a default severity, a FAILURES.md reference and a fix.

Why a registry: the command runs every registered rule, the docs list them, and the tests check that each
one has a case that makes it fire. A rule is a pure function `(ctx) -> list[Finding]`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from e2e.preflight.finding import Finding, Severity

if TYPE_CHECKING:
    from e2e.preflight.context import Context

RuleFunc = Callable[["Context"], list[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    catches: str  # one line: what it catches (docs and --list)
    failures: str  # the FAILURES.md entry or the seed section it comes from
    func: RuleFunc
    needs_payload: bool = False

    def __call__(self, ctx: Context) -> list[Finding]:
        """Run the rule with `ctx.current_rule` set to its id (Context.finding's default)."""
        outer, ctx.current_rule = ctx.current_rule, self.id
        try:
            return self.func(ctx)
        finally:
            ctx.current_rule = outer


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity, catches: str, failures: str = "",
         needs_payload: bool = False) -> Callable[[RuleFunc], RuleFunc]:
    """Register a rule function under a stable id (a duplicate id is a programming error)."""

    def register(func: RuleFunc) -> RuleFunc:
        if rule_id in RULES:
            raise ValueError(f"duplicate preflight rule id {rule_id!r}")
        RULES[rule_id] = Rule(rule_id, severity, catches, failures, func, needs_payload)
        return func

    return register
