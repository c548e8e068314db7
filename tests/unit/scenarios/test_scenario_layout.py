"""Scenarios follow a team's own layout: paths come from the repository model, not from the reference."""

from __future__ import annotations

import shutil
from pathlib import Path

from e2e.config import RunConfig
from e2e.gitops import load_repository
from e2e.scenarios.layout import Layout
from e2e.scenarios.plan import build_plan
from e2e.scenarios.registry import get

REFERENCE = Path(__file__).resolve().parents[3] / "fixtures" / "gitops"


def moved_values(tmp_path: Path) -> Path:
    repo = Path(shutil.copytree(REFERENCE, tmp_path / "team"))
    (repo / "values").mkdir()
    (repo / "apps/airflow/airflow-values.yaml").rename(repo / "values/airflow.yaml")
    app = repo / "argocd/apps/airflow.yaml"
    app.write_text(app.read_text().replace("$values/apps/airflow/airflow-values.yaml", "$values/values/airflow.yaml"))
    return repo


def test_the_reference_layout_is_found_in_the_reference_repository():
    assert Layout.from_repository(load_repository(REFERENCE)) == Layout()


def test_a_moved_values_file_is_followed(tmp_path):
    repo_dir = moved_values(tmp_path)
    layout = Layout.from_repository(load_repository(repo_dir))
    assert layout.values == "values/airflow.yaml"
    scenario = get("migrations-never-run", load_repository(repo_dir))
    plan = build_plan(scenario, RunConfig(run_id="unit", gitops_dir=repo_dir))
    assert list(plan["repository_diff"]) == ["values/airflow.yaml"]
