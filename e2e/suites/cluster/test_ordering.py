"""Ordering, read from the timeline recorded since before the first apply: Secrets first, then Airflow."""

from __future__ import annotations

import pytest

from e2e.checks import ordering
from e2e.checks.expect import Expectations
from e2e.observe import snapshot
from e2e.observe.snapshot import pod_log

pytestmark = pytest.mark.ordering


def test_airflow_secrets_synced_and_healthy_before_airflow_began_syncing(stack, recorder, judged):
    verdict = judged(ordering.secrets_app_ready_before_chart_sync(recorder.timeline(), Expectations.for_stack(stack)))
    assert verdict.ok, verdict.explain()


def test_every_secret_the_values_reference_existed_before_the_first_airflow_pod(stack, recorder, judged):
    verdict = judged(ordering.secrets_before_first_pod(recorder.timeline(), Expectations.for_stack(stack)))
    assert verdict.ok, verdict.explain()


@pytest.mark.migration
@pytest.mark.userjob
def test_migrations_completed_before_the_create_user_step(stack, recorder, judged):
    exp = Expectations.for_stack(stack)
    pods = snapshot.take(stack.kube, stack.config).pods_of_job(exp.user_job)
    log = pod_log(stack.kube, exp.namespace, pods[0]["metadata"]["name"], "create-user", timestamps=True) \
        if pods else None  # gone after ttlSecondsAfterFinished: judged on the Jobs' completion order instead
    verdict = judged(ordering.migrations_before_user_step(recorder.timeline(), exp, user_log=log))
    assert verdict.ok, verdict.explain()
