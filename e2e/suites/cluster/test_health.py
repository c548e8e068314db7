"""Health after bring-up: every Airflow workload ready, both Applications Synced and Healthy."""

from __future__ import annotations

from e2e.checks import health
from e2e.checks.expect import Expectations
from e2e.observe import snapshot


def test_every_airflow_workload_is_ready(stack):
    verdict = health.workloads_ready(snapshot.take(stack.kube, stack.config), Expectations.for_stack(stack))
    assert verdict.ok, verdict.explain()


def test_both_applications_are_synced_and_healthy(stack):
    verdict = health.applications_synced_healthy(snapshot.take(stack.kube, stack.config),
                                                 Expectations.for_stack(stack))
    assert verdict.ok, verdict.explain()
