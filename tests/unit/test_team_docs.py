"""docs/team.md stays true: its example test compiles and imports only what the harness has, and every
`airflow-e2e test` option it documents is one the command accepts."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re

import pytest

from e2e.cli import build_parser
from e2e.config import REPO_ROOT

pytestmark = pytest.mark.unit
DOC = (REPO_ROOT / "docs" / "team.md").read_text()


def test_the_example_team_test_imports_what_the_harness_has():
    code = re.search(r"```python\n(.*?)```", DOC, flags=re.S).group(1)
    tree = ast.parse(code)
    imported = [(node.module, alias.name) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names if node.module and node.module.startswith("e2e")]
    assert imported
    for module, name in imported:
        parent = importlib.import_module(module)
        assert hasattr(parent, name) or importlib.util.find_spec(f"{module}.{name}"), f"{module}.{name}"
    assert 'pytest_plugins = ["e2e.fixtures"]' in code


def test_every_documented_test_option_exists():
    parser = build_parser()
    test = parser._subparsers._group_actions[0].choices["test"]
    known = {flag for action in test._actions for flag in action.option_strings}
    section = DOC[DOC.index("## `airflow-e2e test"):DOC.index("## The GitHub Action")]
    documented = set(re.findall(r"`(--[a-z-]+)", section))
    assert documented and documented <= known, documented - known
