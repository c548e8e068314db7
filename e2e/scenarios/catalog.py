"""The scenarios: one per reported failure (FAILURES.md), built for a repository layout.

Why a function of the layout: the same scenario runs against the reference repository and a team's own;
only the paths differ. Scenario-specific predicates are module-level functions so unit tests call them
directly on realistic objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from e2e import versions
from e2e.judgement import Judgement, failed, ok, pending, seen
from e2e.observe.snapshot import Snapshot, name_of, pod_finished, pod_ready
from e2e.preflight.rules import all_rules
from e2e.scenarios import convergence as conv
from e2e.scenarios import invariants as inv
from e2e.scenarios import messages as msg
from e2e.scenarios import symptoms as sym
from e2e.scenarios.layout import REFERENCE_SECRETS, Layout
from e2e.scenarios.model import AllOf, AnyOf, Check, Invariant, Memory, Scenario, When
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
from e2e.scenarios.transforms import (
    DELETE,
    DoesNotApply,
    EditObject,
    PayloadEdit,
    ReplaceText,
    SetChartVersion,
    SetValue,
)
from e2e.scenarios.transforms import with_url_password as _with_password

AIRFLOW_SECRETS = REFERENCE_SECRETS  # the reference repository's; build() reads a repository's from its Layout
CHART_APP, SECRETS_APP = Layout.chart_app, Layout.secrets_app_name  # the reference's Application names
GIT_SYNC_INIT, GIT_SYNC = "git-sync-init", "git-sync"
WAIT_FOR_MIGRATIONS = "wait-for-airflow-migrations"
CREATE_USER_JOB, MIGRATE_JOB = "airflow-create-user", "airflow-run-airflow-migrations"
CREATE_USER_COMPONENT = "create-user-job"
DAG_COMPONENTS = ("scheduler", "dag-processor", "worker", "triggerer")  # the pods that run git-sync
PLACEHOLDER_KNOWN_HOSTS = "git.example.com ssh-ed25519 <verified-public-host-key>\n"  # the seed's, for its host


def placeholder_known_hosts(host: str) -> str:
    """The seed's placeholder line for the repository's own git host (`[git.corp.internal]:2222`)."""
    return f"{host} ssh-ed25519 <verified-public-host-key>\n"
WRONG_DB_PASSWORD = "not-the-db-password"
WRONG_REDIS_PASSWORD = "not-the-redis-password"
BAD_FERNET_KEY = "deadbeef"
FERNET_PROBE = ("variables", "set", "airflow_e2e_fernet_probe", "encrypted-with-the-current-key")

# The preflight rules (by their registered objects: a misspelt id fails at import) and the check names of the
# component tier (e2e/components/) that catch the same break without a cluster.
_RULES = {r.id: r for r in all_rules()}


def _preflight(rule_id: str) -> str:
    return f"preflight:{_RULES[rule_id].id}"


PF_SECRET_NAMES = _preflight("secret-name-unset")
PF_KV2_POLICY = _preflight("vault-kv2-policy-without-data")
PF_TEMPLATE_KEY = _preflight("template-path-missing-in-example")
PF_TEMPLATE_KEY_PAYLOAD = _preflight("template-path-missing-in-payload")
PF_KNOWN_HOSTS = _preflight("gitsync-known-hosts-placeholder")
PF_SSH_KEY = _preflight("payload-ssh-key-invalid")
PF_BROKER_PASSWORD = _preflight("payload-broker-password-mismatch")
PF_FERNET_FORMAT = _preflight("payload-fernet-key-invalid")
PF_WAVES_WITHOUT_PARENT = _preflight("waves-without-parent")
PF_WAVES_ORDER = _preflight("waves-wrong-order")
PF_HEALTH_CHECK = _preflight("app-health-check-missing")
PF_HELM_HOOKS = _preflight("job-helm-hooks-enabled")
PF_DIRECTORY_SOURCE = _preflight("directory-source-non-kubernetes-file")
PF_ESO_DEFAULTS = _preflight("eso-defaulted-fields-missing")
HEALTH_KEY = "resource.customizations.health.argoproj.io_Application"
ESO_DEFAULTED = ("conversionStrategy", "decodingStrategy", "metadataPolicy")
CP_GITSYNC_PLACEHOLDER = "components:git-sync.refuses-placeholder-known-hosts"
CP_GITSYNC_CLONE = "components:git-sync.clone-with-known-hosts"  # clones with the payload's own key
CP_USER_JOB = "components:user-job.broken-connection-fails-visibly"
CP_BROKER_AUTH = "components:broker.url-authenticates"
CP_MIGRATIONS = "components:migration.check-fails-before-migrate"
CP_FERNET_STABILITY = "components:fernet-key-stability"
CP_CHART_UPGRADE = "components:chart-upgrade"
OFFLINE_VALUES_MIGRATION = "offline:values_migration_findings"


# --- predicates particular to one scenario -------------------------------------------------------------------


def pods_missing_secrets(obs: Snapshot, _m: Memory) -> Judgement:
    """Entry 1: containers wait on a Secret that is not there yet, or its volume cannot mount."""
    found = sym.pods_waiting(obs, "CreateContainerConfigError", msg.SECRET_NOT_FOUND)
    found += sym.events(obs, "FailedMount", msg.SECRET_NOT_FOUND, type_="Warning", involved_kind="Pod")
    return seen(found, 'no pod waiting on `secret "..." not found` yet')


def recovered_by_themselves(obs: Snapshot, memory: Memory) -> Judgement:
    """Entry 1: the very pods that waited at the symptom (same uid) are Ready now: nobody deleted them."""
    at = memory.at_symptom or Snapshot()
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


def chart_made_secrets(obs: Snapshot, _m: Memory, chart_app: str = CHART_APP) -> Judgement:
    """Entry 2: a Secret with the chart's labels (heritage/chart) where ESO's was, or the app never settles."""
    found = [f"Secret {s.name} made by the chart (labels {s.labels.get('chart', '')} {s.labels.get('heritage', '')})"
             for s in obs.secrets.values() if "heritage" in s.labels or "chart" in s.labels]
    sync, _health = sym.application_status(obs, chart_app)
    if sync == "OutOfSync":
        found.append(f"Application {chart_app} OutOfSync (random keys differ on every render)")
    return seen(found, "no chart-made Secret and the app is in sync")


def fernet_key_replaced(obs: Snapshot, memory: Memory, secret: str = inv.FERNET_SECRET) -> Judgement:
    was = memory.before.secrets.get(secret)
    now = obs.secrets.get(secret)
    if was and now and now.digests.get(inv.FERNET_KEY) != was.digests.get(inv.FERNET_KEY):
        return ok(f"{secret} re-created with another key: data encrypted before is unreadable")
    return pending("fernet key unchanged so far")


def secrets_hold_their_data_again(obs: Snapshot, memory: Memory) -> Judgement:
    """Every Secret holds what it held before the break (ESO wrote Vault's data back over the chart's)."""
    held = inv.secret_data_unchanged_now(obs, memory, None)
    return pending(*held.evidence) if held.failed else held


def every_external_secret_denied(obs: Snapshot, _m: Memory) -> Judgement:
    """Entry 3: EVERY ExternalSecret Ready=False/SecretSyncedError (one synced one means the policy still reads)."""
    errors = sym.external_secrets_condition(obs, "False", "SecretSyncedError")
    if not obs.external_secrets or len(errors) < len(obs.external_secrets):
        return pending(f"{len(errors)} of {len(obs.external_secrets)} ExternalSecrets in SecretSyncedError")
    return ok(*errors)


def denied_by_vault(obs: Snapshot, _m: Memory) -> Judgement:
    found = [e for e in sym.events(obs, "UpdateFailed", msg.PERMISSION_DENIED, type_="Warning",
                                   involved_kind="ExternalSecret") if "403" in e]
    return seen(found, "no UpdateFailed event with `Code: 403 ... permission denied` yet")


def store_still_valid(obs: Snapshot, _m: Memory) -> Judgement:
    """Entry 3: the store validates (login works); only reads are denied."""
    return seen(sym.store_condition(obs, "True"), "ClusterSecretStore not Ready=True")


def template_key_missing(obs: Snapshot, _m: Memory, name: str = inv.FERNET_SECRET) -> Judgement:
    errors = sym.external_secrets_condition(obs, "False", "SecretSyncedError", names=(name,))
    detail = sym.message_anywhere(obs, msg.MAP_NO_ENTRY)
    if errors and detail:
        return ok(*errors, *detail)
    return pending(f"{name} not in SecretSyncedError with `map has no entry for key` yet")


def git_sync_cannot_clone(patterns: tuple[str, ...]):
    def predicate(obs: Snapshot, _m: Memory) -> Judgement:
        failing = sym.init_containers_failing(obs, (GIT_SYNC_INIT,)) + sym.containers_restarting(obs, (GIT_SYNC,))
        lines = [line for p in patterns for line in sym.log_lines(obs, p)]
        if failing and lines:
            return ok(*failing, *lines)
        return pending(f"git-sync failing: {len(failing)} container(s); matching log lines: {len(lines)}")

    return predicate


def user_job_fails_visibly(obs: Snapshot, _m: Memory, user_job: str = CREATE_USER_JOB,
                           migrate_job: str = MIGRATE_JOB) -> Judgement:
    """Entry 6: the create-user Job reports the database error and is NOT Complete (`|| true` hides nothing)."""
    job = obs.job(user_job)
    if job is not None and sym.job_state(job) == "Complete":
        lines = sym.log_lines(obs, msg.PG_AUTH_FAILED)
        return failed(f"Job {user_job} Complete with a broken connection: the failure was hidden", *lines)
    lines = sym.log_lines(obs, msg.PG_AUTH_FAILED) + sym.log_lines(obs, msg.UNAPPLIED_MIGRATIONS)
    lines += sym.jobs_failed(obs, user_job) + sym.jobs_failed(obs, migrate_job)
    return seen(lines, f"Job {user_job} has not reported the database error yet")


def _started(app: dict | None) -> str | None:
    return (((app or {}).get("status") or {}).get("operationState") or {}).get("startedAt")


def _finished(app: dict | None) -> str | None:
    return (((app or {}).get("status") or {}).get("operationState") or {}).get("finishedAt")


def _recreated(obs: Snapshot, memory: Memory, name: str) -> dict | None:
    app, was = obs.application(name), memory.before.application(name)
    uid = ((app or {}).get("metadata") or {}).get("uid")
    return app if app is not None and uid != ((was or {}).get("metadata") or {}).get("uid") else None


def chart_synced_before_secrets(obs: Snapshot, memory: Memory, chart_app: str = CHART_APP,
                                secrets_app: str = SECRETS_APP) -> Judgement:
    """Entry 7: the re-created chart Application started syncing before the secrets one finished syncing."""
    chart, secrets = _recreated(obs, memory, chart_app), _recreated(obs, memory, secrets_app)
    started, done = _started(chart), _finished(secrets)
    if not started or not done:
        return pending("both Applications re-created and synced at least once: not yet")
    if started < done:  # RFC 3339 UTC timestamps compare as text
        return ok(f"{chart_app} sync started {started}, before {secrets_app} finished {done} (no wave ordering)")
    return failed(f"{chart_app} started {started} after {secrets_app} finished {done}: the waves were honoured")


def chart_synced_after_secrets(obs: Snapshot, memory: Memory, chart_app: str = CHART_APP,
                               secrets_app: str = SECRETS_APP) -> Judgement:
    chart, secrets = _recreated(obs, memory, chart_app), _recreated(obs, memory, secrets_app)
    started, done = _started(chart), _finished(secrets)
    if not started or not done:
        return pending("both Applications re-created and synced at least once: not yet")
    if started >= done:
        return ok(f"{chart_app} sync started {started}, after {secrets_app} finished {done}")
    return failed(f"{chart_app} started {started} before {secrets_app} finished {done}: waves still ignored")


def argo_shows_no_error(obs: Snapshot, _m: Memory, apps: tuple[str, ...] = (CHART_APP, SECRETS_APP)) -> Judgement:
    errors = [line for app in apps for line in sym.application_condition(obs, app, "Error")]
    return failed(*errors) if errors else ok("Argo CD shows no error condition")


def secrets_unreadable(obs: Snapshot, _m: Memory) -> Judgement:
    """Entry 8: ESO cannot read (403, sealed, new CA): ExternalSecrets or the store report it."""
    found = sym.external_secrets_condition(obs, "False", "SecretSyncedError") + sym.store_condition(obs, "False")
    return seen(found, "ESO still reads Vault")


def secrets_vanished(obs: Snapshot, memory: Memory) -> Judgement:
    """Entry 15: Secrets gone with their owner, or already back with a new uid (they vanished in between)."""
    before = memory.before.secrets
    gone = [f"Secret {n} absent" for n in before if n not in obs.secrets]
    again = [f"Secret {n} re-created (uid changed)" for n in before if n in obs.secrets
             and obs.secrets[n].uid != before[n].uid]
    return seen(gone + again, "every Secret still the one from before the break")


def chart_revision_is(version: str, chart_app: str = CHART_APP):
    def predicate(obs: Snapshot, _m: Memory) -> Judgement:
        app = obs.application(chart_app) or {}
        sync = (app.get("status") or {}).get("sync") or {}
        revisions = list(sync.get("revisions") or []) + ([sync["revision"]] if sync.get("revision") else [])
        if version in revisions:
            return ok(f"Application {chart_app} at chart {version}")
        return pending(f"Application {chart_app} at {', '.join(revisions) or 'no revision'}, not {version} yet")

    return predicate


def migration_job_ran_again(obs: Snapshot, memory: Memory, name: str = MIGRATE_JOB) -> Judgement:
    job, was = obs.job(name), memory.before.job(name)
    if job is None:
        return pending(f"Job {name} absent")
    if was is not None and (job.get("metadata") or {}).get("uid") == (was.get("metadata") or {}).get("uid"):
        return pending(f"Job {name} is still the one from before the upgrade")
    return ok(f"Job {name} re-created for the new chart ({sym.job_state(job)})")


def images_at(airflow_version: str):
    def predicate(obs: Snapshot, _m: Memory) -> Judgement:
        stale = sorted({f"{name_of(p)}: {c.get('image')}" for p in obs.pods if not pod_finished(p)
                        for c in (p.get("spec") or {}).get("containers") or []
                        if "apache/airflow:" in str(c.get("image"))
                        and f":{airflow_version}" not in str(c.get("image"))})
        if stale:
            return pending("old Airflow images: " + "; ".join(stale))
        return ok(f"Airflow images at {airflow_version}")

    return predicate


def waiting_for_migrations(obs: Snapshot, _m: Memory) -> Judgement:
    found = sym.log_lines(obs, msg.UNAPPLIED_MIGRATIONS) + sym.log_lines(obs, msg.WAITING_FOR_MIGRATIONS)
    held = sym.pods_in_init(obs, (WAIT_FOR_MIGRATIONS,)) + sym.init_containers_failing(obs, (WAIT_FOR_MIGRATIONS,))
    if held and found:
        return ok(*held, *found)
    return pending(f"pods held by {WAIT_FOR_MIGRATIONS}: {len(held)}; migration log lines: {len(found)}")


def kind_missing(obs: Snapshot, _m: Memory, app: str = SECRETS_APP) -> Judgement:
    return seen(sym.application_condition(obs, app, "ComparisonError", msg.KIND_MISSING),
                f"{app} has no ComparisonError `Object 'Kind' is missing in` yet")


def no_comparison_error(obs: Snapshot, _m: Memory, app: str = SECRETS_APP) -> Judgement:
    found = sym.application_condition(obs, app, "ComparisonError")
    return pending(*found) if found else ok(f"{app} has no ComparisonError")


def synced_yet_out_of_sync(app_name: str):
    """Entry 13: the last sync of the CURRENT revision succeeded, and the app is still OutOfSync (and Healthy):
    a permanent diff, not the moment between a commit and its sync."""
    def predicate(obs: Snapshot, _m: Memory) -> Judgement:
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
    def predicate(obs: Snapshot, _m: Memory) -> Judgement:
        return seen(sym.log_lines(obs, pattern, source), f"no log line matching {pattern!r} yet")

    return predicate


def fernet_template_misspelt(lay: Layout) -> str:
    """The fernet key's template expression with its payload field misspelt (`(fromYaml .config).fernetKeyy`):
    the repository's own property and field, one letter more."""
    return f"(fromYaml .{lay.payload_property}).{lay.fernet_field}y"


@dataclass(frozen=True)
class ValuesOutsideDirectorySource:
    """Entry 16 cannot happen in a repository whose values file lies outside the secrets Application's
    directory source: there is no directory.exclude to drop. Refuses in one line, like any edit that does not
    apply."""

    layout: Layout

    @property
    def path(self) -> str:
        return self.layout.secrets_app

    def describe(self) -> str:
        return f"{self.path}: Application/{self.layout.secrets_app_name}: remove spec.source.directory"

    def apply(self, text: str | None) -> str | None:
        lay = self.layout
        raise DoesNotApply(f"{lay.values} is outside {lay.secrets_app_name}'s directory source {lay.secrets_dir}/, "
                           "so no directory.exclude keeps it out: FAILURES.md 16 cannot happen in this repository")


# --- the scenarios -------------------------------------------------------------------------------------------


def build(layout: Layout | None = None, *, upgrade_to: str = versions.LATEST_CHART) -> dict[str, Scenario]:
    lay = layout or Layout()
    pods_ready = conv.pods_ready(AIRFLOW_COMPONENTS)
    keep_key, keep_admin = inv.fernet_key_unchanged(secret=lay.fernet_secret), inv.admin_user_kept()
    ns, argo_ns = lay.airflow_namespace, lay.argocd_namespace
    chart_app, secrets_app = lay.chart_app, lay.secrets_app_name
    fernet, user_job, migrate_job = lay.fernet_secret, lay.user_job, lay.migrate_job

    def restart(components: tuple[str, ...] = AIRFLOW_COMPONENTS) -> RestartAirflowPods:
        return RestartAirflowPods(components, lay.release, ns)

    def force(*secrets: str) -> ForceSync:
        return ForceSync(tuple(lay.external_secret(s) for s in secrets))

    def fernet_kept(when: When) -> Invariant:
        return inv.fernet_key_unchanged(when, fernet)

    restore_payload = RestorePayload(lay.payload_path)
    misspelt = fernet_template_misspelt(lay)
    dag_logs = tuple((c, GIT_SYNC_INIT) for c in DAG_COMPONENTS) + tuple((c, GIT_SYNC) for c in DAG_COMPONENTS)

    scenarios = [
        Scenario(
            name="secrets-after-pods", entry=1, title="Secrets land after the pods",
            reproduces="Hold ESO, remove the Airflow Secrets and start the pods: the chart is synced while the "
                       "secrets Application is held; then release ESO and let the pods recover by themselves.",
            break_=(ScaleEso(0, lay.eso_namespace), DeleteSecrets(namespace=ns), restart()),
            symptom=Check('pods CreateContainerConfigError `secret "..." not found` or FailedMount events',
                          pods_missing_secrets),
            symptom_within=180,
            recovery=(ScaleEso(1, lay.eso_namespace),
                      Note("nothing else by hand: no pod deleted, no force-sync; the kubelet retries")),
            converged=AllOf((conv.es_synced(), conv.secrets_exist(lay.secrets),
                             Check("the pods that waited are Ready, same pods (recovered by themselves)",
                                   recovered_by_themselves), pods_ready)),
            converge_within=600,
            invariants=(fernet_kept("end"), keep_admin),
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
            symptom=AnyOf((Check(f"Secrets with the chart's labels, or {chart_app} OutOfSync",
                                 partial(chart_made_secrets, chart_app=chart_app)),
                           Check(f"{fernet} re-created with another key",
                                 partial(fernet_key_replaced, secret=fernet)))),
            symptom_within=300,
            recovery=(RestoreFiles("values: point every name at the ESO-managed Secrets", refresh=(lay.chart_app,)),
                      ForceSync()),
            converged=AllOf((conv.apps_synced(lay.chart_app), conv.es_synced(),
                             Check("every Secret holds its data from before the break (Vault's, via ESO)",
                                   secrets_hold_their_data_again), pods_ready)),
            converge_within=600,
            invariants=(fernet_kept("end"), keep_admin),
            counterparts=(PF_SECRET_NAMES, CP_FERNET_STABILITY),
            sources=("argo-cd docs helm.md", "apache/airflow#47963"),
        ),
        Scenario(
            name="kv2-policy-without-data", entry=3, title="KV v2 policy without data/",
            reproduces=f'Write the read policy as path "{lay.kv_read_path_without_data}" (without data/) and retry '
                       "every ExternalSecret.",
            break_=(GitCommit("vault: read policy without data/", (
                ReplaceText(lay.policy_file, f'path "{lay.kv_read_path}"',
                            f'path "{lay.kv_read_path_without_data}"'),)),
                    VaultPolicyFromRepo(lay.read_policy), ForceSync()),
            symptom=AllOf((Check("every ExternalSecret Ready=False SecretSyncedError", every_external_secret_denied),
                           Check("Warning UpdateFailed `Code: 403 ... permission denied`", denied_by_vault),
                           Check("ClusterSecretStore still Ready=True (login works)", store_still_valid))),
            symptom_within=180,
            recovery=(RestoreFiles(f"vault: KV v2 reads are at {lay.kv_read_path}"),
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
            reproduces=f"Template {fernet} from {misspelt}, a key the payload lacks.",
            break_=(GitCommit("external-secrets: misspell the fernet key field", (
                EditObject(lay.external_secrets, "ExternalSecret", lay.fernet_external_secret,
                           ("spec", "target", "template", "data", inv.FERNET_KEY),
                           "{{ " + misspelt + " }}"),), refresh=(lay.secrets_app_name,)),),
            symptom=Check(f"{fernet} SecretSyncedError, `map has no entry for key`",
                          partial(template_key_missing, name=lay.fernet_external_secret)),
            symptom_within=180,
            recovery=(RestoreFiles(f"external-secrets: {lay.fernet_field}", refresh=(lay.secrets_app_name,)),
                      force(fernet)),
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
                SetValue(lay.values, "dags.gitSync.knownHosts", placeholder_known_hosts(lay.git_host)),),
                refresh=(lay.chart_app,)),
                    restart(DAG_COMPONENTS)),
            symptom=Check("git-sync Init:Error/CrashLoopBackOff with `Host key verification failed.` or "
                          "`too many failures, aborting`",
                          git_sync_cannot_clone((msg.HOST_KEY_FAILED, msg.TOO_MANY_FAILURES))),
            symptom_within=300,
            recovery=(RestoreFiles("values: the verified host key", refresh=(lay.chart_app,)),
                      restart(DAG_COMPONENTS)),
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
            break_=(VaultPayload((PayloadEdit(lay.ssh_key_field,
                                              "the private key without its trailing newline",
                                              lambda key: str(key).rstrip("\n")),), lay.payload_path),
                    force(lay.ssh_secret), WaitForSecretData(lay.ssh_secret, changed=True),
                    restart(DAG_COMPONENTS)),
            symptom=Check("git-sync fails with `Load key ...: invalid format` or `error in libcrypto`",
                          git_sync_cannot_clone((msg.LOAD_KEY_INVALID, msg.LIBCRYPTO))),
            symptom_within=300,
            recovery=(restore_payload, force(lay.ssh_secret),
                      WaitForSecretData(lay.ssh_secret, changed=False), restart(DAG_COMPONENTS)),
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
            break_=(VaultPayload((PayloadEdit(lay.metadata_field, "the same URL with a wrong password",
                                              lambda url: _with_password(str(url), WRONG_DB_PASSWORD)),),
                                 lay.payload_path),
                    force(lay.metadata_secret), WaitForSecretData(lay.metadata_secret, changed=True),
                    DeleteJob(user_job, ns), RefreshApplication(lay.chart_app)),
            symptom=Check(f'{user_job} fails visibly: `password authentication failed for user "{lay.db_user}"`',
                          partial(user_job_fails_visibly, user_job=user_job, migrate_job=migrate_job)),
            symptom_within=300,
            recovery=(restore_payload, force(lay.metadata_secret),
                      WaitForSecretData(lay.metadata_secret, changed=False), DeleteJob(user_job, ns),
                      TerminateSyncOperation(lay.chart_app), SyncApplication(lay.chart_app, argo_ns)),
            converged=AllOf((conv.job_complete(user_job), pods_ready)),
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
                    ConfigMapKeyFromRepo(lay.argocd_cm, "argocd-cm", HEALTH_KEY),
                    DeleteApplication(lay.chart_app, argo_ns), DeleteApplication(lay.secrets_app_name, argo_ns)),
            symptom=AllOf((Check(f"{chart_app} starts syncing before {secrets_app} finished",
                                 partial(chart_synced_before_secrets, chart_app=chart_app, secrets_app=secrets_app)),
                           Check("Argo CD shows no error",
                                 partial(argo_shows_no_error, apps=(chart_app, secrets_app))))),
            symptom_within=600,
            recovery=(RestoreFiles("argocd-cm: the Application health customization"),
                      ConfigMapKeyFromRepo(lay.argocd_cm, "argocd-cm", HEALTH_KEY),
                      DeleteApplication(lay.chart_app, argo_ns), DeleteApplication(lay.secrets_app_name, argo_ns)),
            converged=AllOf((Check(f"{chart_app} starts syncing after {secrets_app} finished",
                                   partial(chart_synced_after_secrets, chart_app=chart_app, secrets_app=secrets_app)),
                             conv.apps_synced(lay.secrets_app_name, lay.chart_app), conv.es_synced(), pods_ready)),
            converge_within=900,
            invariants=(fernet_kept("end"), keep_admin),
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
            break_=(VaultPayload((PayloadEdit(lay.broker_field, "the same URL with another password",
                                              lambda url: _with_password(str(url), WRONG_REDIS_PASSWORD)),),
                                 lay.payload_path),
                    force(lay.broker_secret), WaitForSecretData(lay.broker_secret, changed=True),
                    restart(("worker",))),
            symptom=Check("worker log `invalid username-password pair or user is disabled`",
                          log_says(msg.REDIS_WRONGPASS, "worker")),
            symptom_within=300,
            recovery=(restore_payload, force(lay.broker_secret),
                      WaitForSecretData(lay.broker_secret, changed=False), restart(("worker",))),
            converged=conv.pods_ready(("worker",)),
            converge_within=600,
            invariants=(keep_key, keep_admin),
            counterparts=(PF_BROKER_PASSWORD, CP_BROKER_AUTH),
            log_sources=(("worker", "worker"),),
            sources=("apache/airflow#34561", "apache/airflow#20999"),
        ),
        Scenario(
            name="bad-fernet-key", entry=10, title="Bad key format",
            reproduces=f"Write {lay.fernet_field} `deadbeef` to Vault; restart the scheduler and let it encrypt a "
                       "value.",
            break_=(VaultPayload((PayloadEdit(lay.fernet_field, "8 hex characters, not a Fernet key",
                                              lambda _old: BAD_FERNET_KEY),), lay.payload_path),
                    force(fernet), WaitForSecretData(fernet, changed=True),
                    restart(("scheduler",))),
            symptom=Check("`Fernet key must be 32 url-safe base64-encoded bytes.` (probe or scheduler log)",
                          log_says(msg.FERNET_FORMAT)),
            probes=(RunAirflowCli("fernet", FERNET_PROBE, lay.release, ns),),
            symptom_within=300,
            recovery=(restore_payload, force(fernet),
                      WaitForSecretData(fernet, changed=False), restart(("scheduler",))),
            converged=pods_ready,
            converge_within=600,
            invariants=(fernet_kept("end"), keep_admin),
            counterparts=(PF_FERNET_FORMAT,),
            log_sources=(("scheduler", "scheduler"),),
            sources=("apache/airflow#16000", "apache/airflow#43150"),
        ),
        Scenario(
            name="chart-upgrade", entry=11, title="Chart upgrade changes values",
            reproduces=f"Commit the chart's targetRevision {upgrade_to}, as the upgrade pull request would.",
            break_=(GitCommit(f"{chart_app}: chart {upgrade_to}", (
                SetChartVersion(lay.airflow_app, lay.chart_app, upgrade_to),), refresh=(lay.chart_app,)),),
            symptom=AllOf((Check(f"Application {chart_app} at chart {upgrade_to}",
                                 chart_revision_is(upgrade_to, chart_app)),
                           Check(f"Job {migrate_job} re-created", partial(migration_job_ran_again, name=migrate_job)))),
            symptom_within=600,
            recovery=(Note("nothing to undo: the upgrade is the change under test (values migrated beforehand, "
                           "see values_migration_findings)"),),
            converged=AllOf((conv.apps_synced(lay.chart_app), conv.job_complete(migrate_job),
                             Check("Airflow images at the new version",
                                   images_at(versions.CHART_AIRFLOW.get(upgrade_to, upgrade_to))), pods_ready)),
            converge_within=900,
            invariants=(keep_key, inv.secrets_retained(), keep_admin),
            counterparts=(OFFLINE_VALUES_MIGRATION, CP_CHART_UPGRADE),
            sources=("apache/airflow#52267", "apache/airflow#53198", "apache/airflow#51304"),
        ),
        Scenario(
            name="externalsecret-defaults-outofsync", entry=13, title="ExternalSecret forever OutOfSync",
            reproduces="Leave conversionStrategy, decodingStrategy and metadataPolicy unwritten in one "
                       "ExternalSecret: ESO defaults them, Argo CD sees a diff it can never sync away.",
            break_=(GitCommit("external-secrets: leave ESO's defaults unwritten", tuple(
                EditObject(lay.external_secrets, "ExternalSecret", lay.fernet_external_secret,
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
            break_=(ResetMetadataDatabase(lay.release, ns), GitCommit("values: Jobs as Helm hooks", (
                SetValue(lay.values, "migrateDatabaseJob.useHelmHooks", True),
                SetValue(lay.values, "createUserJob.useHelmHooks", True),
                SetValue(lay.values, "migrateDatabaseJob.jobAnnotations", DELETE)), refresh=(lay.chart_app,)),
                    restart()),
            symptom=Check("pods held by wait-for-airflow-migrations, `There are still unapplied migrations`",
                          waiting_for_migrations),
            symptom_within=600,
            recovery=(TerminateSyncOperation(lay.chart_app),
                      RestoreFiles("values: useHelmHooks false on both Jobs", refresh=(lay.chart_app,)),
                      DeleteJob(user_job, ns), SyncApplication(lay.chart_app, argo_ns)),
            converged=AllOf((conv.job_complete(migrate_job), conv.job_complete(user_job), pods_ready)),
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
            break_=(DeleteApplication(lay.secrets_app_name, argo_ns),),
            symptom=Check("the Secrets vanish with their ExternalSecrets (creationPolicy: Owner)", secrets_vanished),
            symptom_within=300,
            recovery=(Note(f"nothing by hand: the parent re-creates {secrets_app} and ESO the Secrets"),),
            converged=AllOf((conv.apps_synced(lay.secrets_app_name, lay.chart_app), conv.es_synced(),
                             conv.secrets_exist(lay.secrets), pods_ready)),
            converge_within=600,
            invariants=(fernet_kept("end"), inv.airflow_keeps_running(AIRFLOW_COMPONENTS), keep_admin),
            sources=("FAILURES.md 15",),
        ),
        Scenario(
            name="values-in-directory-source", entry=16, title="Values file inside a directory source",
            reproduces=f"Drop directory.exclude from {secrets_app}, so its directory source reads the values file.",
            break_=(GitCommit(f"{secrets_app}: read every file in {lay.secrets_dir}", (
                EditObject(lay.secrets_app, "Application", lay.secrets_app_name, "spec.source.directory", DELETE)
                if lay.values_in_secrets_dir else ValuesOutsideDirectorySource(lay),),
                refresh=(lay.secrets_app_name,)),),
            symptom=Check(f"{secrets_app} ComparisonError `Object 'Kind' is missing in`",
                          partial(kind_missing, app=secrets_app)),
            symptom_within=300,
            recovery=(RestoreFiles(f"{secrets_app}: exclude the values file", refresh=(lay.secrets_app_name,)),),
            converged=AllOf((Check("no ComparisonError", partial(no_comparison_error, app=secrets_app)),
                             conv.apps_synced(lay.secrets_app_name), pods_ready)),
            converge_within=300,
            invariants=(inv.secrets_retained(), inv.secret_data_unchanged(), keep_key,
                        inv.airflow_keeps_running(AIRFLOW_COMPONENTS), keep_admin),
            counterparts=(PF_DIRECTORY_SOURCE,),
            sources=("argo-cd#10648",),
        ),
    ]
    return {s.name: s for s in scenarios}
