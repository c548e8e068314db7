"""The chart version a run installs has one rule: --chart-version, else the repository's pinned version when
e2e/versions knows it, else the pinned default. The run options and the component tier's inputs agree."""

from __future__ import annotations

import shutil

import pytest

from e2e import versions
from e2e.components import inputs
from e2e.config import DEFAULT_GITOPS_DIR, RunConfig


def _repo_pinning(tmp_path, version: str):
    root = tmp_path / "gitops"
    shutil.copytree(DEFAULT_GITOPS_DIR, root)
    app = root / "argocd" / "apps" / "airflow.yaml"
    app.write_text(app.read_text().replace("targetRevision: 1.21.0", f"targetRevision: {version}"))
    return root


@pytest.mark.parametrize(("pinned", "installed"), [("1.21.0", "1.21.0"), ("9.9.9", versions.PINNED_CHART)])
def test_the_run_options_and_the_component_inputs_install_the_same_chart(tmp_path, pinned, installed):
    root = _repo_pinning(tmp_path, pinned)
    config = RunConfig.from_env(gitops_dir=root, run_id="e2e-chart-owner")
    assert config.chart_version == installed
    assert inputs.load_inputs(root).chart_version == installed


def test_an_explicit_chart_version_wins_over_the_repository(tmp_path):
    root = _repo_pinning(tmp_path, "1.21.0")
    assert RunConfig.from_env(gitops_dir=root, chart_version="1.22.0").chart_version == "1.22.0"
    assert inputs.load_inputs(root, chart_version="1.22.0").chart_version == "1.22.0"
