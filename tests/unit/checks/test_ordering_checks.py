"""Ordering checks on realistic timelines: a good run, Secrets late, migrations failed, the user step early."""

from __future__ import annotations

from datetime import UTC, datetime

from e2e.checks import ordering


def test_good_run_orders_secrets_app_before_chart_sync(run):
    r = run()
    verdict = ordering.secrets_app_ready_before_chart_sync(r.timeline, r.exp)
    assert verdict.ok, verdict.explain()
    assert any("margin +" in line for line in verdict.evidence)


def test_good_run_has_every_secret_before_the_first_airflow_pod(run):
    r = run()
    verdict = ordering.secrets_before_first_pod(r.timeline, r.exp)
    assert verdict.ok, verdict.explain()
    assert {s for s in r.exp.referenced if any(line.startswith(f"{s}: created") for line in verdict.evidence)} \
        == set(r.exp.referenced)


def test_secrets_late_fails_both_ordering_checks_with_the_symptom_as_evidence(run):
    r = run("secrets-late")
    app_order = ordering.secrets_app_ready_before_chart_sync(r.timeline, r.exp)
    assert not app_order.ok
    assert any(line.startswith("margin -") for line in app_order.evidence)
    pods = ordering.secrets_before_first_pod(r.timeline, r.exp)
    assert not pods.ok
    assert any("airflow-fernet-key: created" in line and "AFTER" in line for line in pods.evidence)
    assert any("CreateContainerConfigError" in line and 'secret "airflow-fernet-key" not found' in line
               for line in pods.evidence)


def test_a_secret_deleted_before_the_first_pod_fails(run):
    r = run()
    pod = ordering.first_airflow_pod(r.timeline, r.exp)
    created = r.timeline.first(kind="Secret", name="airflow-metadata", what="created")
    from e2e.observe.timeline import Event

    r.timeline.add([Event((created.time + pod.time) / 2, "secrets", "Secret", r.exp.namespace, "airflow-metadata",
                          "deleted", {"observed": True})])
    verdict = ordering.secrets_before_first_pod(r.timeline, r.exp)
    assert not verdict.ok
    assert verdict.evidence[0].startswith("1 of 8 Secrets missing when the first Airflow pod was created: "
                                          "airflow-metadata")
    assert any(line.startswith("airflow-metadata: deleted") for line in verdict.evidence)


def test_chart_app_that_never_synced_fails_with_a_reason(run):
    r = run()
    r.timeline.events = [e for e in r.timeline.events if not (e.kind == "Application" and e.name == r.exp.chart_app)]
    verdict = ordering.secrets_app_ready_before_chart_sync(r.timeline, r.exp)
    assert not verdict.ok and "never began a sync" in verdict.evidence[0]


def test_migrations_must_complete_before_the_user_step(run):
    r = run()
    assert ordering.migrations_before_user_step(r.timeline, r.exp).ok


def test_failed_migrations_fail_the_ordering_with_the_jobs_reason(run):
    r = run("migration-failed")
    verdict = ordering.migrations_before_user_step(r.timeline, r.exp)
    assert not verdict.ok
    assert "never completed" in verdict.evidence[0]
    assert "BackoffLimitExceeded" in verdict.evidence[1]


def _stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


def test_user_step_logged_before_migrations_completed_fails(run, runs):
    r = run()
    done = r.timeline.first(kind="Job", name=r.exp.migration_job, what_prefix="condition Complete=True")
    early = f'{_stamp(done.time - 10)} User "admin" created with role "Admin"\n'
    verdict = ordering.migrations_before_user_step(r.timeline, r.exp, user_log=early)
    assert not verdict.ok
    assert any("-10.0s after the migrations" in line for line in verdict.evidence)
    late = runs.user_job_log(t=done.time - runs.T0 + 5)
    assert ordering.migrations_before_user_step(r.timeline, r.exp, user_log=late).ok


def test_same_second_is_accepted_and_said(run):
    r = run()
    ready = r.timeline.first(kind="Application", name=r.exp.secrets_app, what="Synced+Healthy")
    from dataclasses import replace

    r.timeline.events = [replace(e, time=ready.time + 0.5) if e.name == r.exp.chart_app and e.what in (
        "operation Running", "deploy started") else e for e in r.timeline.events]
    r.timeline.events.sort(key=lambda e: e.time)
    assert ordering.secrets_app_ready_before_chart_sync(r.timeline, r.exp).ok


def test_a_recorder_started_after_the_chart_sync_cannot_judge_the_order(run):
    r = run()
    started = ordering.chart_sync_started(r.timeline, r.exp)
    r.timeline.metadata["recorder_started"] = started.time + 30
    verdict = ordering.secrets_app_ready_before_chart_sync(r.timeline, r.exp)
    assert not verdict.ok and "the order cannot be judged" in verdict.evidence[-1]
