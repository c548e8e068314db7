"""Turn a reproduction bundle into the pytest command that reruns its failing tests locally.

Why separate from the command: the plan (which options, which test ids, which warnings) is pure and testable
offline; `airflow-e2e reproduce` only writes the fresh payload and runs it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from e2e.ci import bundle as bundle_mod
from e2e.ci import bundle_schema
from e2e.config import REPO_ROOT
from e2e.errors import UnusableInput
from e2e.options import BY_FIELD


@dataclass(frozen=True)
class ReproductionPlan:
    argv: list[str]
    payload_path: Path
    gitops_dir: Path
    test_ids: list[str]
    node_image: str | None
    warnings: list[str] = field(default_factory=list)


def resolve_gitops_dir(bundle: Mapping[str, Any], override: Path | None) -> Path:
    """--gitops-dir, else the recorded repository if it is inside this harness checkout (a bundle is untrusted:
    `repository.path: /usr` must not make `--dry-run` read and hash all of /usr). Anything else: UnusableInput."""
    if override is not None:
        return override
    repo = bundle["repository"]
    candidates = [REPO_ROOT / repo["path_in_harness"]] if repo.get("path_in_harness") else []
    candidates += [Path(repo["path"])] if repo.get("path") else []
    for candidate in candidates:
        if bundle_schema.inside(candidate, REPO_ROOT) and candidate.resolve() != REPO_ROOT.resolve():
            return candidate
    shown = repo.get("path_in_harness") or repo.get("path") or "(none)"
    raise UnusableInput(f"the bundle's repository {shown!r} is not inside this harness checkout; "
                        "pass --gitops-dir DIR (see airflow-e2e reproduce --help)")


def state_warnings(bundle: Mapping[str, Any], gitops_dir: Path) -> list[str]:
    """Where the local repository differs from the one the failed run saw (one line each)."""
    if not gitops_dir.is_dir():
        return [f"{gitops_dir}: the repository is not here; pass --gitops-dir"]
    repo = bundle["repository"]
    found: list[str] = []
    commit, _dirty = bundle_mod.git_commit(gitops_dir)
    if repo.get("commit") and commit and commit != repo["commit"]:
        found.append(f"repository at commit {commit[:12]}, the failed run had {repo['commit'][:12]}")
    if repo.get("content_sha256") and bundle_mod.content_sha256(gitops_dir) != repo["content_sha256"]:
        found.append("repository content differs from the failed run's (content_sha256)")
    recorded_values = repo.get("values_files") or {}
    local_values = bundle_mod.values_files(gitops_dir)
    changed = sorted(p for p in recorded_values
                     if (local_values.get(p) or {}).get("sha256") != (recorded_values[p] or {}).get("sha256"))
    if changed:
        found.append(f"values files differ from the failed run's: {', '.join(changed)}")
    return found


def plan_reproduction(bundle: Mapping[str, Any], work_dir: Path, *, gitops_dir: Path | None = None,
                      python: str = sys.executable) -> ReproductionPlan:
    run = bundle["run_config"]
    gitops = resolve_gitops_dir(bundle, gitops_dir)
    warnings: list[str] = []
    payload_path = work_dir / "payload.yaml"
    ids = list(dict.fromkeys(f["nodeid"] for f in bundle["failures"]))
    given = {"cluster": "kind", "chart_version": str(bundle["chart_version"]), "gitops_dir": str(gitops),
             "payload_file": str(payload_path), "keep_cluster": "on-failure",
             "artifacts_dir": str(work_dir / "artifacts"),
             "timeout_multiplier": str(run.get("timeout_multiplier", 1.0))}
    if bundle.get("upgrade_from"):
        given["upgrade_from"] = str(bundle["upgrade_from"])
    dags = Path(run["dags_dir"]) if run.get("dags_dir") else None
    if dags is not None and dags.is_dir() and bundle_schema.inside(dags, REPO_ROOT):
        given["dags_dir"] = str(dags)
    elif dags is not None and dags.is_dir():
        warnings.append(f"the bundle's DAG directory {dags} is outside this checkout: using the default DAGs")
    if run.get("registry_mirror"):
        given["registry_mirror"] = str(run["registry_mirror"])
    argv = [python, "-m", "pytest", *ids]
    for name, text in given.items():  # the option table's pytest spelling, as the suites read it
        argv += [BY_FIELD[name].pytest_flag, text]
    warnings = state_warnings(bundle, gitops) + warnings
    node_image = (bundle.get("kind") or {}).get("node_image")
    minor = bundle_mod.kubernetes_minor(node_image)
    if minor:
        argv += [BY_FIELD["node_image"].pytest_flag, minor]
    elif node_image:
        warnings.append(f"node image {node_image} is no longer pinned in e2e/versions.py; using the default")
    return ReproductionPlan(argv, payload_path, gitops, ids, node_image, warnings)
