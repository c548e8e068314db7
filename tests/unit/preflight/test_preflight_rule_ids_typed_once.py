"""A rule's id is typed once, in its @rule decorator: Context.finding defaults to the rule running now.

Read from the source (AST), so a rule that retypes its id again fails here; only helpers that report under
another rule's id name it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from e2e.gitops.loader import load_repository
from e2e.preflight.context import Context
from e2e.preflight.registry import RULES, Rule
from e2e.preflight.rules import all_rules

RULES_DIR = Path(__file__).resolve().parents[3] / "e2e" / "preflight" / "rules"
REFERENCE = Path(__file__).resolve().parents[3] / "fixtures" / "gitops"


def retyped_ids() -> list[str]:
    """`file:line rule-id` of every ctx.finding("<its own rule id>", ...) inside a @rule function."""
    found = []
    for path in sorted(RULES_DIR.glob("*.py")):
        for fn in ast.parse(path.read_text()).body:
            own = [d.args[0].value for d in getattr(fn, "decorator_list", [])
                   if isinstance(d, ast.Call) and getattr(d.func, "id", None) == "rule"]
            for node in ast.walk(fn) if own else ():
                if (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "finding" and node.args
                        and getattr(node.args[0], "value", None) == own[0]):
                    found.append(f"{path.name}:{node.lineno} {own[0]}")
    return found


def test_no_rule_retypes_its_own_id():
    assert retyped_ids() == []


def test_a_finding_takes_the_id_of_the_rule_running_now():
    ctx = Context(load_repository(REFERENCE))
    probe = next(r for r in all_rules() if not r.needs_payload)
    finds = Rule(probe.id, probe.severity, "", "", lambda c: [c.finding(file="f.yaml", line=1, obj="o", message="m",
                                                                        hint="h")])
    assert [(f.rule, f.severity) for f in finds(ctx)] == [(probe.id, RULES[probe.id].severity)]
    assert ctx.current_rule is None  # restored after the rule


def test_a_finding_outside_any_rule_must_name_its_rule():
    ctx = Context(load_repository(REFERENCE))
    with pytest.raises(ValueError, match="must name its rule id"):
        ctx.finding(file="f.yaml", line=1, obj="o", message="m", hint="h")
    named = next(iter(RULES))
    assert ctx.finding(named, file="f.yaml", line=1, obj="o", message="m", hint="h").rule == named
