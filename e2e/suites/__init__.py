"""The harness's test suites, shipped with it: `components` (real servers on loopback) and `cluster` (kind or
a kubeconfig). `airflow-e2e test` runs them through pytest; `pytest --pyargs e2e.suites.cluster` does too.
Their fixtures and hooks come from e2e.fixtures, loaded by this folder's conftest.py: for these suites only."""

from __future__ import annotations

from pathlib import Path

SUITES_DIR = Path(__file__).resolve().parent
COMPONENTS = SUITES_DIR / "components"
CLUSTER = SUITES_DIR / "cluster"
SCENARIO_TESTS = CLUSTER / "test_scenarios.py"
