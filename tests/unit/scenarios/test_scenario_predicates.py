"""Each scenario's symptom and convergence predicates, on the objects and log lines that failure really
produces: the symptom holds on the broken stack and not on a healthy one; convergence holds on the recovered
stack and not on the broken one."""

from __future__ import annotations

import pytest

from e2e.observe.snapshot import Snapshot
from e2e.scenarios import convergence as conv
from e2e.scenarios.registry import REGISTRY, get

from . import api_objects as k
from .stack_states import (
    AIRFLOW_SECRETS,
    COMPONENTS,
    CREATE_USER_JOB,
    MIGRATE_JOB,
    healthy,
    healthy_pods,
    memory,
    secrets,
)

HOST_KEY_LOG = ['{"msg":"error syncing repo, will retry","error":"Run(git ls-remote -q ssh://git@git.example.com/'
                'platform/airflow-dags.git main): exit status 128: { stdout: \\"\\", stderr: \\"No ED25519 host key '
                'is known for git.example.com and you have requested strict checking.\\nHost key verification '
                'failed.\\nfatal: Could not read from remote repository.\\" }","failCount":1}',
                '{"msg":"too many failures, aborting","failCount":1}']
KEY_FORMAT_LOG = ['{"msg":"error syncing repo, will retry","error":"... stderr: \\"Load key \\\\\\"/etc/git-secret/'
                  'ssh\\\\\\": error in libcrypto\\ngit@git.example.com: Permission denied (publickey).\\""}',
                  '{"msg":"too many failures, aborting","failCount":1}']


def git_sync_failing(log: list[str]) -> Snapshot:
    pods = [k.pod(f"airflow-{c}-new", c, phase="Pending", ready=False,
                  init=[k.container("git-sync-init", terminated=("Error", 1), restarts=1)]) for c in
            ("scheduler", "dag-processor")]
    return healthy(pods=healthy_pods() + pods, logs={"airflow-scheduler-new/git-sync-init": log})


def symptom(name: str, obs: Snapshot, mem=None):
    return REGISTRY[name].symptom.evaluate(obs, mem or memory())


def converged(name: str, obs: Snapshot, mem=None):
    return REGISTRY[name].converged.evaluate(obs, mem or memory())


# --- entry 1: pods first, then Secrets, the pods recover by themselves -----------------------------------------

def entry1_at_symptom() -> Snapshot:
    waiting = [k.waiting_on_secret(f"airflow-{c}-new", c, uid=f"uid-{c}-new") for c in ("scheduler", "api-server")]
    return healthy(pods=waiting, secrets={}, external_secrets=[])


def test_secrets_after_pods_symptom_is_the_kubelets_secret_not_found():
    out = symptom("secrets-after-pods", entry1_at_symptom())
    assert out.ok and 'secret "airflow-fernet-key" not found' in out.evidence[0]


def test_secrets_after_pods_symptom_also_accepts_failed_mount_events():
    obs = healthy(events=[k.event("FailedMount", 'MountVolume.SetUp failed for volume "git-sync-ssh-key" : secret '
                                  '"airflow-ssh-secret" not found', kind="Pod", name="airflow-worker-0")])
    assert symptom("secrets-after-pods", obs).ok


def test_secrets_after_pods_symptom_is_pending_on_a_healthy_stack():
    assert symptom("secrets-after-pods", healthy()).pending


def test_secrets_after_pods_converges_when_the_same_pods_start():
    at = entry1_at_symptom()
    same_pods_ready = [k.pod(f"airflow-{c}-new", c, uid=f"uid-{c}-new") for c in ("scheduler", "api-server")]
    out = converged("secrets-after-pods", healthy(pods=same_pods_ready), memory(at_symptom=at))
    assert out.ok, out.describe()
    assert "pod airflow-api-server-new started by itself once its Secrets existed" in out.evidence


def test_secrets_after_pods_fails_when_a_waiting_pod_was_replaced():
    at = entry1_at_symptom()
    replaced = [k.pod("airflow-scheduler-other", "scheduler", uid="uid-other"),
                k.pod("airflow-api-server-new", "api-server", uid="uid-api-server-new")]
    out = converged("secrets-after-pods", healthy(pods=replaced), memory(at_symptom=at))
    assert out.failed and "pod airflow-scheduler-new was replaced, not recovered in place" in out.evidence


def test_secrets_after_pods_is_pending_while_secrets_are_missing():
    at = entry1_at_symptom()
    assert converged("secrets-after-pods", at, memory(at_symptom=at)).pending


# --- entry 2: the chart makes its own keys -------------------------------------------------------------------

def test_chart_generated_keys_seen_as_chart_labelled_secret():
    chart_made = secrets()
    chart_made["airflow-jwt-secret"]["metadata"]["labels"] = {
        "tier": "airflow", "release": "airflow", "chart": "airflow-1.21.0", "heritage": "Helm"}
    out = symptom("chart-generated-keys", healthy(secrets=chart_made))
    assert out.ok and "Secret airflow-jwt-secret made by the chart" in out.evidence[0]


def test_chart_generated_keys_seen_as_a_new_fernet_key():
    out = symptom("chart-generated-keys", healthy(secrets=secrets({"airflow-fernet-key": "another-random-key"})))
    assert out.ok and "re-created with another key" in out.evidence[0]


def test_chart_generated_keys_seen_as_out_of_sync():
    apps = [k.application("airflow", sync="OutOfSync", health="Healthy")]
    assert symptom("chart-generated-keys", healthy(applications=apps)).ok


def test_chart_generated_keys_not_seen_on_a_healthy_stack():
    assert symptom("chart-generated-keys", healthy()).pending


def test_chart_generated_keys_converges_only_when_every_secret_holds_its_data_again():
    assert converged("chart-generated-keys", healthy(secrets=secrets({"airflow-jwt-secret": "random-2"}))).pending
    assert converged("chart-generated-keys", healthy()).ok


# --- entry 3: KV v2 policy without data/ ---------------------------------------------------------------------

VAULT_403 = ("error processing spec.data[0] (key: airflow/config), err: Error making API request.\n\nURL: GET "
             "https://vault.example.internal:8200/v1/secret/data/airflow/config\nCode: 403. Errors:\n\n* 1 error "
             "occurred:\n\t* permission denied\n\n")


def denied() -> Snapshot:
    return healthy(external_secrets=[k.external_secret(n, ready=False) for n in AIRFLOW_SECRETS],
                   events=[k.event("UpdateFailed", VAULT_403, kind="ExternalSecret", name=n) for n in AIRFLOW_SECRETS])


def test_kv2_policy_symptom_needs_every_es_failing_the_403_and_a_valid_store():
    out = symptom("kv2-policy-without-data", denied())
    assert out.ok
    assert any("Code: 403" in e for e in out.evidence)
    assert "ClusterSecretStore vault-airflow Ready=True Valid: store validated" in out.evidence


def test_kv2_policy_symptom_is_pending_while_one_es_still_syncs():
    partly = denied()
    partly = partly.replaced(external_secrets=[*partly.external_secrets[:-1], k.external_secret("airflow-ssh-secret")])
    assert symptom("kv2-policy-without-data", partly).pending


def test_kv2_policy_symptom_is_not_a_store_login_failure():
    assert not symptom("kv2-policy-without-data", denied().replaced(stores=[k.store(ready=False)])).ok


def test_kv2_policy_converges_when_every_es_syncs_again():
    assert converged("kv2-policy-without-data", healthy()).ok
    assert converged("kv2-policy-without-data", denied()).pending


# --- entry 4: a template key not in the payload --------------------------------------------------------------

def test_template_key_missing_symptom():
    obs = healthy(external_secrets=[k.external_secret("airflow-fernet-key", ready=False, message="could not get "
                                                      "secret data from provider")],
                  events=[k.event("UpdateFailed", 'error executing template: template: fernet-key:1:22: executing '
                                  '"fernet-key" at <(fromYaml .config).fernetKeyy>: map has no entry for key '
                                  '"fernetKeyy"', kind="ExternalSecret", name="airflow-fernet-key")])
    out = symptom("template-key-missing", obs)
    assert out.ok and any('map has no entry for key "fernetKeyy"' in e for e in out.evidence)


def test_template_key_missing_needs_the_message_not_just_an_error():
    obs = healthy(external_secrets=[k.external_secret("airflow-fernet-key", ready=False)])
    assert symptom("template-key-missing", obs).pending


# --- entry 5: git-sync cannot clone --------------------------------------------------------------------------

def test_wrong_host_key_symptom_needs_the_failing_init_and_the_ssh_line():
    out = symptom("gitsync-wrong-host-key", git_sync_failing(HOST_KEY_LOG))
    assert out.ok
    assert any("Host key verification failed." in e for e in out.evidence)
    assert any("init container git-sync-init terminated exit 1" in e for e in out.evidence)


def test_wrong_host_key_is_not_reported_for_a_key_format_failure():
    assert symptom("gitsync-wrong-host-key", git_sync_failing(KEY_FORMAT_LOG[:1])).pending


def test_key_without_newline_symptom_is_libcrypto_or_invalid_format():
    assert symptom("gitsync-key-no-newline", git_sync_failing(KEY_FORMAT_LOG)).ok
    invalid = ['... stderr: "Load key \\"/etc/git-secret/ssh\\": invalid format ..."']
    assert symptom("gitsync-key-no-newline", git_sync_failing(invalid)).ok


def test_git_sync_scenarios_converge_only_with_every_pod_ready():
    assert converged("gitsync-key-no-newline", git_sync_failing(KEY_FORMAT_LOG)).pending
    assert converged("gitsync-key-no-newline", healthy()).ok


# --- entry 6: the user job with a broken connection ----------------------------------------------------------

PG_FAILED = ['sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at '
             '"postgresql.airflow-db.svc.cluster.local" (10.96.1.2), port 5432 failed: FATAL:  password '
             'authentication failed for user "airflow"']


def test_user_job_symptom_is_the_database_error_from_its_pod():
    obs = healthy(jobs=[k.job(CREATE_USER_JOB, "Running", failed=1, uid="uid-user-2")],
                  logs={"airflow-create-user-x7/create-user": PG_FAILED})
    out = symptom("userjob-broken-connection", obs)
    assert out.ok and any('password authentication failed for user "airflow"' in e for e in out.evidence)


def test_user_job_that_completes_with_a_broken_database_fails_the_scenario_at_once():
    obs = healthy(jobs=[k.job(CREATE_USER_JOB, "Complete", uid="uid-user-2")],
                  logs={"airflow-create-user-x7/create-user": PG_FAILED})
    out = symptom("userjob-broken-connection", obs)
    assert out.failed and "the failure was hidden" in out.evidence[0]


def test_user_job_converges_on_a_new_complete_job_and_fails_on_a_new_failed_one():
    at = healthy(jobs=[k.job(CREATE_USER_JOB, "Failed", uid="uid-user-2")])
    assert converged("userjob-broken-connection", healthy(jobs=[k.job(CREATE_USER_JOB, uid="uid-user-3")]),
                     memory(at_symptom=at)).ok
    still_old = converged("userjob-broken-connection", at, memory(at_symptom=at))
    assert still_old.pending
    new_failed = healthy(jobs=[k.job(CREATE_USER_JOB, "Failed", uid="uid-user-3")])
    assert converged("userjob-broken-connection", new_failed, memory(at_symptom=at)).failed


# --- entry 7: waves across two Applications ignored ----------------------------------------------------------

def recreated(secrets_finished: str, chart_started: str) -> Snapshot:
    return healthy(applications=[
        k.application("airflow-secrets", started="2026-11-23T22:00:00Z", finished=secrets_finished,
                      uid="uid-app-secrets-2"),
        k.application("airflow", started=chart_started, finished="2026-11-23T22:03:00Z", uid="uid-app-airflow-2")])


def test_waves_ignored_symptom_is_the_chart_starting_before_secrets_finished():
    out = symptom("waves-without-parent", recreated("2026-11-23T22:00:09Z", "2026-11-23T22:00:01Z"))
    assert out.ok and any("before airflow-secrets finished" in e for e in out.evidence)


def test_waves_ignored_symptom_fails_when_the_waves_were_honoured():
    assert symptom("waves-without-parent", recreated("2026-11-23T22:00:09Z", "2026-11-23T22:00:15Z")).failed


def test_waves_ignored_symptom_waits_for_re_created_applications():
    assert symptom("waves-without-parent", healthy()).pending


def test_waves_ignored_symptom_fails_when_argo_shows_an_error():
    obs = recreated("2026-11-23T22:00:09Z", "2026-11-23T22:00:01Z")
    obs.applications[1]["status"]["conditions"] = [{"type": "SyncError", "message": "boom"}]
    assert symptom("waves-without-parent", obs).failed


def test_waves_converge_when_the_chart_waits_for_the_secrets():
    assert converged("waves-without-parent", recreated("2026-11-23T22:00:09Z", "2026-11-23T22:00:15Z")).ok
    assert converged("waves-without-parent", recreated("2026-11-23T22:00:09Z", "2026-11-23T22:00:01Z")).failed


# --- entry 8: Vault restarted --------------------------------------------------------------------------------

def test_vault_restarted_symptom_is_eso_unable_to_read():
    sealed = healthy(stores=[k.store(ready=False, message="unable to log in to provider: Error making API request."
                                                          "\n\nCode: 503. Errors:\n\n* Vault is sealed")])
    out = symptom("vault-restarted", sealed)
    assert out.ok and "Vault is sealed" in out.evidence[0]
    assert symptom("vault-restarted", denied()).ok
    assert symptom("vault-restarted", healthy()).pending


def test_vault_restarted_converges_with_the_store_and_every_es_ready():
    assert converged("vault-restarted", healthy()).ok
    assert converged("vault-restarted", healthy(stores=[k.store(ready=False)])).pending


# --- entry 9 and 10: broker password, Fernet key format ------------------------------------------------------

def test_broker_mismatch_symptom_is_the_redis_auth_error_in_the_worker_log():
    line = ("[2026-11-23 22:00:02,000: ERROR/MainProcess] consumer: Cannot connect to redis://:**@airflow-redis:6379"
            "/0: WRONGPASS invalid username-password pair or user is disabled..")
    assert symptom("broker-password-mismatch", healthy(logs={"airflow-worker-0/worker": [line]})).ok
    assert symptom("broker-password-mismatch", healthy(logs={"airflow-scheduler-0/scheduler": [line]})).pending


def test_bad_fernet_key_symptom_is_airflows_own_message_from_the_probe():
    probe = ["Traceback (most recent call last):", "ValueError: Fernet key must be 32 url-safe base64-encoded bytes.",
             "airflow.exceptions.AirflowException: Could not create Fernet object: Fernet key must be 32 url-safe "
             "base64-encoded bytes.", "command terminated with exit code 1"]
    assert symptom("bad-fernet-key", healthy(logs={"probe/fernet": probe})).ok
    assert symptom("bad-fernet-key", healthy(logs={"probe/fernet": ["Variable airflow_e2e_fernet_probe created"]}
                                               )).pending


# --- entry 11: chart upgrade ---------------------------------------------------------------------------------

def upgraded(airflow_image: str = "apache/airflow:3.2.2") -> Snapshot:
    return healthy(pods=healthy_pods(image=airflow_image),
                   jobs=[k.job(MIGRATE_JOB, uid="uid-migrate-2"), k.job(CREATE_USER_JOB, uid="uid-user-1")],
                   applications=[k.application("airflow-secrets"),
                                 k.application("airflow", revisions=["1.22.0", "3f2c1a9"])])


def test_chart_upgrade_symptom_is_the_new_revision_and_a_new_migration_job():
    scenario = get("chart-upgrade", upgrade_to="1.22.0")
    assert scenario.symptom.evaluate(upgraded(), memory()).ok
    assert scenario.symptom.evaluate(healthy(), memory()).pending


def test_chart_upgrade_converges_on_the_new_airflow_image_only():
    scenario = get("chart-upgrade", upgrade_to="1.22.0")
    assert scenario.converged.evaluate(upgraded(), memory()).ok
    stale = scenario.converged.evaluate(upgraded("apache/airflow:3.2.1"), memory())
    assert stale.pending and any("old Airflow images" in e for e in stale.evidence)


# --- entry 13: an ExternalSecret forever OutOfSync ---------------------------------------------------------

def secrets_app(sync: str, synced_rev: str, current_rev: str, phase: str = "Succeeded") -> Snapshot:
    app = k.application("airflow-secrets", sync=sync, started=k.T0, finished=k.T0, phase=phase)
    app["status"]["sync"]["revision"] = current_rev
    app["status"]["operationState"]["syncResult"]["revision"] = synced_rev
    return healthy(applications=[app, k.application("airflow")])


def test_forever_out_of_sync_needs_a_finished_sync_of_the_current_revision():
    out = symptom("externalsecret-defaults-outofsync", secrets_app("OutOfSync", "4b1e9d0", "4b1e9d0"))
    assert out.ok and "still OutOfSync/Healthy" in out.evidence[0]


def test_out_of_sync_between_a_commit_and_its_sync_is_not_the_symptom():
    assert symptom("externalsecret-defaults-outofsync", secrets_app("OutOfSync", "3f2c1a9", "4b1e9d0")).pending
    assert symptom("externalsecret-defaults-outofsync", secrets_app("OutOfSync", "4b1e9d0", "4b1e9d0",
                                                                    phase="Running")).pending


def test_forever_out_of_sync_converges_when_synced():
    assert converged("externalsecret-defaults-outofsync", secrets_app("Synced", "5c0d2e1", "5c0d2e1")).ok


# --- entry 14: migrations never run --------------------------------------------------------------------------

def test_migrations_never_run_symptom_is_pods_held_in_init_with_the_cli_message():
    held = [k.pod(f"airflow-{c}-new", c, phase="Pending", ready=False,
                  init=[k.container("wait-for-airflow-migrations", running=True)]) for c in COMPONENTS]
    log = ["TimeoutError: There are still unapplied migrations after 60 seconds. MigrationHead(s) in DB: set() | "
           "Migration Head(s) in Source Code: {'cc92b33c6709'}"]
    out = symptom("migrations-never-run", healthy(pods=held, logs={"airflow-scheduler-new/wait-for-airflow-"
                                                                   "migrations": log}))
    assert out.ok
    assert symptom("migrations-never-run", healthy(pods=held)).pending


def test_migrations_never_run_converges_on_both_jobs_complete():
    assert converged("migrations-never-run", healthy()).ok
    running = healthy(jobs=[k.job(MIGRATE_JOB, "Running", uid="uid-migrate-2"), k.job(CREATE_USER_JOB)])
    assert converged("migrations-never-run", running).pending


# --- entry 15 and 16 -----------------------------------------------------------------------------------------

def test_pruned_secrets_are_seen_gone_or_recreated():
    assert symptom("secret-pruned-with-owner", healthy(secrets={})).ok
    assert symptom("secret-pruned-with-owner", healthy(secrets=secrets(uid_suffix="-2"))).ok
    assert symptom("secret-pruned-with-owner", healthy()).pending


def test_values_in_directory_source_symptom_and_convergence():
    broken = healthy(applications=[k.application("airflow-secrets", sync="Unknown", conditions=[{
        "type": "ComparisonError", "message": "Failed to load target state: failed to generate manifest for source 1 "
        "of 1: rpc error: code = Unknown desc = Object 'Kind' is missing in '{\"executor\":\"CeleryExecutor\"}'"}])])
    assert symptom("values-in-directory-source", broken).ok
    assert symptom("values-in-directory-source", healthy()).pending
    assert converged("values-in-directory-source", broken).pending
    assert converged("values-in-directory-source", healthy()).ok


@pytest.mark.parametrize("name", list(REGISTRY))
def test_no_symptom_is_ok_on_a_healthy_stack(name):
    assert not REGISTRY[name].symptom.evaluate(healthy(), memory()).ok


def test_a_terminal_image_pull_fails_convergence_at_once():
    pulled = healthy(pods=[k.pod("airflow-scheduler-0", "scheduler", phase="Pending", ready=False, containers=[
        k.container("scheduler", waiting=("ImagePullBackOff", 'Back-off pulling image "apache/airflow:3.2.2"'))])])
    assert converged("gitsync-wrong-host-key", pulled).failed


# --- convergence of the remaining scenarios --------------------------------------------------------------------

def test_template_key_missing_converges_when_the_fernet_es_syncs_again():
    broken = healthy(external_secrets=[k.external_secret("airflow-fernet-key", ready=False)])
    assert converged("template-key-missing", broken).pending
    assert converged("template-key-missing", healthy()).ok


def test_wrong_host_key_converges_when_the_chart_app_is_synced_and_pods_ready():
    assert converged("gitsync-wrong-host-key", git_sync_failing(HOST_KEY_LOG)).pending
    degraded = healthy(applications=[k.application("airflow-secrets"), k.application("airflow", health="Degraded")])
    assert converged("gitsync-wrong-host-key", degraded).pending
    assert converged("gitsync-wrong-host-key", healthy()).ok


def test_broker_mismatch_converges_when_the_workers_are_ready():
    crashing = healthy(pods=[k.pod("airflow-worker-0", "worker", ready=False, containers=[
        k.container("worker", waiting=("CrashLoopBackOff", "back-off 20s"), last_exit=1, restarts=2)])])
    assert converged("broker-password-mismatch", crashing).pending
    assert converged("broker-password-mismatch", healthy()).ok


def test_bad_fernet_key_converges_when_every_pod_is_ready():
    restarting = healthy(pods=[*healthy_pods()[1:], k.pod("airflow-scheduler-1", "scheduler", ready=False,
                                                         phase="Running")])
    assert converged("bad-fernet-key", restarting).pending
    assert converged("bad-fernet-key", healthy()).ok


def test_pruned_secrets_converge_when_both_apps_sync_and_every_secret_is_back():
    missing = healthy(secrets={n: s for n, s in secrets(uid_suffix="-2").items() if n != "airflow-ssh-secret"})
    assert converged("secret-pruned-with-owner", missing).pending
    assert converged("secret-pruned-with-owner", healthy(secrets=secrets(uid_suffix="-2"))).ok


@pytest.mark.parametrize("name", list(REGISTRY))
def test_no_scenario_converges_while_an_airflow_pod_cannot_pull_its_image(name):
    pulled = healthy(pods=[*healthy_pods(), k.pod("airflow-worker-1", "worker", phase="Pending", ready=False,
                                                  containers=[k.container("worker", waiting=(
                                                      "ErrImagePull", "rpc error: code = NotFound"))])])
    out = REGISTRY[name].converged.evaluate(pulled, memory(at_symptom=entry1_at_symptom()))
    assert not out.ok


def test_a_pod_whose_image_may_never_be_pulled_fails_convergence_at_once():
    """imagePullPolicy Never with the image not loaded (ErrImageNeverPull) never mends: the same table of
    terminal waits as every other wait (e2e.observe.wait.TERMINAL_WAITING)."""
    stuck = healthy(pods=[*healthy_pods(), k.pod("airflow-worker-1", "worker", phase="Pending", ready=False,
                                                 containers=[k.container("worker", waiting=(
                                                     "ErrImageNeverPull", "Container image is not present"))])])
    out = conv.airflow_pods_ready(stuck, COMPONENTS)
    assert out.failed and out.evidence == ("pod airflow-worker-1 container worker waiting ErrImageNeverPull",)
