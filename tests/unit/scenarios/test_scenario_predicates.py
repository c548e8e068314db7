"""Each scenario's symptom and convergence predicates, on the objects and log lines that failure really
produces: the symptom holds on the broken stack and not on a healthy one; convergence holds on the recovered
stack and not on the broken one."""

from __future__ import annotations

import pytest

from e2e.judgement import Judgement
from e2e.observe.snapshot import Snapshot
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

UPGRADE_TO = "1.22.0"  # the chart the upgraded stack below runs

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


def entry1_at_symptom() -> Snapshot:
    waiting = [k.waiting_on_secret(f"airflow-{c}-new", c, uid=f"uid-{c}-new") for c in ("scheduler", "api-server")]
    return healthy(pods=waiting, secrets={}, external_secrets=[])


VAULT_403 = ("error processing spec.data[0] (key: airflow/config), err: Error making API request.\n\nURL: GET "
             "https://vault.example.internal:8200/v1/secret/data/airflow/config\nCode: 403. Errors:\n\n* 1 error "
             "occurred:\n\t* permission denied\n\n")
PG_FAILED = ['sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at '
             '"postgresql.airflow-db.svc.cluster.local" (10.96.1.2), port 5432 failed: FATAL:  password '
             'authentication failed for user "airflow"']
WRONGPASS = ("[2026-11-23 22:00:02,000: ERROR/MainProcess] consumer: Cannot connect to redis://:**@airflow-redis:6379"
             "/0: WRONGPASS invalid username-password pair or user is disabled..")
FERNET_PROBE = ["Traceback (most recent call last):",
                "ValueError: Fernet key must be 32 url-safe base64-encoded bytes.",
                "airflow.exceptions.AirflowException: Could not create Fernet object: Fernet key must be 32 url-safe "
                "base64-encoded bytes.", "command terminated with exit code 1"]


def denied() -> Snapshot:
    return healthy(external_secrets=[k.external_secret(n, ready=False) for n in AIRFLOW_SECRETS],
                   events=[k.event("UpdateFailed", VAULT_403, kind="ExternalSecret", name=n) for n in AIRFLOW_SECRETS])


def one_es_still_syncing() -> Snapshot:
    partly = denied()
    return partly.replaced(external_secrets=[*partly.external_secrets[:-1], k.external_secret("airflow-ssh-secret")])


def recreated(secrets_finished: str, chart_started: str, conditions: list | None = None) -> Snapshot:
    obs = healthy(applications=[
        k.application("airflow-secrets", started="2026-11-23T22:00:00Z", finished=secrets_finished,
                      uid="uid-app-secrets-2"),
        k.application("airflow", started=chart_started, finished="2026-11-23T22:03:00Z", uid="uid-app-airflow-2")])
    if conditions:
        obs.applications[1]["status"]["conditions"] = conditions
    return obs


WAVES_IGNORED = ("2026-11-23T22:00:09Z", "2026-11-23T22:00:01Z")  # the chart started before the Secrets finished
WAVES_HONOURED = ("2026-11-23T22:00:09Z", "2026-11-23T22:00:15Z")


def secrets_app(sync: str, synced_rev: str, current_rev: str, phase: str = "Succeeded") -> Snapshot:
    app = k.application("airflow-secrets", sync=sync, started=k.T0, finished=k.T0, phase=phase)
    app["status"]["sync"]["revision"] = current_rev
    app["status"]["operationState"]["syncResult"]["revision"] = synced_rev
    return healthy(applications=[app, k.application("airflow")])


def held_in_migrations() -> list[dict]:
    return [k.pod(f"airflow-{c}-new", c, phase="Pending", ready=False,
                  init=[k.container("wait-for-airflow-migrations", running=True)]) for c in COMPONENTS]


def directory_source_broken() -> Snapshot:
    return healthy(applications=[k.application("airflow-secrets", sync="Unknown", conditions=[{
        "type": "ComparisonError", "message": "Failed to load target state: failed to generate manifest for source 1 "
        "of 1: rpc error: code = Unknown desc = Object 'Kind' is missing in '{\"executor\":\"CeleryExecutor\"}'"}])])


def chart_labelled_jwt_secret() -> Snapshot:
    chart_made = secrets()
    chart_made["airflow-jwt-secret"]["metadata"]["labels"] = {
        "tier": "airflow", "release": "airflow", "chart": "airflow-1.21.0", "heritage": "Helm"}
    return healthy(secrets=chart_made)


def upgraded(airflow_image: str = "apache/airflow:3.2.2") -> Snapshot:
    """The stack after the chart moved to UPGRADE_TO: a new migration Job, Airflow 3.2.2 images."""
    return healthy(pods=healthy_pods(image=airflow_image),
                   jobs=[k.job(MIGRATE_JOB, uid="uid-migrate-2"), k.job(CREATE_USER_JOB, uid="uid-user-1")],
                   applications=[k.application("airflow-secrets"),
                                 k.application("airflow", revisions=[UPGRADE_TO, "3f2c1a9"])])


def image_error(reason: str, message: str) -> Snapshot:
    """An Airflow pod waiting on an image that no retry brings (e2e.observe.wait.TERMINAL_WAITING)."""
    return healthy(pods=[*healthy_pods(), k.pod("airflow-worker-1", "worker", phase="Pending", ready=False,
                                                containers=[k.container("worker", waiting=(reason, message))])])


def user_job(state: str, uid: str, **kw) -> Snapshot:
    return healthy(jobs=[k.job(CREATE_USER_JOB, state, uid=uid, **kw)],
                   logs={"airflow-create-user-x7/create-user": PG_FAILED})


# (scenario, "symptom" | "converged", the stack, memory at the symptom or None, the state the judgement must be,
#  a line its evidence must contain: "=line" exactly, "^text" in the first line, "text" in any line)
JUDGEMENTS = {
    # entry 1: pods first, then Secrets; the pods recover by themselves
    "secrets-after-pods symptom is the kubelet saying secret not found": (
        "secrets-after-pods", "symptom", entry1_at_symptom, None, "ok", '^secret "airflow-fernet-key" not found'),
    "secrets-after-pods symptom also accepts FailedMount events": (
        "secrets-after-pods", "symptom", lambda: healthy(events=[k.event(
            "FailedMount", 'MountVolume.SetUp failed for volume "git-sync-ssh-key" : secret "airflow-ssh-secret" not '
            'found', kind="Pod", name="airflow-worker-0")]), None, "ok", None),
    "secrets-after-pods converges when the same pods start": (
        "secrets-after-pods", "converged", lambda: healthy(pods=[
            k.pod(f"airflow-{c}-new", c, uid=f"uid-{c}-new") for c in ("scheduler", "api-server")]),
        entry1_at_symptom, "ok", "=pod airflow-api-server-new started by itself once its Secrets existed"),
    "secrets-after-pods fails when a waiting pod was replaced": (
        "secrets-after-pods", "converged", lambda: healthy(pods=[
            k.pod("airflow-scheduler-other", "scheduler", uid="uid-other"),
            k.pod("airflow-api-server-new", "api-server", uid="uid-api-server-new")]),
        entry1_at_symptom, "failed", "=pod airflow-scheduler-new was replaced, not recovered in place"),
    "secrets-after-pods is pending while Secrets are missing": (
        "secrets-after-pods", "converged", entry1_at_symptom, entry1_at_symptom, "pending", None),
    # entry 2: the chart makes its own keys
    "chart-generated-keys seen as a chart-labelled Secret": (
        "chart-generated-keys", "symptom", chart_labelled_jwt_secret, None, "ok",
        "^Secret airflow-jwt-secret made by the chart"),
    "chart-generated-keys seen as a new Fernet key": (
        "chart-generated-keys", "symptom",
        lambda: healthy(secrets=secrets({"airflow-fernet-key": "another-random-key"})), None, "ok",
        "^re-created with another key"),
    "chart-generated-keys seen as OutOfSync": (
        "chart-generated-keys", "symptom", lambda: healthy(applications=[
            k.application("airflow", sync="OutOfSync", health="Healthy")]), None, "ok", None),
    "chart-generated-keys does not converge while a Secret holds other data": (
        "chart-generated-keys", "converged", lambda: healthy(secrets=secrets({"airflow-jwt-secret": "random-2"})),
        None, "pending", None),
    # entry 3: KV v2 policy without data/
    "kv2 symptom needs every ExternalSecret failing with the 403": (
        "kv2-policy-without-data", "symptom", denied, None, "ok", "Code: 403"),
    "kv2 symptom needs a valid store": (
        "kv2-policy-without-data", "symptom", denied, None, "ok",
        "=ClusterSecretStore vault-airflow Ready=True Valid: store validated"),
    "kv2 symptom is pending while one ExternalSecret still syncs": (
        "kv2-policy-without-data", "symptom", one_es_still_syncing, None, "pending", None),
    "kv2 symptom is not a store login failure": (
        "kv2-policy-without-data", "symptom", lambda: denied().replaced(stores=[k.store(ready=False)]), None, "not ok",
        None),
    "kv2 does not converge while access is denied": (
        "kv2-policy-without-data", "converged", denied, None, "pending", None),
    # entry 4: a template key not in the payload
    "template-key-missing symptom is the template's own message": (
        "template-key-missing", "symptom", lambda: healthy(
            external_secrets=[k.external_secret("airflow-fernet-key", ready=False,
                                                message="could not get secret data from provider")],
            events=[k.event("UpdateFailed", 'error executing template: template: fernet-key:1:22: executing '
                            '"fernet-key" at <(fromYaml .config).fernetKeyy>: map has no entry for key "fernetKeyy"',
                            kind="ExternalSecret", name="airflow-fernet-key")]),
        None, "ok", 'map has no entry for key "fernetKeyy"'),
    "template-key-missing needs the message, not just an error": (
        "template-key-missing", "symptom", lambda: healthy(
            external_secrets=[k.external_secret("airflow-fernet-key", ready=False)]), None, "pending", None),
    "template-key-missing does not converge while the Fernet ExternalSecret fails": (
        "template-key-missing", "converged", lambda: healthy(
            external_secrets=[k.external_secret("airflow-fernet-key", ready=False)]), None, "pending", None),
    # entry 5: git-sync cannot clone
    "wrong host key symptom needs the ssh line": (
        "gitsync-wrong-host-key", "symptom", lambda: git_sync_failing(HOST_KEY_LOG), None, "ok",
        "Host key verification failed."),
    "wrong host key symptom needs the failing init container": (
        "gitsync-wrong-host-key", "symptom", lambda: git_sync_failing(HOST_KEY_LOG), None, "ok",
        "init container git-sync-init terminated exit 1"),
    "wrong host key is not reported for a key format failure": (
        "gitsync-wrong-host-key", "symptom", lambda: git_sync_failing(KEY_FORMAT_LOG[:1]), None, "pending", None),
    "key without newline symptom is libcrypto": (
        "gitsync-key-no-newline", "symptom", lambda: git_sync_failing(KEY_FORMAT_LOG), None, "ok", None),
    "key without newline symptom is invalid format": (
        "gitsync-key-no-newline", "symptom", lambda: git_sync_failing(
            ['... stderr: "Load key \\"/etc/git-secret/ssh\\": invalid format ..."']), None, "ok", None),
    "git-sync scenarios do not converge while git-sync fails": (
        "gitsync-key-no-newline", "converged", lambda: git_sync_failing(KEY_FORMAT_LOG), None, "pending", None),
    "wrong host key does not converge while git-sync fails": (
        "gitsync-wrong-host-key", "converged", lambda: git_sync_failing(HOST_KEY_LOG), None, "pending", None),
    "wrong host key does not converge while the chart Application is degraded": (
        "gitsync-wrong-host-key", "converged", lambda: healthy(applications=[
            k.application("airflow-secrets"), k.application("airflow", health="Degraded")]), None, "pending", None),
    "a terminal image pull fails convergence at once": (
        "gitsync-wrong-host-key", "converged", lambda: healthy(pods=[k.pod(
            "airflow-scheduler-0", "scheduler", phase="Pending", ready=False, containers=[k.container(
                "scheduler", waiting=("ImagePullBackOff", 'Back-off pulling image "apache/airflow:3.2.2"'))])]),
        None, "failed", None),
    "an image that may never be pulled (imagePullPolicy Never, not loaded) fails convergence at once": (
        "bad-fernet-key", "converged", lambda: image_error("ErrImageNeverPull", "Container image is not present"),
        None, "failed", ("pod airflow-worker-1 container worker waiting ErrImageNeverPull",)),
    # entry 6: the user job with a broken connection
    "user job symptom is the database error from its pod": (
        "userjob-broken-connection", "symptom", lambda: user_job("Running", "uid-user-2", failed=1), None, "ok",
        'password authentication failed for user "airflow"'),
    "a user job that completes with a broken database fails the scenario at once": (
        "userjob-broken-connection", "symptom", lambda: user_job("Complete", "uid-user-2"), None, "failed",
        "^the failure was hidden"),
    "user job converges on a new complete job": (
        "userjob-broken-connection", "converged", lambda: healthy(jobs=[k.job(CREATE_USER_JOB, uid="uid-user-3")]),
        lambda: healthy(jobs=[k.job(CREATE_USER_JOB, "Failed", uid="uid-user-2")]), "ok", None),
    "user job does not converge on the old failed job": (
        "userjob-broken-connection", "converged", lambda: healthy(jobs=[k.job(CREATE_USER_JOB, "Failed",
                                                                              uid="uid-user-2")]),
        lambda: healthy(jobs=[k.job(CREATE_USER_JOB, "Failed", uid="uid-user-2")]), "pending", None),
    "user job fails on a new failed job": (
        "userjob-broken-connection", "converged", lambda: healthy(jobs=[k.job(CREATE_USER_JOB, "Failed",
                                                                              uid="uid-user-3")]),
        lambda: healthy(jobs=[k.job(CREATE_USER_JOB, "Failed", uid="uid-user-2")]), "failed", None),
    # entry 7: waves across two Applications ignored
    "waves ignored symptom is the chart starting before the Secrets finished": (
        "waves-without-parent", "symptom", lambda: recreated(*WAVES_IGNORED), None, "ok",
        "before airflow-secrets finished"),
    "waves ignored symptom fails when the waves were honoured": (
        "waves-without-parent", "symptom", lambda: recreated(*WAVES_HONOURED), None, "failed", None),
    "waves ignored symptom fails when Argo CD shows an error": (
        "waves-without-parent", "symptom",
        lambda: recreated(*WAVES_IGNORED, [{"type": "SyncError", "message": "boom"}]), None, "failed", None),
    "waves converge when the chart waits for the Secrets": (
        "waves-without-parent", "converged", lambda: recreated(*WAVES_HONOURED), None, "ok", None),
    "waves fail to converge when the chart did not wait": (
        "waves-without-parent", "converged", lambda: recreated(*WAVES_IGNORED), None, "failed", None),
    # entry 8: Vault restarted
    "vault restarted symptom is ESO unable to read: sealed": (
        "vault-restarted", "symptom", lambda: healthy(stores=[k.store(
            ready=False, message="unable to log in to provider: Error making API request.\n\nCode: 503. Errors:\n\n"
            "* Vault is sealed")]), None, "ok", "^Vault is sealed"),
    "vault restarted symptom is ESO unable to read: denied": (
        "vault-restarted", "symptom", denied, None, "ok", None),
    "vault restarted does not converge while the store is not ready": (
        "vault-restarted", "converged", lambda: healthy(stores=[k.store(ready=False)]), None, "pending", None),
    # entries 9 and 10: broker password, Fernet key format
    "broker mismatch symptom is the Redis auth error in the worker log": (
        "broker-password-mismatch", "symptom", lambda: healthy(logs={"airflow-worker-0/worker": [WRONGPASS]}), None,
        "ok", None),
    "broker mismatch symptom is not the same line from the scheduler": (
        "broker-password-mismatch", "symptom", lambda: healthy(logs={"airflow-scheduler-0/scheduler": [WRONGPASS]}),
        None, "pending", None),
    "broker mismatch does not converge while a worker crash-loops": (
        "broker-password-mismatch", "converged", lambda: healthy(pods=[k.pod(
            "airflow-worker-0", "worker", ready=False, containers=[k.container(
                "worker", waiting=("CrashLoopBackOff", "back-off 20s"), last_exit=1, restarts=2)])]),
        None, "pending", None),
    "bad Fernet key symptom is the message of Airflow from the probe": (
        "bad-fernet-key", "symptom", lambda: healthy(logs={"probe/fernet": FERNET_PROBE}), None, "ok", None),
    "bad Fernet key symptom is pending when the probe succeeds": (
        "bad-fernet-key", "symptom", lambda: healthy(logs={"probe/fernet": [
            "Variable airflow_e2e_fernet_probe created"]}), None, "pending", None),
    "bad Fernet key does not converge while a pod restarts": (
        "bad-fernet-key", "converged", lambda: healthy(pods=[*healthy_pods()[1:], k.pod(
            "airflow-scheduler-1", "scheduler", ready=False, phase="Running")]), None, "pending", None),
    # entry 11: a chart upgrade
    "chart-upgrade symptom is the new revision and a new migration job": (
        "chart-upgrade", "symptom", upgraded, None, "ok", None),
    "chart-upgrade converges on the new Airflow image": ("chart-upgrade", "converged", upgraded, None, "ok", None),
    "chart-upgrade does not converge on the old Airflow image": (
        "chart-upgrade", "converged", lambda: upgraded("apache/airflow:3.2.1"), None, "pending", "old Airflow images"),
    # entry 13: an ExternalSecret forever OutOfSync
    "forever OutOfSync needs a finished sync of the current revision": (
        "externalsecret-defaults-outofsync", "symptom", lambda: secrets_app("OutOfSync", "4b1e9d0", "4b1e9d0"),
        None, "ok", "^still OutOfSync/Healthy"),
    "OutOfSync between a commit and its sync is not the symptom": (
        "externalsecret-defaults-outofsync", "symptom", lambda: secrets_app("OutOfSync", "3f2c1a9", "4b1e9d0"),
        None, "pending", None),
    "OutOfSync while the sync of the current revision runs is not the symptom": (
        "externalsecret-defaults-outofsync", "symptom", lambda: secrets_app("OutOfSync", "4b1e9d0", "4b1e9d0",
                                                                            phase="Running"), None, "pending", None),
    "forever OutOfSync converges when synced": (
        "externalsecret-defaults-outofsync", "converged", lambda: secrets_app("Synced", "5c0d2e1", "5c0d2e1"),
        None, "ok", None),
    # entry 14: migrations never run
    "migrations never run symptom is pods held in init with the CLI message": (
        "migrations-never-run", "symptom", lambda: healthy(pods=held_in_migrations(), logs={
            "airflow-scheduler-new/wait-for-airflow-migrations": [
                "TimeoutError: There are still unapplied migrations after 60 seconds. MigrationHead(s) in DB: set() | "
                "Migration Head(s) in Source Code: {'cc92b33c6709'}"]}), None, "ok", None),
    "migrations never run symptom needs the CLI message": (
        "migrations-never-run", "symptom", lambda: healthy(pods=held_in_migrations()), None, "pending", None),
    "migrations never run does not converge while the migration job runs": (
        "migrations-never-run", "converged", lambda: healthy(jobs=[
            k.job(MIGRATE_JOB, "Running", uid="uid-migrate-2"), k.job(CREATE_USER_JOB)]), None, "pending", None),
    # entries 15 and 16
    "pruned Secrets are seen gone": (
        "secret-pruned-with-owner", "symptom", lambda: healthy(secrets={}), None, "ok", None),
    "pruned Secrets are seen re-created": (
        "secret-pruned-with-owner", "symptom", lambda: healthy(secrets=secrets(uid_suffix="-2")), None, "ok", None),
    "pruned Secrets do not converge while one is missing": (
        "secret-pruned-with-owner", "converged", lambda: healthy(secrets={
            n: s for n, s in secrets(uid_suffix="-2").items() if n != "airflow-ssh-secret"}), None, "pending", None),
    "pruned Secrets converge when both apps sync and every Secret is back": (
        "secret-pruned-with-owner", "converged", lambda: healthy(secrets=secrets(uid_suffix="-2")), None, "ok", None),
    "values in a directory source symptom is the ComparisonError": (
        "values-in-directory-source", "symptom", directory_source_broken, None, "ok", None),
    "values in a directory source does not converge while the error stands": (
        "values-in-directory-source", "converged", directory_source_broken, None, "pending", None),
}


def assert_judged(out: Judgement, state: str, evidence: str | tuple[str, ...] | None) -> None:
    """`state`: ok, pending, failed or "not ok"; `evidence`: a tuple (exactly these lines), "=line" (one of them),
    "^text" (in the first line), "text" (in any line), or None (not checked)."""
    assert (not out.ok) if state == "not ok" else getattr(out, state), out.describe()
    if isinstance(evidence, tuple):
        assert out.evidence == evidence
    elif evidence and evidence[0] == "=":
        assert evidence[1:] in out.evidence
    elif evidence and evidence[0] == "^":
        assert evidence[1:] in out.evidence[0]
    elif evidence:
        assert any(evidence in e for e in out.evidence), out.evidence


@pytest.mark.parametrize("name,judged,stack,at_symptom,state,evidence", JUDGEMENTS.values(), ids=list(JUDGEMENTS))
def test_scenario_judgement_on_the_stack_that_failure_leaves(name, judged, stack, at_symptom, state, evidence):
    predicate = getattr(get(name, upgrade_to=UPGRADE_TO), judged)
    assert_judged(predicate.evaluate(stack(), memory(at_symptom=at_symptom() if at_symptom else None)), state,
                  evidence)


# (symptom, converged) on a healthy stack with no break behind it, where not (pending, ok): the judgements
#  that need the break's own traces
ON_A_HEALTHY_STACK = {
    "secrets-after-pods": ("pending", "failed"),  # no pod waited at the symptom: entry 1 was not reproduced
    "userjob-broken-connection": ("failed", "ok"),  # the user Job Complete: a broken connection would be hidden
    "waves-without-parent": ("pending", "pending"),  # the Applications were not re-created
    "chart-upgrade": ("pending", "pending"),  # not at the new chart
}


@pytest.mark.parametrize("name", list(REGISTRY))
def test_each_judgement_on_a_healthy_stack(name):
    symptom, converged = ON_A_HEALTHY_STACK.get(name, ("pending", "ok"))
    assert REGISTRY[name].symptom.evaluate(healthy(), memory()).state == symptom
    assert REGISTRY[name].converged.evaluate(healthy(), memory()).state == converged


@pytest.mark.parametrize("name", list(REGISTRY))
def test_no_scenario_converges_while_an_airflow_pod_cannot_pull_its_image(name):
    pulled = image_error("ErrImagePull", "rpc error: code = NotFound")
    assert not REGISTRY[name].converged.evaluate(pulled, memory(at_symptom=entry1_at_symptom())).ok
