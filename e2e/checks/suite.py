"""The checks that need only a timeline: what `airflow-e2e report` can re-run on a saved nightly timeline."""

from __future__ import annotations

from e2e.checks import jobs, ordering, pods
from e2e.checks.expect import Expectations
from e2e.checks.verdict import Verdict
from e2e.observe.timeline import Timeline


def timeline_checks(timeline: Timeline, exp: Expectations) -> list[Verdict]:
    return [
        ordering.secrets_app_ready_before_chart_sync(timeline, exp),
        ordering.secrets_before_first_pod(timeline, exp),
        ordering.migrations_before_user_step(timeline, exp),
        *jobs.jobs_completed(timeline, exp),
        pods.pods_ready(timeline, exp),
        pods.git_sync_running(timeline, exp),
    ]
