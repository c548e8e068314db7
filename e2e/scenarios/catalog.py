"""The scenarios: one per reported failure (FAILURES.md), built for a repository layout.

Why a function of the layout: the same scenario runs against the reference repository and a team's own;
only the paths differ. Scenario-specific predicates are module-level functions so unit tests call them
directly on realistic objects.
"""

from __future__ import annotations

from e2e import versions
from e2e.scenarios import convergence as conv
from e2e.scenarios import invariants as inv
from e2e.scenarios import messages as msg
from e2e.scenarios import symptoms as sym
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import AllOf, AnyOf, Check, Memory, Scenario
from e2e.scenarios.observed import Observed, name_of, pod_finished, pod_ready
from e2e.scenarios.outcome import Outcome, failed, ok, pending, seen
from e2e.scenarios.steps import (
    AIRFLOW_COMPONENTS,
    ConfigMapKeyFromRepo,
    DeleteApplication,
    DeleteJob,
    DeleteSecrets,
    ForceSync,
    GitCommit,
    Note,
    RefreshApplication,
    ReseedVault,
    ResetMetadataDatabase,
    RestartAirflowPods,
    RestartVault,
    RestoreFiles,
    RestorePayload,
    RunAirflowCli,
    ScaleEso,
    SyncApplication,
    TerminateSyncOperation,
    VaultPayload,
    VaultPolicyFromRepo,
    WaitForSecretData,
)
from e2e.scenarios.transforms import DELETE, EditObject, PayloadEdit, ReplaceText, SetChartVersion, SetValue
from e2e.scenarios.transforms import with_url_password as _with_password

AIRFLOW_SECRETS = ("airflow-fernet-key", "airflow-api-secret-key", "airflow-jwt-secret", "airflow-metadata",
                   "airflow-broker-url", "airflow-redis-password", "airflow-webserver-secret-key",
                   "airflow-default-user", "airflow-ssh-secret")
GIT_SYNC_INIT, GIT_SYNC = "git-sync-init", "git-sync"
WAIT_FOR_MIGRATIONS = "wait-for-airflow-migrations"
CREATE_USER_JOB, MIGRATE_JOB = "airflow-create-user", "airflow-run-airflow-migrations"
CREATE_USER_COMPONENT = "create-user-job"
DAG_COMPONENTS = ("scheduler", "dag-processor", "worker", "triggerer")  # the pods that run git-sync
PLACEHOLDER_KNOWN_HOSTS = "git.example.com ssh-ed25519 <verified-public-host-key>\n"
WRONG_DB_PASSWORD = "not-the-db-password"
WRONG_REDIS_PASSWORD = "not-the-redis-password"
BAD_FERNET_KEY = "deadbeef"
FERNET_PROBE = ("variables", "set", "airflow_e2e_fernet_probe", "encrypted-with-the-current-key")

# Rule ids of the preflight tier (e2e/preflight/) and check names of the component tier (e2e/components/)
# that catch the same break without a cluster.
PF_SECRET_NAMES = "preflight:secret-name-unset"
PF_KV2_POLICY = "preflight:vault-kv2-policy-without-data"
PF_TEMPLATE_KEY = "preflight:template-path-missing-in-example"
PF_TEMPLATE_KEY_PAYLOAD = "preflight:template-path-missing-in-payload"
PF_KNOWN_HOSTS = "preflight:gitsync-known-hosts-placeholder"
PF_SSH_KEY = "preflight:payload-ssh-key-invalid"
PF_BROKER_PASSWORD = "preflight:payload-broker-password-mismatch"
PF_FERNET_FORMAT = "preflight:payload-fernet-key-invalid"
PF_WAVES_WITHOUT_PARENT = "preflight:waves-without-parent"
PF_WAVES_ORDER = "preflight:waves-wrong-order"
PF_HEALTH_CHECK = "preflight:app-health-check-missing"
PF_HELM_HOOKS = "preflight:job-helm-hooks-enabled"
PF_DIRECTORY_SOURCE = "preflight:directory-source-non-kubernetes-file"
PF_ESO_DEFAULTS = "preflight:eso-defaulted-fields-missing"
HEALTH_KEY = "resource.customizations.health.argoproj.io_Application"
ESO_DEFAULTED = ("conversionStrategy", "decodingStrategy", "metadataPolicy")
CP_GITSYNC_PLACEHOLDER = "components:git-sync.refuses-placeholder-known-hosts"
CP_GITSYNC_CLONE = "components:git-sync.clone-with-known-hosts"  # clones with the payload's own key
CP_USER_JOB = "components:user-job.broken-connection-fails-visibly"
CP_BROKER_AUTH = "components:broker.url-authenticates"
CP_MIGRATIONS = "components:migration.check-fails-before-migrate"
OFFLINE_VALUES_MIGRATION = "offline:values_migration_findings"


# --- predicates particular to one scenario -------------------------------------------------------------------


def pods_missing_secrets(obs: Observed, _m: Memory) -> Outcome:
    """Entry 1: containers wait on a Secret that is not there yet, or its volume cannot mount."""
    found = sym.pods_waiting(obs, "CreateContainerConfigError", msg.SECRET_NOT_FOUND)
    found += sym.events(obs, "FailedMount", msg.SECRET_NOT_FOUND, type_="Warning", involved_kind="Pod")
    return seen(found, 'no pod waiting on `secret "..." not found` yet')


def recovered_by_themselves(obs: Observed, memory: Memory) -> Outcome:
    """Entry 1: the very pods that waited at the symptom (same uid) are Ready now: nobody deleted them."""
    at = memory.at_symptom or Observed()
    stuck = {(p.get("metadata") or {}).get("uid"): name_of(p) for p in at.pods
             if ((p.get("metadata") or {}).get("labels") or {}).get("component") in AIRFLOW_COMPONENTS
             and not (p.get("metadata") or {}).get("deletionTimestamp") and not pod_ready(p)
             and (p.get("status") or {}).get("phase") != "Succeeded"}
    if not stuck:
        return failed("no Airflow pod was waiting at the symptom: the scenario did not reproduce entry 1")
    now = {(p.get("metadata") or {}).get("uid"): p for p in obs.pods}
    replaced = [name for uid, name in stuck.items() if uid not in now]
    if replaced:
        return failed(*[f"pod {n} was replaced, not recovered in place" for n in sorted(replaced)])
    waiting = [name for uid, name in stuck.items() if not pod_ready(now[uid])]
    if waiting:
        return pending(f"still waiting: {', '.join(sorted(waiting))}")
    return ok(*[f"pod {n} started by itself once its Secrets existed" for n in sorted(stuck.values())])


def chart_made_secrets(obs: Observed, _m: Memory) -> Outcome:
    """Entry 2: a Secret with the chart's labels (heritage/chart) where ESO's was, or the app never settles."""
    found = [f"Secret {s.name} made by the chart (labels {s.labels.get('chart', '')} {s.labels.get('heritage', '')})"
             for s in obs.secrets.values() if "heritage" in s.labels or "chart" in s.labels]
    sync, _health = sym.application_status(obs, "airflow")
    if sync == "OutOfSync":
        found.append("Application airflow OutOfSync (random keys differ on every render)")
    return seen(found, "no chart-made Secret and the app is in sync")


def fernet_key_replaced(obs: Observed, memory: Memory) -> Outcome:
    was = memory.before.secrets.get(inv.FERNET_SECRET)
    now = obs.secrets.get(inv.FERNET_SECRET)
    if was and now and now.digests.get(inv.FERNET_KEY) != was.digests.get(inv.FERNET_KEY):
        return ok(f"{inv.FERNET_SECRET} re-created with another key: data encrypted before is unreadable")
    return pending("fernet key unchanged so far")


def secrets_hold_their_data_again(obs: Observed, memory: Memory) -> Outcome:
    """Every Secret holds what it held before the break (ESO wrote Vault's data back over the chart's)."""
    held = inv.secret_data_unchanged_now(obs, memory, None)
    return pending(*held.evidence) if held.failed else held


def every_external_secret_denied(obs: Observed, _m: Memory) -> Outcome:
    """Entry 3: EVERY ExternalSecret Ready=False/SecretSyncedError (one synced one means the policy still reads)."""
    errors = sym.external_secrets_condition(obs, "False", "SecretSyncedError")
    if not obs.external_secrets or len(errors) < len(obs.external_secrets):
        return pending(f"{len(errors)} of {len(obs.external_secrets)} ExternalSecrets in SecretSyncedError")
    return ok(*errors)


def denied_by_vault(obs: Observed, _m: Memory) -> Outcome:
    found = [e for e in sym.events(obs, "UpdateFailed", msg.PERMISSION_DENIED, type_="Warning",
                                   involved_kind="ExternalSecret") if "403" in e]
    return seen(found, "no UpdateFailed event with `Code: 403 ... permission denied` yet")


def store_still_valid(obs: Observed, _m: Memory) -> Outcome:
    """Entry 3: the store validates (login works); only reads are denied."""
    return seen(sym.store_condition(obs, "True"), "ClusterSecretStore not Ready=True")


def template_key_missing(obs: Observed, _m: Memory) -> Outcome:
    errors = sym.external_secrets_condition(obs, "False", "SecretSyncedError", names=("airflow-fernet-key",))
    detail = sym.message_anywhere(obs, msg.MAP_NO_ENTRY)
    if errors and detail:
        return ok(*errors, *detail)
    return pending("airflow-fernet-key not in SecretSyncedError with `map has no entry for key` yet")


def git_sync_cannot_clone(patterns: tuple[str, ...]):
    def predicate(obs: Observed, _m: Memory) -> Outcome:
        failing = sym.init_containers_failing(obs, (GIT_SYNC_INIT,)) + sym.containers_restarting(obs, (GIT_SYNC,))
        lines = [line for p in patterns for line in sym.log_lines(obs, p)]
        if failing and lines:
            return ok(*failing, *lines)
        return pending(f"git-sync failing: {len(failing)} container(s); matching log lines: {len(lines)}")

    return predicate


def user_job_fails_visibly(obs: Observed, _m: Memory) -> Outcome:
    """Entry 6: the create-user Job reports the database error and is NOT Complete (`|| true` hides nothing)."""
    job = obs.job(CREATE_USER_JOB)
    if job is not None and sym.job_state(job) == "Complete":
        lines = sym.log_lines(obs, msg.PG_AUTH_FAILED)
        return failed(f"Job {CREATE_USER_JOB} Complete with a broken connection: the failure was hidden", *lines)
    lines = sym.log_lines(obs, msg.PG_AUTH_FAILED) + sym.log_lines(obs, msg.UNAPPLIED_MIGRATIONS)
    lines += sym.jobs_failed(obs, CREATE_USER_JOB) + sym.jobs_failed(obs, MIGRATE_JOB)
    return seen(lines, f"Job {CREATE_USER_JOB} has not reported the database error yet")


def _started(app: dict | None) -> str | None:
    return (((app or {}).get("status") or {}).get("operationState") or {}).get("startedAt")


def _finished(app: dict | None) -> str | None:
    return (((app or {}).get("status") or {}).get("operationState") or {}).get("finishedAt")


def _recreated(obs: Observed, memory: Memory, name: str) -> dict | None:
    app, was = obs.application(name), memory.before.application(name)
    uid = ((app or {}).get("metadata") or {}).get("uid")
    return app if app is not None and uid != ((was or {}).get("metadata") or {}).get("uid") else None


def chart_synced_before_secrets(obs: Observed, memory: Memory) -> Outcome:
    """Entry 7: the re-created airflow Application started syncing before airflow-secrets finished syncing."""
    chart, secrets = _recreated(obs, memory, "airflow"), _recreated(obs, memory, "airflow-secrets")
    started, done = _started(chart), _finished(secrets)
    if not started or not done:
        return pending("both Applications re-created and synced at least once: not yet")
    if started < done:  # RFC 3339 UTC timestamps compare as text
        return ok(f"airflow sync started {started}, before airflow-secrets finished {done} (no wave ordering)")
    return failed(f"airflow started {started} after airflow-secrets finished {done}: the waves were honoured")


def chart_synced_after_secrets(obs: Observed, memory: Memory) -> Outcome:
    chart, secrets = _recreated(obs, memory, "airflow"), _recreated(obs, memory, "airflow-secrets")
    started, done = _started(chart), _finished(secrets)
    if not started or not done:
        return pending("both Applications re-created and synced at least once: not yet")
    if started >= done:
        return ok(f"airflow sync started {started}, after airflow-secrets finished {done}")
    return failed(f"airflow started {started} before airflow-secrets finished {done}: waves still ignored")


def argo_shows_no_error(obs: Observed, _m: Memory) -> Outcome:
    errors = [line for app in ("airflow", "airflow-secrets") for line in sym.application_condition(obs, app, "Error")]
    return failed(*errors) if errors else ok("Argo CD shows no error condition")


def secrets_unreadable(obs: Observed, _m: Memory) -> Outcome:
    """Entry 8: ESO cannot read (403, sealed, new CA): ExternalSecrets or the store report it."""
    found = sym.external_secrets_condition(obs, "False", "SecretSyncedError") + sym.store_condition(obs, "False")
    return seen(found, "ESO still reads Vault")


def secrets_vanished(obs: Observed, memory: Memory) -> Outcome:
    """Entry 15: Secrets gone with their owner, or already back with a new uid (they vanished in between)."""
    before = memory.before.secrets
    gone = [f"Secret {n} absent" for n in before if n not in obs.secrets]
    again = [f"Secret {n} re-created (uid changed)" for n in before if n in obs.secrets
             and obs.secrets[n].uid != before[n].uid]
    return seen(gone + again, "every Secret still the one from before the break")


def chart_revision_is(version: str):
    def predicate(obs: Observed, _m: Memory) -> Outcome:
        app = obs.application("airflow") or {}
        sync = (app.get("status") or {}).get("sync") or {}
        revisions = list(sync.get("revisions") or []) + ([sync["revision"]] if sync.get("revision") else [])
        if version in revisions:
            return ok(f"Application airflow at chart {version}")
        return pending(f"Application airflow at {', '.join(revisions) or 'no revision'}, not {version} yet")

    return predicate


def migration_job_ran_again(obs: Observed, memory: Memory) -> Outcome:
    job, was = obs.job(MIGRATE_JOB), memory.before.job(MIGRATE_JOB)
    if job is None:
        return pending(f"Job {MIGRATE_JOB} absent")
    if was is not None and (job.get("metadata") or {}).get("uid") == (was.get("metadata") or {}).get("uid"):
        return pending(f"Job {MIGRATE_JOB} is still the one from before the upgrade")
    return ok(f"Job {MIGRATE_JOB} re-created for the new chart ({sym.job_state(job)})")


def images_at(airflow_version: str):
    def predicate(obs: Observed, _m: Memory) -> Outcome:
        stale = sorted({f"{name_of(p)}: {c.get('image')}" for p in obs.pods if not pod_finished(p)
                        for c in (p.get("spec") or {}).get("containers") or []
                        if "apache/airflow:" in str(c.get("image"))
                        and f":{airflow_version}" not in str(c.get("image"))})
        if stale:
            return pending("old Airflow images: " + "; ".join(stale))
        return ok(f"Airflow images at {airflow_version}")

    return predicate


def waiting_for_migrations(obs: Observed, _m: Memory) -> Outcome:
    found = sym.log_lines(obs, msg.UNAPPLIED_MIGRATIONS) + sym.log_lines(obs, msg.WAITING_FOR_MIGRATIONS)
    held = sym.pods_in_init(obs, (WAIT_FOR_MIGRATIONS,)) + sym.init_containers_failing(obs, (WAIT_FOR_MIGRATIONS,))
    if held and found:
        return ok(*held, *found)
    return pending(f"pods held by {WAIT_FOR_MIGRATIONS}: {len(held)}; migration log lines: {len(found)}")


def kind_missing(obs: Observed, _m: Memory) -> Outcome:
    return seen(sym.application_condition(obs, "airflow-secrets", "ComparisonError", msg.KIND_MISSING),
                "airflow-secrets has no ComparisonError `Object 'Kind' is missing in` yet")


def no_comparison_error(obs: Observed, _m: Memory) -> Outcome:
    found = sym.application_condition(obs, "airflow-secrets", "ComparisonError")
    return pending(*found) if found else ok("airflow-secrets has no ComparisonError")


def synced_yet_out_of_sync(app_name: str):
    """Entry 13: the last sync of the CURRENT revision succeeded, and the app is still OutOfSync (and Healthy):
    a permanent diff, not the moment between a commit and its sync."""
    def predicate(obs: Observed, _m: Memory) -> Outcome:
        app = obs.application(app_name) or {}
        status = app.get("status") or {}
        sync, health = sym.application_status(obs, app_name)
        op = status.get("operationState") or {}
        synced_rev = (op.get("syncResult") or {}).get("revision")
        current = (status.get("sync") or {}).get("revision")
        if (sync, health) == ("OutOfSync", "Healthy") and op.get("phase") == "Succeeded" and synced_rev == current:
            return ok(f"Application {app_name} synced revision {str(current)[:12]} and is still OutOfSync/Healthy")
        return pending(f"Application {app_name} {sync}/{health}, last sync {op.get('phase', 'none')} of "
                       f"{str(synced_rev)[:12]} (current {str(current)[:12]})")

    return predicate


def log_says(pattern: str, source: str | None = None):
    def predicate(obs: Observed, _m: Memory) -> Outcome:
        return seen(sym.log_lines(obs, pattern, source), f"no log line matching {pattern!r} yet")

    return predicate


# --- the scenarios -------------------------------------------------------------------------------------------


def build(layout: Layout | None = None, *, upgrade_to: str = versions.LATEST_CHART) -> dict[str, Scenario]:
    lay = layout or Layout()
    pods_ready = conv.pods_ready(AIRFLOW_COMPONENTS)
    keep_key, keep_admin = inv.fernet_key_unchanged(), inv.admin_user_kept()
    dag_logs = tuple((c, GIT_SYNC_INIT) for c in DAG_COMPONENTS) + tuple((c, GIT_SYNC) for c in DAG_COMPONENTS)

    scenarios = [
        Scenario(
            name="secrets-after-pods", entry=1, title="Secrets land after the pods",
            reproduces="Hold ESO, remove the Airflow Secrets and start the pods: the chart is synced while the "
                       "secrets Application is held; then release ESO and let the pods recover by themselves.",
            break_=(ScaleEso(0), DeleteSecrets(), RestartAirflowPods()),
            symptom=Check('pods CreateContainerConfigError `secret "..." not found` or FailedMount events',
                          pods_missing_secrets),
            symptom_within=180,
            recovery=(ScaleEso(1), Note("nothing else by hand: no pod deleted, no force-sync; the kubelet retries")),
            converged=AllOf((conv.es_synced(), conv.secrets_exist(AIRFLOW_SECRETS),
                             Check("the pods that waited are Ready, same pods (recovered by themselves)",
                                   recovered_by_themselves), pods_ready)),
            converge_within=600,
            invariants=(inv.fernet_key_unchanged("end"), keep_admin),
            counterparts=(PF_WAVES_WITHOUT_PARENT, PF_WAVES_ORDER),
            sources=("kubernetes#80466", "external-secrets#2088", "external-secrets#4180"),
            notes="A Job pod may stay stuck and need deleting (FAILURES.md 1); the Deployment and StatefulSet "
                  "pods must not.",
        ),
        Scenario(
            name="chart-generated-keys", entry=2, title="Chart makes its own keys",
            reproduces="Leave fernetKeySecretName, apiSecretKeySecretName and jwtSecretName unset and sync twice.",
            break_=(GitCommit("values: let the chart make its own keys", (
                SetValue(lay.values, "fernetKeySecretName", DELETE),
                SetValue(lay.values, "apiSecretKeySecretName", DELETE),
                SetValue(lay.values, "jwtSecretName", DELETE)), refresh=(lay.chart_app,)),
                    RefreshApplication(lay.chart_app, hard=True)),
            symptom=AnyOf((Check("Secrets with the chart's labels, or airflow OutOfSync", chart_made_secrets),
                           Check("airflow-fernet-key re-created with another key", fernet_key_replaced))),
            symptom_within=300,
            recovery=(RestoreFiles("values: point every name at the ESO-managed Secrets", refresh=(lay.chart_app,)),
                      ForceSync()),
            converged=AllOf((conv.apps_synced(lay.chart_app), conv.es_synced(),
                             Check("every Secret holds its data from before the break (Vault's, via ESO)",
                                   secrets_hold_their_data_again), pods_ready)),
            converge_within=600,
            invariants=(inv.fernet_key_unchanged("end"), keep_admin),
            counterparts=(PF_SECRET_NAMES,),
            sources=("argo-cd docs helm.md", "apache/airflow#47963"),
        ),
        Scenario(
            name="kv2-policy-without-data", entry=3, title="KV v2 policy without data/",
            reproduces='Write the read policy as path "secret/airflow/*" (without data/) and retry every '
                       "ExternalSecret.",
            break_=(GitCommit("vault: read policy without data/", (
                ReplaceText(lay.policy_file, 'path "secret/data/airflow/*"', 'path "secret/airflow/*"'),)),
                    VaultPolicyFromRepo(lay.read_policy), ForceSync()),
            symptom=AllOf((Check("every ExternalSecret Ready=False SecretSyncedError", every_external_secret_denied),
                           Check("Warning UpdateFailed `Code: 403 ... permission denied`", denied_by_vault),
                           Check("ClusterSecretStore still Ready=True (login works)", store_still_valid))),
            symptom_within=180,
            recovery=(RestoreFiles("vault: KV v2 reads are at secret/data/airflow/*"),
                      VaultPolicyFromRepo(lay.read_policy), ForceSync()),
            converged=AllOf((conv.es_synced(), conv.store_ready(), pods_ready)),
            converge_within=300,
            invariants=(inv.secrets_retained(), inv.secret_data_unchanged(), keep_key,
                        inv.airflow_keeps_running(AIRFLOW_COMPONENTS), keep_admin),
            counterparts=(PF_KV2_POLICY,),
            sources=("vault-plugin-auth-kubernetes#92", "external-secrets#1333"),
        ),
        Scenario(
            name="template-key-missing", entry=4, title="Template key not in the payload",
            reproduces="Template airflow-fernet-key from (fromYaml .config).fernetKeyy, a key the payload lacks.",
            break_=(GitCommit("external-secrets: misspell the fernet key field", (
                EditObject(lay.external_secrets, "ExternalSecret", "airflow-fernet-key",
                           ("spec", "target", "template", "data", "fernet-key"),
                           "{{ (fromYaml .config).fernetKeyy }}"),), refresh=(lay.secrets_app_name,)),),
            symptom=Check("airflow-fernet-key SecretSyncedError, `map has no entry for key`", template_key_missing),
            symptom_within=180,
            recovery=(RestoreFiles("external-secrets: fernetKey", refresh=(lay.secrets_app_name,)),
                      ForceSync(("airflow-fernet-key",))),
            converged=AllOf((conv.es_synced(), pods_ready)),
            converge_within=300,
            invariants=(inv.secrets_retained(), inv.secret_data_unchanged(), keep_key,
                        inv.airflow_keeps_running(AIRFLOW_COMPONENTS), keep_admin),
            counterparts=(PF_TEMPLATE_KEY, PF_TEMPLATE_KEY_PAYLOAD),
            sources=("external-secrets#3843", "external-secrets#2497"),
            notes="FAILURES.md marks the fromYaml case UNCONFIRMED: a run that shows another message is a finding.",
        ),
        Scenario(
            name="gitsync-wrong-host-key", entry=5, title="git-sync cannot clone (host key)",
            reproduces="Commit the seed's placeholder knownHosts line, which OpenSSH skips silently.",
            break_=(GitCommit("values: placeholder knownHosts", (
                SetValue(lay.values, "dags.gitSync.knownHosts", PLACEHOLDER_KNOWN_HOSTS),), refresh=(lay.chart_app,)),
                    RestartAirflowPods(DAG_COMPONENTS)),
            symptom=Check("git-sync Init:Error/CrashLoopBackOff with `Host key verification failed.` or "
                          "`too many failures, aborting`",
                          git_sync_cannot_clone((msg.HOST_KEY_FAILED, msg.TOO_MANY_FAILURES))),
            symptom_within=300,
            recovery=(RestoreFiles("values: the verified host key", refresh=(lay.chart_app,)),
                      RestartAirflowPods(DAG_COMPONENTS)),
            converged=AllOf((conv.apps_synced(lay.chart_app), pods_ready)),
            converge_within=600,
            invariants=(keep_key, inv.secrets_retained(), keep_admin),
            counterparts=(PF_KNOWN_HOSTS, CP_GITSYNC_PLACEHOLDER),
            log_sources=dag_logs,
            sources=("airflow-helm/charts#229", "kubernetes/git-sync#824", "apache/airflow#43458"),
            notes="Never recovered by turning host key checking off.",
        ),
        Scenario(
            name="gitsync-key-no-newline", entry=5, title="git-sync cannot clone (private key format)",
            reproduces="Write the SSH private key to Vault without its trailing newline; restart the DAG pods.",
            break_=(VaultPayload((PayloadEdit("extraSecrets.airflow-ssh-secret.data.gitSshKey",
                                              "the private key without its trailing newline",
                                              lambda key: str(key).rstrip("\n")),)),
                    ForceSync(("airflow-ssh-secret",)), WaitForSecretData("airflow-ssh-secret", changed=True),
                    RestartAirflowPods(DAG_COMPONENTS)),
            symptom=Check("git-sync fails with `Load key ...: invalid format` or `error in libcrypto`",
                          git_sync_cannot_clone((msg.LOAD_KEY_INVALID, msg.LIBCRYPTO))),
            symptom_within=300,
            recovery=(RestorePayload(), ForceSync(("airflow-ssh-secret",)),
                      WaitForSecretData("airflow-ssh-secret", changed=False), RestartAirflowPods(DAG_COMPONENTS)),
            converged=pods_ready,
            converge_within=600,
            invariants=(keep_key, keep_admin),
            counterparts=(PF_SSH_KEY, CP_GITSYNC_CLONE),
            log_sources=dag_logs,
            sources=("kubernetes/git-sync#824",),
        ),
        Scenario(
            name="userjob-broken-connection", entry=6, title="User job with a broken connection string",
            reproduces="Point the metadata connection at a wrong password and let Argo CD re-create the user Job.",
            break_=(VaultPayload((PayloadEdit("metadataConnection", "the same URL with a wrong password",
                                              lambda url: _with_password(str(url), WRONG_DB_PASSWORD)),)),
                    ForceSync(("airflow-metadata",)), WaitForSecretData("airflow-metadata", changed=True),
                    DeleteJob(CREATE_USER_JOB), RefreshApplication(lay.chart_app)),
            symptom=Check(f'{CREATE_USER_JOB} fails visibly: `password authentication failed for user "airflow"`',
                          user_job_fails_visibly),
            symptom_within=300,
            recovery=(RestorePayload(), ForceSync(("airflow-metadata",)),
                      WaitForSecretData("airflow-metadata", changed=False), DeleteJob(CREATE_USER_JOB),
                      TerminateSyncOperation(lay.chart_app), SyncApplication(lay.chart_app)),
            converged=AllOf((conv.job_complete(CREATE_USER_JOB), pods_ready)),
            converge_within=600,
            invariants=(keep_key, inv.airflow_keeps_running(AIRFLOW_COMPONENTS), keep_admin),
            counterparts=(CP_USER_JOB,),
            log_sources=((CREATE_USER_COMPONENT, "create-user"), ("run-airflow-migrations", "run-airflow-migrations")),
            sources=("apache/airflow#21615", "apache/airflow#27561", "argo-cd#8586"),
        ),
        Scenario(
            name="waves-without-parent", entry=7, title="Waves across two Applications ignored",
            reproduces="Remove the Application health check from argocd-cm and let the parent re-create both "
                       "Applications.",
            break_=(GitCommit("argocd-cm: drop the Application health customization", (
                EditObject(lay.argocd_cm, "ConfigMap", "argocd-cm", ("data", HEALTH_KEY), DELETE),)),
                    ConfigMapKeyFromRepo(lay.argocd_cm, "argocd-cm", HEALTH_KEY), DeleteApplication(lay.chart_app),
                    DeleteApplication(lay.secrets_app_name)),
            symptom=AllOf((Check("airflow starts syncing before airflow-secrets finished", chart_synced_before_secrets),
                           Check("Argo CD shows no error", argo_shows_no_error))),
            symptom_within=600,
            recovery=(RestoreFiles("argocd-cm: the Application health customization"),
                      ConfigMapKeyFromRepo(lay.argocd_cm, "argocd-cm", HEALTH_KEY),
                      DeleteApplication(lay.chart_app), DeleteApplication(lay.secrets_app_name)),
            converged=AllOf((Check("airflow starts syncing after airflow-secrets finished", chart_synced_after_secrets),
                             conv.apps_synced(lay.secrets_app_name, lay.chart_app), conv.es_synced(), pods_ready)),
            converge_within=900,
            invariants=(inv.fernet_key_unchanged("end"), keep_admin),
            counterparts=(PF_HEALTH_CHECK,),
            sources=("argo-cd#8358", "argo-cd#16870", "argo-cd#6411"),
        ),
        Scenario(
            name="vault-restarted", entry=8, title="Vault restarted (dev mode) or sealed",
            reproduces="Delete the Vault pod: dev mode comes back empty, with a new CA.",
            break_=(RestartVault(), ForceSync()),
            symptom=Check("ExternalSecrets SecretSyncedError or the store not Ready", secrets_unreadable),
            symptom_within=180,
            recovery=(ReseedVault(), ForceSync()),
            converged=AllOf((conv.store_ready(), conv.es_synced(), pods_ready)),
            converge_within=300,
            invariants=(inv.secrets_retained(), inv.secret_data_unchanged(), keep_key,
                        inv.airflow_keeps_running(AIRFLOW_COMPONENTS), keep_admin),
            sources=("hashicorp/vault#12004", "external-secrets#2691", "external-secrets#5259"),
            notes="Runtime only: no file shows it, so no preflight counterpart.",
        ),
        Scenario(
            name="broker-password-mismatch", entry=9, title="Broker URL and Redis password disagree",
            reproduces="Write a broker URL whose password differs from redisPassword; restart the workers.",
            break_=(VaultPayload((PayloadEdit("brokerUrl", "the same URL with another password",
                                              lambda url: _with_password(str(url), WRONG_REDIS_PASSWORD)),)),
                    ForceSync(("airflow-broker-url",)), WaitForSecretData("airflow-broker-url", changed=True),
                    RestartAirflowPods(("worker",))),
            symptom=Check("worker log `invalid username-password pair or user is disabled`",
                          log_says(msg.REDIS_WRONGPASS, "worker")),
            symptom_within=300,
            recovery=(RestorePayload(), ForceSync(("airflow-broker-url",)),
                      WaitForSecretData("airflow-broker-url", changed=False), RestartAirflowPods(("worker",))),
            converged=conv.pods_ready(("worker",)),
            converge_within=600,
            invariants=(keep_key, keep_admin),
            counterparts=(PF_BROKER_PASSWORD, CP_BROKER_AUTH),
            log_sources=(("worker", "worker"),),
            sources=("apache/airflow#34561", "apache/airflow#20999"),
        ),
        Scenario(
            name="bad-fernet-key", entry=10, title="Bad key format",
            reproduces="Write fernetKey `deadbeef` to Vault; restart the scheduler and let it encrypt a value.",
            break_=(VaultPayload((PayloadEdit("fernetKey", "8 hex characters, not a Fernet key",
                                              lambda _old: BAD_FERNET_KEY),)),
                    ForceSync(("airflow-fernet-key",)), WaitForSecretData("airflow-fernet-key", changed=True),
                    RestartAirflowPods(("scheduler",))),
            symptom=Check("`Fernet key must be 32 url-safe base64-encoded bytes.` (probe or scheduler log)",
                          log_says(msg.FERNET_FORMAT)),
            probes=(RunAirflowCli("fernet", FERNET_PROBE),),
            symptom_within=300,
            recovery=(RestorePayload(), ForceSync(("airflow-fernet-key",)),
                      WaitForSecretData("airflow-fernet-key", changed=False), RestartAirflowPods(("scheduler",))),
            converged=pods_ready,
            converge_within=600,
            invariants=(inv.fernet_key_unchanged("end"), keep_admin),
            counterparts=(PF_FERNET_FORMAT,),
            log_sources=(("scheduler", "scheduler"),),
            sources=("apache/airflow#16000", "apache/airflow#43150"),
        ),
        Scenario(
            name="chart-upgrade", entry=11, title="Chart upgrade changes values",
            reproduces=f"Commit the chart's targetRevision {upgrade_to}, as the upgrade pull request would.",
            break_=(GitCommit(f"airflow: chart {upgrade_to}", (
                SetChartVersion(lay.airflow_app, lay.chart_app, upgrade_to),), refresh=(lay.chart_app,)),),
            symptom=AllOf((Check(f"Application airflow at chart {upgrade_to}", chart_revision_is(upgrade_to)),
                           Check(f"Job {MIGRATE_JOB} re-created", migration_job_ran_again))),
            symptom_within=600,
            recovery=(Note("nothing to undo: the upgrade is the change under test (values migrated beforehand, "
                           "see values_migration_findings)"),),
            converged=AllOf((conv.apps_synced(lay.chart_app), conv.job_complete(MIGRATE_JOB),
                             Check("Airflow images at the new version",
                                   images_at(versions.CHART_AIRFLOW.get(upgrade_to, upgrade_to))), pods_ready)),
            converge_within=900,
            invariants=(keep_key, inv.secrets_retained(), keep_admin),
            counterparts=(OFFLINE_VALUES_MIGRATION,),
            sources=("apache/airflow#52267", "apache/airflow#53198", "apache/airflow#51304"),
        ),
        Scenario(
            name="externalsecret-defaults-outofsync", entry=13, title="ExternalSecret forever OutOfSync",
            reproduces="Leave conversionStrategy, decodingStrategy and metadataPolicy unwritten in one "
                       "ExternalSecret: ESO defaults them, Argo CD sees a diff it can never sync away.",
            break_=(GitCommit("external-secrets: leave ESO's defaults unwritten", tuple(
                EditObject(lay.external_secrets, "ExternalSecret", "airflow-fernet-key",
                           ("spec", "data", "0", "remoteRef", field), DELETE) for field in ESO_DEFAULTED),
                refresh=(lay.secrets_app_name,)),),
            symptom=Check(f"{lay.secrets_app_name} synced to the current revision and still OutOfSync/Healthy",
                          synced_yet_out_of_sync(lay.secrets_app_name)),
            symptom_within=300,
            recovery=(RestoreFiles("external-secrets: write ESO's defaults", refresh=(lay.secrets_app_name,)),),
            converged=AllOf((conv.apps_synced(lay.secrets_app_name), pods_ready)),
            converge_within=300,
            invariants=(inv.secrets_retained(), inv.secret_data_unchanged(), keep_key,
                        inv.airflow_keeps_running(AIRFLOW_COMPONENTS), keep_admin),
            counterparts=(PF_ESO_DEFAULTS,),
            sources=("external-secrets#6398", "argo-cd#13004"),
            notes="Whether the diff shows depends on Argo CD's diff mode (server-side diff hides defaulted "
                  "fields): a run that never goes OutOfSync is itself a finding about that install.",
        ),
        Scenario(
            name="migrations-never-run", entry=14, title="Migrations never run",
            reproduces="Empty the metadata database, switch both Jobs to Helm hooks (useHelmHooks: true) and "
                       "restart the pods: the PostSync hook waits for pods that wait for migrations.",
            break_=(ResetMetadataDatabase(), GitCommit("values: Jobs as Helm hooks", (
                SetValue(lay.values, "migrateDatabaseJob.useHelmHooks", True),
                SetValue(lay.values, "createUserJob.useHelmHooks", True),
                SetValue(lay.values, "migrateDatabaseJob.jobAnnotations", DELETE)), refresh=(lay.chart_app,)),
                    RestartAirflowPods()),
            symptom=Check("pods held by wait-for-airflow-migrations, `There are still unapplied migrations`",
                          waiting_for_migrations),
            symptom_within=600,
            recovery=(TerminateSyncOperation(lay.chart_app),
                      RestoreFiles("values: useHelmHooks false on both Jobs", refresh=(lay.chart_app,)),
                      DeleteJob(CREATE_USER_JOB), SyncApplication(lay.chart_app)),
            converged=AllOf((conv.job_complete(MIGRATE_JOB), conv.job_complete(CREATE_USER_JOB), pods_ready)),
            converge_within=900,
            invariants=(keep_key, keep_admin),
            counterparts=(PF_HELM_HOOKS, CP_MIGRATIONS),
            log_sources=tuple((c, WAIT_FOR_MIGRATIONS) for c in AIRFLOW_COMPONENTS),
            sources=("apache/airflow#32003", "apache/airflow#35159"),
            notes="The metadata database is emptied on purpose; the admin user must be back at the end.",
        ),
        Scenario(
            name="secret-pruned-with-owner", entry=15, title="Secret pruned with its owner",
            reproduces="Delete the secrets Application with its resources; the parent re-creates it.",
            break_=(DeleteApplication(lay.secrets_app_name),),
            symptom=Check("the Secrets vanish with their ExternalSecrets (creationPolicy: Owner)", secrets_vanished),
            symptom_within=300,
            recovery=(Note("nothing by hand: the parent re-creates airflow-secrets and ESO the Secrets"),),
            converged=AllOf((conv.apps_synced(lay.secrets_app_name, lay.chart_app), conv.es_synced(),
                             conv.secrets_exist(AIRFLOW_SECRETS), pods_ready)),
            converge_within=600,
            invariants=(inv.fernet_key_unchanged("end"), inv.airflow_keeps_running(AIRFLOW_COMPONENTS), keep_admin),
            sources=("FAILURES.md 15",),
        ),
        Scenario(
            name="values-in-directory-source", entry=16, title="Values file inside a directory source",
            reproduces="Drop directory.exclude from airflow-secrets, so its directory source reads the values file.",
            break_=(GitCommit("airflow-secrets: read every file in apps/airflow", (
                EditObject(lay.secrets_app, "Application", lay.secrets_app_name, "spec.source.directory", DELETE),),
                refresh=(lay.secrets_app_name,)),),
            symptom=Check("airflow-secrets ComparisonError `Object 'Kind' is missing in`", kind_missing),
            symptom_within=300,
            recovery=(RestoreFiles("airflow-secrets: exclude the values file", refresh=(lay.secrets_app_name,)),),
            converged=AllOf((Check("no ComparisonError", no_comparison_error),
                             conv.apps_synced(lay.secrets_app_name), pods_ready)),
            converge_within=300,
            invariants=(inv.secrets_retained(), inv.secret_data_unchanged(), keep_key,
                        inv.airflow_keeps_running(AIRFLOW_COMPONENTS), keep_admin),
            counterparts=(PF_DIRECTORY_SOURCE,),
            sources=("argo-cd#10648",),
        ),
    ]
    return {s.name: s for s in scenarios}
