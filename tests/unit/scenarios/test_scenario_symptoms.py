"""Symptom matchers over realistic API objects: each names the object, the reason and the message it saw."""

from __future__ import annotations

from e2e.observe.snapshot import Snapshot
from e2e.scenarios import messages as msg
from e2e.scenarios import symptoms as sym

from . import api_objects as k


def test_pod_waiting_on_a_missing_secret_is_found_with_its_message():
    obs = Snapshot.from_lists(pods=[k.waiting_on_secret("airflow-scheduler-7c9", "scheduler")])
    found = sym.pods_waiting(obs, "CreateContainerConfigError", msg.SECRET_NOT_FOUND)
    assert found == ['pod airflow-scheduler-7c9 main container scheduler waiting CreateContainerConfigError: '
                     'secret "airflow-fernet-key" not found']


def test_a_running_pod_is_not_waiting():
    assert sym.pods_waiting(Snapshot.from_lists(pods=[k.pod("airflow-scheduler-7c9", "scheduler")]),
                            "CreateContainerConfigError") == []


def test_failed_mount_event_names_the_pod_and_the_secret():
    obs = Snapshot.from_lists(events=[k.event("FailedMount", 'MountVolume.SetUp failed for volume "git-sync-ssh-key" : '
                                   'secret "airflow-ssh-secret" not found', kind="Pod", name="airflow-worker-0")])
    found = sym.events(obs, "FailedMount", msg.SECRET_NOT_FOUND, type_="Warning", involved_kind="Pod")
    assert len(found) == 1 and "airflow-worker-0" in found[0] and "airflow-ssh-secret" in found[0]


def test_git_sync_init_exit_1_is_a_failing_init_container():
    failing = k.pod("airflow-scheduler-7c9", "scheduler", phase="Pending", ready=False,
                    init=[k.container("git-sync-init", terminated=("Error", 1), restarts=2)])
    assert sym.init_containers_failing(Snapshot.from_lists(pods=[failing]), ("git-sync-init",)) == [
        "pod airflow-scheduler-7c9 init container git-sync-init terminated exit 1 (Error)"]


def test_git_sync_init_in_crash_loop_is_failing_too():
    looping = k.pod("airflow-worker-0", "worker", phase="Pending", ready=False,
                    init=[k.container("git-sync-init", waiting=("CrashLoopBackOff", "back-off 40s"), last_exit=1,
                                      restarts=3)])
    assert sym.init_containers_failing(Snapshot.from_lists(pods=[looping]), ("git-sync-init",))


def test_init_container_that_completed_is_not_failing():
    done = k.pod("airflow-worker-0", "worker", init=[k.container("git-sync-init", terminated=("Completed", 0))])
    assert sym.init_containers_failing(Snapshot.from_lists(pods=[done]), ("git-sync-init",)) == []


def test_pods_held_by_wait_for_migrations_are_found():
    held = k.pod("airflow-scheduler-7c9", "scheduler", phase="Pending", ready=False,
                 init=[k.container("wait-for-airflow-migrations", running=True)])
    assert sym.pods_in_init(Snapshot.from_lists(pods=[held]), ("wait-for-airflow-migrations",)) == [
        "pod airflow-scheduler-7c9 held by init container wait-for-airflow-migrations (running)"]


def test_external_secret_sync_error_is_reported_with_its_condition_message():
    obs = Snapshot.from_lists(external_secrets=[k.external_secret("airflow-metadata", ready=False),
                                     k.external_secret("airflow-fernet-key")])
    assert sym.external_secrets_condition(obs, "False", "SecretSyncedError") == [
        "ExternalSecret airflow-metadata Ready=False SecretSyncedError: could not get secret data from provider"]


def test_update_failed_event_carries_the_vault_403():
    text = ("error processing spec.data[0] (key: airflow/config), err: Error making API request.\n\nURL: GET "
            "https://vault.example.internal:8200/v1/secret/data/airflow/config\nCode: 403. Errors:\n\n* 1 error "
            "occurred:\n\t* permission denied\n\n")
    obs = Snapshot.from_lists(events=[k.event("UpdateFailed", text, kind="ExternalSecret", name="airflow-metadata")])
    found = sym.events(obs, "UpdateFailed", msg.PERMISSION_DENIED, involved_kind="ExternalSecret")
    assert len(found) == 1 and "Code: 403" in found[0]


def test_application_comparison_error_is_found_by_type_and_message():
    app = k.application("airflow-secrets", sync="Unknown", health="Healthy", conditions=[{
        "type": "ComparisonError", "lastTransitionTime": k.T0,
        "message": "Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = "
                   "Unknown desc = Object 'Kind' is missing in '{\"executor\":\"CeleryExecutor\"}'"}])
    found = sym.application_condition(Snapshot.from_lists(applications=[app]), "airflow-secrets", "ComparisonError",
                                      msg.KIND_MISSING)
    assert found and found[0].startswith("Application airflow-secrets condition ComparisonError: Failed to load")


def test_job_state_reads_the_job_controllers_conditions():
    assert sym.job_state(k.job("airflow-create-user", "Complete")) == "Complete"
    assert sym.job_state(k.job("airflow-create-user", "Failed")) == "Failed"
    assert sym.job_state(k.job("airflow-create-user", "Running", failed=2)) == "Running"


def test_a_failed_job_and_a_job_with_failed_pods_are_both_reported():
    obs = Snapshot.from_lists(jobs=[k.job("airflow-create-user", "Failed"),
                                    k.job("airflow-run-airflow-migrations", "Running", failed=1)])
    assert len(sym.jobs_failed(obs, "create-user")) == 1
    assert sym.jobs_failed(obs, "migrations") == ["Job airflow-run-airflow-migrations has 1 failed pod(s)"]


def test_log_lines_match_only_their_source():
    obs = Snapshot.from_lists(logs={
        "airflow-worker-0/worker": ["consumer: Cannot connect to redis://:**@airflow-redis:6379/0: "
                                    "WRONGPASS invalid username-password pair or user is disabled."],
        "airflow-scheduler-7c9/scheduler": ["Starting the scheduler"]})
    assert len(sym.log_lines(obs, msg.REDIS_WRONGPASS, "worker")) == 1
    assert sym.log_lines(obs, msg.REDIS_WRONGPASS, "scheduler") == []


def test_message_anywhere_finds_a_message_in_a_terminated_container_state():
    crashed = k.pod("airflow-scheduler-7c9", "scheduler", ready=False, containers=[k.container("scheduler")])
    crashed["status"]["containerStatuses"][0]["lastState"] = {"terminated": {
        "exitCode": 1, "reason": "Error", "message": "Fernet key must be 32 url-safe base64-encoded bytes."}}
    assert sym.message_anywhere(Snapshot.from_lists(pods=[crashed]), msg.FERNET_FORMAT)


def test_matchers_tolerate_objects_without_status():
    bare = Snapshot.from_lists(pods=[{"metadata": {"name": "p"}}], external_secrets=[{"metadata": {"name": "e"}}],
                    jobs=[{"metadata": {"name": "j"}}], events=[{}], applications=[{"metadata": {"name": "airflow"}}])
    assert sym.pods_waiting(bare, "CreateContainerConfigError") == []
    assert sym.external_secrets_condition(bare, "False", "SecretSyncedError") == []
    assert sym.message_anywhere(bare, msg.KIND_MISSING) == []
