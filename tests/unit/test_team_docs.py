"""docs/team.md stays true: its example test compiles and imports only what the harness has (the
`airflow-e2e test` options it documents: tests/unit/test_thin_spellings.py)."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re

import pytest

from e2e.config import REPO_ROOT

pytestmark = pytest.mark.unit
DOC = (REPO_ROOT / "docs" / "team.md").read_text()


EXAMPLES = re.findall(r"```python\n(.*?)```", DOC, flags=re.S)


def harness_fixtures() -> set[str]:
    """Every fixture the harness's plugins define (functions decorated with pytest.fixture under e2e/)."""
    names = set()
    for path in (REPO_ROOT / "e2e").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any("fixture" in ast.unparse(d) for d in node.decorator_list):
                names.add(node.name)
    return names


@pytest.mark.parametrize("code", EXAMPLES, ids=lambda c: c.splitlines()[0])
def test_the_example_team_tests_import_what_the_harness_has(code):
    tree = ast.parse(code)
    imported = [(node.module, alias.name) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names if node.module and node.module.startswith("e2e")]
    assert imported
    for module, name in imported:
        parent = importlib.import_module(module)
        assert hasattr(parent, name) or importlib.util.find_spec(f"{module}.{name}"), f"{module}.{name}"


def test_the_example_tests_ask_only_for_fixtures_and_operator_actions_the_harness_has():
    from e2e.stack.operator import Operator

    assert len(EXAMPLES) >= 2 and 'pytest_plugins = ["e2e.fixtures"]' in EXAMPLES[0]
    tests = [node for code in EXAMPLES for node in ast.walk(ast.parse(code))
             if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]
    asked = {arg.arg for node in tests for arg in node.args.args}
    assert {"stack", "operator"} <= asked <= harness_fixtures()
    used = {node.attr for code in EXAMPLES for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name) and node.value.id == "operator"}
    start = DOC.index("asks for the `operator` fixture")
    documented = set(re.findall(r"`(\w+)`", DOC[start:DOC.index("```python", start)])) - {"operator"}
    assert used and documented
    assert [name for name in sorted(used | documented) if not callable(getattr(Operator, name, None))] == []
