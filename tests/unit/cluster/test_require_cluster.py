"""Without a cluster, cluster tests skip with one reason; a run that requires one fails (real pytest runs)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from e2e.cluster.fixtures import unavailable_reason
from e2e.config import RunConfig

ROOT = Path(__file__).resolve().parents[3]
HEALTH = "e2e/suites/cluster/test_health.py"

pytestmark = pytest.mark.skipif(unavailable_reason(RunConfig()) is None,
                                reason="a cluster is available here: this test is about machines without one")


def _pytest(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "AIRFLOW_E2E_REQUIRE_CLUSTER"}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs", HEALTH, *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, env=env, check=False)


def test_without_a_cluster_the_tests_skip_with_one_reason():
    done = _pytest()
    assert done.returncode == 0, done.stdout[-500:]
    assert "skipped" in done.stdout and "cluster tier needs" in done.stdout


def test_a_run_that_requires_a_cluster_fails_instead_of_skipping():
    done = _pytest("--e2e-require-cluster")
    assert done.returncode == 1, done.stdout[-500:]
    assert "--e2e-require-cluster: cluster tier needs" in done.stdout and "skipped" not in done.stdout
