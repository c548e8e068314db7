"""Expectations read what the running stack installed (the chart its pushed repository records), not the run's
target: with --upgrade-from the stack runs the older chart until the upgrade is committed."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from e2e import versions
from e2e.checks.expect import Expectations
from e2e.config import DEFAULT_GITOPS_DIR, RunConfig
from e2e.gitops import load_repository
from e2e.stack import pushed

pytestmark = pytest.mark.unit


def _stack_running(chart: str, config: RunConfig, tmp_path: Path) -> SimpleNamespace:
    """A stack whose pushed repository installs `chart` (as the bring-up pushes it), on plain files."""
    repo = load_repository(DEFAULT_GITOPS_DIR)
    files = pushed.repository_files(DEFAULT_GITOPS_DIR)
    files.update(pushed.with_chart_version(repo, files, "airflow", chart))
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    return SimpleNamespace(repo=load_repository(tmp_path), config=config)


@pytest.mark.parametrize("installed", ["1.21.0", "1.22.0"], ids=["before the upgrade is committed: the older chart",
                                                               "after it is committed: the new chart"])
def test_an_upgrade_run_expects_the_airflow_of_the_chart_the_stack_installed(tmp_path, installed):
    config = RunConfig(chart_version="1.22.0", upgrade_from="1.21.0", run_id="unit")
    stack = _stack_running(installed, config, tmp_path)
    assert Expectations.for_stack(stack).airflow_version == versions.airflow_version_for_chart(installed)
