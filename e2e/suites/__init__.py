"""The harness's test suites, shipped with it: `components` (real servers on loopback) and `cluster` (kind or
a kubeconfig). `airflow-e2e test` runs them through pytest; `pytest --pyargs e2e.suites.cluster` does too."""

from __future__ import annotations

from e2e.config import REPO_ROOT

SCENARIO_TESTS = REPO_ROOT / "tests" / "cluster" / "test_scenarios.py"
