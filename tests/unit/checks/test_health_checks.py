"""Health checks on realistic snapshots: workloads ready, both Applications Synced/Healthy."""

from __future__ import annotations

from e2e.checks import health


def test_good_run_is_healthy(run):
    r = run()
    assert health.workloads_ready(r.snapshot, r.exp).ok
    verdict = health.applications_synced_healthy(r.snapshot, r.exp)
    assert verdict.ok and verdict.evidence == ["airflow-secrets: Synced/Healthy", "airflow: Synced/Healthy"]


def test_git_sync_failure_leaves_workloads_not_ready(run):
    r = run("gitsync-hostkey")
    verdict = health.workloads_ready(r.snapshot, r.exp)
    assert not verdict.ok
    assert "StatefulSet/airflow-worker: 0/1 ready, 1 updated" in verdict.evidence


def test_degraded_application_fails_with_argo_cds_message(run):
    r = run("migration-failed")
    verdict = health.applications_synced_healthy(r.snapshot, r.exp)
    assert not verdict.ok
    assert verdict.evidence[1].startswith("airflow: OutOfSync/Degraded (retrying attempt #2")


def test_a_stale_status_is_not_ready(run):
    r = run()
    deployment = r.snapshot.get("Deployment", "airflow-scheduler")
    deployment["metadata"]["generation"] = 2
    verdict = health.workloads_ready(r.snapshot, r.exp)
    assert not verdict.ok and any("not yet observed" in e for e in verdict.evidence)


def test_no_workloads_at_all_fails(run):
    r = run()
    r.snapshot.objects["Deployment"] = []
    r.snapshot.objects["StatefulSet"] = []
    assert not health.workloads_ready(r.snapshot, r.exp).ok
