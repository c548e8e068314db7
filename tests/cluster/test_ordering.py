"""Ordering, read from the timeline recorded since before the first apply: Secrets first, then Airflow."""

from __future__ import annotations

import pytest

from e2e.checks import ordering
from e2e.checks.expect import Expectations
from e2e.observe.snapshot import pod_log
from e2e.report.artifacts import keep

pytestmark = [pytest.mark.cluster, pytest.mark.ordering]


def _kept(stack, recorder, artifacts_dir, verdict):
    keep(artifacts_dir, recorder.timeline(), [verdict], stack.masker, title=verdict.name,
         versions={"chart": stack.config.chart_version, "run_id": stack.config.run_id})
    return verdict


def test_airflow_secrets_synced_and_healthy_before_airflow_began_syncing(stack, recorder, artifacts_dir):
    exp = Expectations.for_stack(stack)
    verdict = ordering.secrets_app_ready_before_chart_sync(recorder.timeline(), exp)
    assert _kept(stack, recorder, artifacts_dir, verdict).ok, verdict.explain()


def test_every_secret_the_values_reference_existed_before_the_first_airflow_pod(stack, recorder, artifacts_dir):
    exp = Expectations.for_stack(stack)
    verdict = ordering.secrets_before_first_pod(recorder.timeline(), exp)
    assert _kept(stack, recorder, artifacts_dir, verdict).ok, verdict.explain()


@pytest.mark.migration
@pytest.mark.userjob
def test_migrations_completed_before_the_create_user_step(stack, recorder, artifacts_dir):
    exp = Expectations.for_stack(stack)
    pods = [p for p in stack.kube.list("pods", exp.namespace)
            if (p["metadata"].get("labels") or {}).get("job-name") == exp.user_job]
    log = pod_log(stack.kube, exp.namespace, pods[0]["metadata"]["name"], "create-user", timestamps=True) \
        if pods else None  # gone after ttlSecondsAfterFinished: judged on the Jobs' completion order instead
    verdict = ordering.migrations_before_user_step(recorder.timeline(), exp, user_log=log).masked(stack.masker)
    assert _kept(stack, recorder, artifacts_dir, verdict).ok, verdict.explain()
