"""Scenarios follow a team's own layout: paths come from the repository model, not from the reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e.config import RunConfig
from e2e.errors import UnusableInput
from e2e.gitops import load_repository
from e2e.scenarios.layout import Layout
from e2e.scenarios.plan import build_plan
from e2e.scenarios.registry import get


def moved_values(repo: Path) -> Path:
    (repo / "values").mkdir()
    (repo / "apps/airflow/airflow-values.yaml").rename(repo / "values/airflow.yaml")
    app = repo / "argocd/apps/airflow.yaml"
    app.write_text(app.read_text().replace("$values/apps/airflow/airflow-values.yaml", "$values/values/airflow.yaml"))
    return repo


def test_a_repository_without_argocd_cm_refuses_only_the_scenario_that_edits_it(gitops_copy):
    """Nothing falls back to the reference's files: no argocd-cm in the repository, no argocd-cm edit."""
    repo_dir = gitops_copy
    for path in repo_dir.rglob("*.yaml"):
        if "name: argocd-cm" in path.read_text(encoding="utf-8"):
            path.unlink()
    repo = load_repository(repo_dir)
    assert Layout.from_repository(repo).argocd_cm is None
    with pytest.raises(UnusableInput, match="waves-without-parent: this repository has no argocd cm"):
        get("waves-without-parent", repo, config=RunConfig(run_id="unit", gitops_dir=repo_dir))
    assert get("kv2-policy-without-data", repo, config=RunConfig(run_id="unit", gitops_dir=repo_dir)).entry == 3


def test_a_repository_without_an_airflow_install_is_one_clear_error(tmp_path):
    (tmp_path / "empty.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    with pytest.raises(UnusableInput, match="no Argo CD Application installs the `airflow` chart"):
        get("secrets-after-pods", load_repository(tmp_path))


def test_a_moved_values_file_is_followed(gitops_copy):
    repo_dir = moved_values(gitops_copy)
    layout = Layout.from_repository(load_repository(repo_dir))
    assert layout.values == "values/airflow.yaml"
    scenario = get("migrations-never-run", load_repository(repo_dir))
    plan = build_plan(scenario, RunConfig(run_id="unit", gitops_dir=repo_dir))
    assert list(plan["repository_diff"]) == ["values/airflow.yaml"]
