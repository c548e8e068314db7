"""The import graph of e2e/ has no cycles and no import from a lower layer to a higher one.

Computed from the source (AST), so it stays true as code moves: every `import`/`from ... import` counts, also
those inside functions (a lazy import is still a dependency); only `if TYPE_CHECKING:` blocks are left out
(annotations, never run). A new top-level module or package must be given a layer here.
"""

from __future__ import annotations

import ast
import graphlib
from collections.abc import Iterable
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "e2e"

# Lowest first. A module may import its own package and anything of a strictly lower layer.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("e2e", "e2e.errors"),
    ("e2e.airflow_config", "e2e.component_checks", "e2e.masking", "e2e.private_file", "e2e.processes",
     "e2e.safe_files", "e2e.versions"),
    ("e2e.judgement",),  # the one result type: pending, ok or failed, with evidence
    ("e2e.application_status",),  # an Argo CD Application's sync/health: the one reader and judgement
    ("e2e.gitops",),  # the repository model
    ("e2e.chart",),  # what the chart reads
    ("e2e.chart_upgrade", "e2e.install"),  # what a chart upgrade changes; where and how Airflow is installed
    ("e2e.known_hosts", "e2e.payload"),
    ("e2e.options",),  # the run's configuration: the option table, RunConfig, the pytest session's copy
    ("e2e.config",),
    ("e2e.fixtures",),
    ("e2e.contract",),  # what a running stack offers
    ("e2e.preflight", "e2e.observe", "e2e.stack"),  # static checks, live observation, stack manifests
    ("e2e.checks", "e2e.cluster"),  # judgements over observations; bringing a stack up
    ("e2e.components", "e2e.scenarios"),  # the component tier; failure scenarios
    ("e2e.report", "e2e.ci"),
    ("e2e.suites",),
    ("e2e.tiers",),  # `airflow-e2e test`: the shipped suites through pytest
    ("e2e.commands",),
    ("e2e.cli", "e2e.plugin"),
)


def modules(root: Path) -> dict[str, Path]:
    found = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        test = node.test if isinstance(node, ast.If) else None
        if test is not None and (getattr(test, "id", None) or getattr(test, "attr", None)) == "TYPE_CHECKING":
            skip |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return skip


def imports_of(name: str, path: Path, known: Iterable[str]) -> set[str]:
    """The e2e modules `name` imports (a `from pkg import mod` names the module when it is one)."""
    known = set(known)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join(package + ([base] if base else []))
            for alias in node.names:
                out.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {m for m in out if m in known and m != name}


def graph(root: Path) -> dict[str, set[str]]:
    mods = modules(root)
    return {name: imports_of(name, path, mods) for name, path in mods.items()}


def cycles(edges: dict[str, set[str]]) -> list[str]:
    """One cycle of the import graph (its modules, the first repeated last), else []."""
    try:
        graphlib.TopologicalSorter(edges).prepare()
    except graphlib.CycleError as exc:
        return exc.args[1]
    return []


def layer_of(module: str) -> tuple[int, str]:
    """(rank, owning unit): the longest LAYERS entry that is the module or a package above it."""
    best: tuple[int, str] | None = None
    for rank, units in enumerate(LAYERS):
        for unit in units:
            covers = module == unit or (unit != "e2e" and module.startswith(unit + "."))  # the root: itself only
            if covers and (best is None or len(unit) > len(best[1])):
                best = (rank, unit)
    if best is None:
        raise KeyError(module)
    return best


def upward_imports(edges: dict[str, set[str]]) -> list[str]:
    bad = []
    for source, targets in sorted(edges.items()):
        rank, unit = layer_of(source)
        for target in sorted(targets):
            target_rank, target_unit = layer_of(target)
            if target_unit != unit and target_rank >= rank:
                bad.append(f"{source} -> {target} ({unit} is layer {rank}, {target_unit} is layer {target_rank})")
    return bad


@pytest.fixture(scope="module")
def e2e_graph() -> dict[str, set[str]]:
    return graph(PACKAGE)


def test_every_module_has_a_layer(e2e_graph):
    missing = []
    for module in e2e_graph:
        try:
            layer_of(module)
        except KeyError:
            missing.append(module)
    assert not missing, f"give these a layer in LAYERS: {missing}"


def test_the_import_graph_has_no_cycles(e2e_graph):
    assert cycles(e2e_graph) == []


def test_no_import_points_up_or_sideways_between_layers(e2e_graph):
    assert upward_imports(e2e_graph) == []


def test_the_checker_sees_a_lazy_cycle_and_an_upward_import(tmp_path):
    """The checks above can fail: a package whose low module lazily imports a high one is caught twice."""
    pkg = tmp_path / "e2e"
    (pkg / "stack").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "stack" / "__init__.py").write_text("")
    (pkg / "stack" / "a.py").write_text("def f():\n    from e2e.cluster import b\n")
    (pkg / "cluster.py").write_text("from e2e.stack import a\n"
                                    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import e2e.cli\n")
    (pkg / "cli.py").write_text("")
    edges = graph(pkg)
    with pytest.raises(KeyError):  # a module nobody placed in LAYERS is refused, not taken as the root
        layer_of("e2e.newcomer")
    assert edges["e2e.cluster"] == {"e2e.stack.a"}  # the TYPE_CHECKING import is not a dependency
    assert sorted(set(cycles(edges))) == ["e2e.cluster", "e2e.stack.a"]
    assert upward_imports(edges) == ["e2e.stack.a -> e2e.cluster (e2e.stack is layer 12, e2e.cluster is layer 13)"]
