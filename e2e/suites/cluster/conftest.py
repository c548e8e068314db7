"""Cluster tests: every test here is marked `cluster` and runs against the `stack` fixture (e2e.cluster.fixtures).

Without a Docker engine (or a kubeconfig with --cluster existing) the fixtures skip with one clear reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e.report import junit
from e2e.report.artifacts import keep

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.cluster)


@pytest.fixture
def judged(stack, recorder, artifacts_dir, record_property):
    """verdict -> verdict, after keeping timeline, report and JUnit properties for this test."""
    def keep_and_return(verdict):
        verdict = verdict.masked(stack.masker)
        keep(artifacts_dir, recorder.timeline(), [verdict], stack.masker, title=verdict.name,
             versions={"chart": stack.config.chart_version, "run_id": stack.config.run_id})
        junit.record(record_property, [verdict], stack.masker)
        return verdict
    return keep_and_return
