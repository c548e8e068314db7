"""git-sync checks on realistic pod specs and git-sync v4 JSON logs: verified host keys, the commit, the DAG."""

from __future__ import annotations

from e2e.checks import gitsync


def test_good_run_git_sync_containers_verify_host_keys(run):
    verdict = gitsync.host_keys_verified(run().snapshot.of("Pod"))
    assert verdict.ok, verdict.explain()
    assert len(verdict.evidence) == 6  # dag-processor, triggerer, worker: init + sidecar each


def test_host_key_checking_off_fails(run):
    r = run()
    pod = r.snapshot.get("Pod", "airflow-worker-0")
    sidecar = next(c for c in pod["spec"]["containers"] if c["name"] == "git-sync")
    for env in sidecar["env"]:
        if env["name"] == "GITSYNC_SSH_KNOWN_HOSTS":
            env["value"] = "false"
    sidecar["volumeMounts"] = [m for m in sidecar["volumeMounts"] if m["name"] != "config"]
    verdict = gitsync.host_keys_verified(r.snapshot.of("Pod"))
    assert not verdict.ok
    line = next(e for e in verdict.evidence if e.startswith("airflow-worker-0 [git-sync]:"))
    assert "GITSYNC_SSH_KNOWN_HOSTS=false" in line and "no volume mounted at /etc/git-secret/known_hosts" in line


def test_no_git_sync_container_at_all_fails():
    verdict = gitsync.host_keys_verified([{"metadata": {"name": "p"}, "spec": {"containers": [{"name": "x"}]}}])
    assert not verdict.ok and verdict.evidence == ["no git-sync container in any pod"]


def test_log_showing_the_current_commit_passes(runs):
    logs = {"airflow-worker-0/git-sync-init": runs.git_sync_log(runs.DAGS_COMMIT)}
    verdict = gitsync.cloned_commit(logs, runs.DAGS_COMMIT)
    assert verdict.ok
    assert verdict.evidence == [f"airflow-worker-0/git-sync-init: updated successfully at {runs.DAGS_COMMIT[:12]}"]


def test_wrong_host_key_fails_with_opensshs_words(runs):
    logs = {"airflow-worker-0/git-sync-init": runs.git_sync_log(hostkey_fails=True)}
    verdict = gitsync.cloned_commit(logs, runs.DAGS_COMMIT)
    assert not verdict.ok
    assert verdict.evidence == ["airflow-worker-0/git-sync-init: too many failures, aborting (failCount 1): "
                                "Host key verification failed."]


def test_an_old_commit_fails(runs):
    logs = {"airflow-worker-0/git-sync": runs.git_sync_log(runs.OLD_COMMIT)}
    verdict = gitsync.cloned_commit(logs, runs.DAGS_COMMIT)
    assert not verdict.ok
    old, new = runs.OLD_COMMIT[:12], runs.DAGS_COMMIT[:12]
    assert verdict.evidence == [f"airflow-worker-0/git-sync: synced {old}, not {new}"]


def test_timestamped_log_lines_are_read_too(runs):
    text = "\n".join(f"2026-11-23T21:00:41.1Z {line}" for line in runs.git_sync_log().splitlines())
    assert gitsync.cloned_commit({"w/git-sync": text}, runs.DAGS_COMMIT).ok


def test_dag_visible_through_the_api():
    body = {"dags": [{"dag_id": "e2e_smoke", "is_paused": True}], "total_entries": 1}
    assert gitsync.dag_visible(200, body, "e2e_smoke").ok
    missing = gitsync.dag_visible(200, {"dags": [], "total_entries": 0}, "e2e_smoke")
    assert not missing.ok and missing.evidence == ["GET dags -> HTTP 200; listed: none"]
    assert not gitsync.dag_visible(403, {}, "e2e_smoke").ok
