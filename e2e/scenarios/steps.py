"""Operator actions a scenario takes: a git commit, a Vault write, or a kubectl action.

Why typed steps: `describe()` is the plan line a dry run prints (names, paths, fields; never a payload value)
and `apply(stack, memory)` is the one place the action touches the stack, through the RunningStack contract
(git.commit, vault.write_payload/write_policy, kube.kubectl). Steps that undo a break (restore the files,
restore the payload) read what the break step saved in Memory, like `git revert` would.
Names (release, namespaces, payload location) are fields set from the repository's Layout, defaulting to the
reference's; namespaces in a field only feed the description: `apply` uses the run's own RunConfig.
"""

from __future__ import annotations

import json
import shlex
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from e2e.config import RunConfig
from e2e.scenarios.model import Memory
from e2e.scenarios.transforms import DoesNotApply, FileEdit, PayloadEdit, apply_edits, apply_payload_edits

if TYPE_CHECKING:
    from e2e.contract import RunningStack

DEFAULTS = RunConfig(run_id="plan")
GITOPS = "gitops"  # the GitRemote name of the GitOps repository (the server path its URLs name)
AIRFLOW_COMPONENTS = ("scheduler", "worker", "api-server", "webserver", "dag-processor", "triggerer")
ESO_DEPLOYMENT = "external-secrets"  # the ESO chart's controller Deployment for release `external-secrets`
VAULT_POD_SELECTOR = "app.kubernetes.io/name=vault,component=server"
REFERENCE_RELEASE = "airflow"
REFERENCE_PAYLOAD = "secret/airflow/config"  # <mount>/<key> of the reference repository's payload


def scheduler_of(release: str) -> tuple[str, str]:
    """Where Airflow CLI commands run (workload, container): the chart's `<release>-scheduler` Deployment."""
    return f"deploy/{release}-scheduler", "scheduler"


SCHEDULER = scheduler_of(REFERENCE_RELEASE)


def _pod_selector(components: tuple[str, ...], release: str = REFERENCE_RELEASE) -> str:
    return f"release={release},component in ({','.join(components)})"


# --- git -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GitCommit:
    """Commit file edits to the in-cluster GitOps repository, as a merged pull request would."""

    message: str
    edits: tuple[FileEdit, ...]
    refresh: tuple[str, ...] = ()  # Applications to refresh right away instead of waiting for polling

    def describe(self) -> str:
        lines = [f"git commit {self.message!r}:"] + [f"  {e.describe()}" for e in self.edits]
        if self.refresh:
            lines.append(f"  then refresh Application(s) {', '.join(self.refresh)}")
        return "\n".join(lines)

    def paths(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.path for e in self.edits))

    def changes(self, files: dict[str, str | None]) -> dict[str, str | None]:
        """The commit's content; an edit that changes nothing is an error, never an empty commit."""
        changed = apply_edits(files, self.edits)
        if not changed:
            raise DoesNotApply(f"{self.message}: the repository already says this; nothing to commit")
        return changed

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        repo = GITOPS
        before = {p: stack.git.read(repo, p) for p in self.paths()}
        changes = self.changes(before)
        for path, text in before.items():
            memory.saved_files.setdefault(path, text)
        sha = stack.git.commit(repo, changes, self.message)
        memory.notes.append(f"committed {sha[:12]} to {repo}: {self.message}")
        for app in self.refresh:
            stack.refresh_application(app)


@dataclass(frozen=True)
class RestoreFiles:
    """Commit back the files as they were before the break (a revert, as a new commit)."""

    message: str
    refresh: tuple[str, ...] = ()

    def describe(self) -> str:
        tail = f", then refresh {', '.join(self.refresh)}" if self.refresh else ""
        return f"git commit {self.message!r}: restore every file the break changed{tail}"

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        repo = GITOPS
        sha = stack.git.commit(repo, dict(memory.saved_files), self.message)
        memory.notes.append(f"committed {sha[:12]} to {repo}: {self.message}")
        for app in self.refresh:
            stack.refresh_application(app)


# --- Vault ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VaultPayload:
    """Rewrite the payload at <mount>/<key> (`vault kv put`) with some fields changed."""

    edits: tuple[PayloadEdit, ...]
    location: str = REFERENCE_PAYLOAD  # shown in the plan; the stack's VaultAdmin knows where it writes

    def describe(self) -> str:
        return f"vault kv put {self.location}: " + "; ".join(e.describe() for e in self.edits)

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        current = stack.vault.read_payload()
        if memory.saved_payload is None:
            memory.saved_payload = current
        changed = apply_payload_edits(current, self.edits)
        stack.masker.add(_strings(changed))
        stack.vault.write_payload(changed)
        memory.notes.append(self.describe())


@dataclass(frozen=True)
class RestorePayload:
    location: str = REFERENCE_PAYLOAD

    def describe(self) -> str:
        return f"vault kv put {self.location}: the payload as it was before the break"

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        if memory.saved_payload is not None:
            stack.vault.write_payload(memory.saved_payload)


@dataclass(frozen=True)
class VaultPolicyFromRepo:
    """`vault policy write NAME vault/policies/NAME.hcl` with the file as it is now in the repository."""

    name: str

    def describe(self) -> str:
        return f"vault policy write {self.name} vault/policies/{self.name}.hcl (as committed)"

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        text = stack.git.read(GITOPS, f"vault/policies/{self.name}.hcl")
        if text is None:
            raise RuntimeError(f"vault/policies/{self.name}.hcl is not in the repository")
        stack.vault.write_policy(self.name, text)


@dataclass(frozen=True)
class RestartVault:
    def describe(self) -> str:
        return (f"kubectl -n {DEFAULTS.vault_namespace} delete pod -l {VAULT_POD_SELECTOR} "
                "(dev mode: data, policies, auth and CA are lost)")

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        from e2e.stack import vault

        ns = stack.config.vault_namespace
        stack.kube.kubectl("-n", ns, "delete", "pod", "-l", VAULT_POD_SELECTOR, "--wait=true",
                           f"--timeout={int(stack.config.timeout(120))}s")
        stack.kube.kubectl("-n", ns, "rollout", "status", f"statefulset/{vault.RELEASE}",
                           f"--timeout={int(stack.config.timeout(180))}s")


@dataclass(frozen=True)
class ReseedVault:
    """Re-seed Vault idempotently (policies, kubernetes auth, role, payload) and hand ESO the new CA."""

    def describe(self) -> str:
        return ("read Vault's new dev CA, re-seed Vault (policy, kubernetes auth, role, payload; idempotent) "
                "and rewrite the ClusterSecretStore's CA ConfigMap with it")

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        from e2e.stack import vault

        ca_pem = stack.kube.kubectl("-n", stack.config.vault_namespace, "exec", f"{vault.RELEASE}-0", "--",
                                    "cat", vault.CA_FILE)
        reload_ca = getattr(stack.vault, "reload_ca", None)
        if reload_ca is None:
            raise RuntimeError("this stack's VaultAdmin cannot trust a restarted Vault's new CA (no reload_ca)")
        reload_ca(ca_pem)
        stack.vault.seed(stack.repo, stack.payload)
        manifest = vault.ca_config_map(stack.config, stack.repo, ca_pem)
        stack.kube.kubectl("apply", "-f", "-", input_text=json.dumps(manifest))
        memory.notes.append("re-seeded Vault and replaced the CA ConfigMap")


# --- kubectl -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForceSync:
    """Annotate ExternalSecrets with `force-sync=<now>` so ESO retries now instead of after its back-off."""

    names: tuple[str, ...] = ()  # empty: every ExternalSecret of the repository

    def describe(self) -> str:
        which = ", ".join(self.names) if self.names else "every ExternalSecret"
        return f"kubectl annotate externalsecret force-sync=<now>: {which}"

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        names = self.names or tuple(es.name for es in stack.repo.external_secrets)
        for name in names:
            stack.force_sync_external_secret(name, stack.config.airflow_namespace)


@dataclass(frozen=True)
class RefreshApplication:
    name: str
    hard: bool = False

    def describe(self) -> str:
        return f"refresh Application {self.name}" + (" (hard)" if self.hard else "")

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        stack.refresh_application(self.name, hard=self.hard)


@dataclass(frozen=True)
class SyncApplication:
    """Start a sync now (what `argocd app sync` does: set `.operation`): auto-sync does not retry a commit
    whose sync failed once its retries are used up."""

    name: str
    namespace: str = DEFAULTS.argocd_namespace  # for the plan; apply uses the run's config

    def describe(self) -> str:
        return f"kubectl -n {self.namespace} patch application {self.name}: operation sync (argocd app sync)"

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        patch = {"operation": {"initiatedBy": {"username": "airflow-e2e"}, "sync": {"prune": True}}}
        stack.kube.kubectl("-n", stack.config.argocd_namespace, "patch", "application", self.name, "--type=merge",
                           "-p", json.dumps(patch))


@dataclass(frozen=True)
class TerminateSyncOperation:
    """End a sync operation that waits forever (a PostSync hook waiting on pods that wait on it): what
    `argocd app terminate-op` does. Nothing happens when no operation is running."""

    name: str

    def describe(self) -> str:
        return f"terminate the running sync operation of Application {self.name} (argocd app terminate-op)"

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        ns = stack.config.argocd_namespace
        app = stack.kube.get("applications.argoproj.io", self.name, ns) or {}
        if ((app.get("status") or {}).get("operationState") or {}).get("phase") != "Running":
            return
        patch = {"status": {"operationState": {"phase": "Terminating"}}}
        stack.kube.kubectl("-n", ns, "patch", "application", self.name, "--type=merge", "-p", json.dumps(patch))


@dataclass(frozen=True)
class RestartAirflowPods:
    """Delete the Airflow pods so their controllers start new ones (env and subPath mounts read at start).

    Deleting pods, not `rollout restart`: a restart annotation is a diff Argo CD's selfHeal would revert.
    """

    components: tuple[str, ...] = AIRFLOW_COMPONENTS
    release: str = REFERENCE_RELEASE  # the chart labels its pods `release=<helm.releaseName>`
    namespace: str = DEFAULTS.airflow_namespace  # for the plan; apply uses the run's config

    def describe(self) -> str:
        return f"kubectl -n {self.namespace} delete pod -l '{_pod_selector(self.components, self.release)}'"

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        stack.kube.kubectl("-n", stack.config.airflow_namespace, "delete", "pod", "-l",
                           _pod_selector(self.components, self.release), "--wait=false")


@dataclass(frozen=True)
class ScaleEso:
    """Hold or release External Secrets Operator (the harness installs it; Argo CD does not manage it)."""

    replicas: int
    namespace: str = DEFAULTS.eso_namespace  # for the plan; apply uses the run's config

    def describe(self) -> str:
        return f"kubectl -n {self.namespace} scale deployment/{ESO_DEPLOYMENT} --replicas={self.replicas}" + (
            " and wait until its pods are gone" if self.replicas == 0 else "")

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        ns, timeout = stack.config.eso_namespace, f"--timeout={int(stack.config.timeout(120))}s"
        stack.kube.kubectl("-n", ns, "scale", f"deployment/{ESO_DEPLOYMENT}", f"--replicas={self.replicas}")
        if self.replicas == 0:
            stack.kube.kubectl("-n", ns, "wait", "pod", "-l",
                               f"app.kubernetes.io/name={ESO_DEPLOYMENT},app.kubernetes.io/instance={ESO_DEPLOYMENT}",
                               "--for=delete", timeout)
        else:
            stack.kube.kubectl("-n", ns, "rollout", "status", f"deployment/{ESO_DEPLOYMENT}", timeout)


@dataclass(frozen=True)
class DeleteSecrets:
    names: tuple[str, ...] = ()  # empty: every ExternalSecret target of the repository
    namespace: str = DEFAULTS.airflow_namespace  # for the plan; apply uses the run's config

    def describe(self) -> str:
        which = " ".join(self.names) if self.names else "<every ExternalSecret target>"
        return f"kubectl -n {self.namespace} delete secret {which}"

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        names = self.names or tuple(es.target_name for es in stack.repo.external_secrets)
        stack.kube.kubectl("-n", stack.config.airflow_namespace, "delete", "secret", *names, "--ignore-not-found")


@dataclass(frozen=True)
class DeleteApplication:
    """Delete an Application with its resources (what `argocd app delete --cascade` does): the finalizer first."""

    name: str
    namespace: str = DEFAULTS.argocd_namespace  # for the plan; apply uses the run's config

    def describe(self) -> str:
        return (f"kubectl -n {self.namespace} patch application {self.name} (add "
                f"resources-finalizer.argocd.argoproj.io) and delete it; the parent Application recreates it")

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        ns = stack.config.argocd_namespace
        patch = json.dumps({"metadata": {"finalizers": ["resources-finalizer.argocd.argoproj.io"]}})
        stack.kube.kubectl("-n", ns, "patch", "application", self.name, "--type=merge", "-p", patch)
        stack.kube.kubectl("-n", ns, "delete", "application", self.name, "--wait=false")


@dataclass(frozen=True)
class ConfigMapKeyFromRepo:
    """Make one data key of a live ConfigMap (e.g. argocd-cm) say what the repository's file says now: set it
    (merge patch) or remove it (JSON patch). A key-level patch, because `kubectl apply` cannot remove a key
    that another field manager applied."""

    path: str
    name: str
    key: str

    def describe(self) -> str:
        return f"kubectl patch configmap {self.name} data[{self.key}] as {self.path} now says (set or remove)"

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        import yaml

        text = stack.git.read(GITOPS, self.path)
        docs = [d for d in yaml.safe_load_all(text or "") if isinstance(d, dict)]
        cm = next((d for d in docs if d.get("kind") == "ConfigMap" and d["metadata"].get("name") == self.name), None)
        if cm is None:
            raise RuntimeError(f"{self.path} has no ConfigMap {self.name}")
        ns = cm["metadata"].get("namespace") or stack.config.argocd_namespace
        value = (cm.get("data") or {}).get(self.key)
        if value is not None:
            patch, kind = json.dumps({"data": {self.key: value}}), "--type=merge"
        else:
            live = stack.kube.get("configmap", self.name, ns) or {}
            if self.key not in (live.get("data") or {}):
                return
            pointer = "/data/" + self.key.replace("~", "~0").replace("/", "~1")
            patch, kind = json.dumps([{"op": "remove", "path": pointer}]), "--type=json"
        stack.kube.kubectl("-n", ns, "patch", "configmap", self.name, kind, "-p", patch)


@dataclass(frozen=True)
class DeleteJob:
    name: str
    namespace: str = DEFAULTS.airflow_namespace  # for the plan; apply uses the run's config

    def describe(self) -> str:
        return f"kubectl -n {self.namespace} delete job {self.name} (Argo CD re-creates it)"

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        stack.kube.kubectl("-n", stack.config.airflow_namespace, "delete", "job", self.name,
                           "--ignore-not-found", "--cascade=foreground")


@dataclass(frozen=True)
class ResetMetadataDatabase:
    """`airflow db reset --yes --skip-init` through the scheduler: an empty, unmigrated metadata database."""

    release: str = REFERENCE_RELEASE
    namespace: str = DEFAULTS.airflow_namespace  # for the plan; apply uses the run's config

    def describe(self) -> str:
        workload, container = scheduler_of(self.release)
        return (f"kubectl -n {self.namespace} exec {workload} -c {container} -- "
                "airflow db reset --yes --skip-init (drops every table; nothing migrates it again)")

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        workload, container = scheduler_of(self.release)
        stack.kube.kubectl("-n", stack.config.airflow_namespace, "exec", workload, "-c", container, "--",
                           "airflow", "db", "reset", "--yes", "--skip-init")


@dataclass(frozen=True)
class Note:
    """A step that changes nothing: says what the operator deliberately does NOT do (e.g. touch the pods)."""

    text: str

    def describe(self) -> str:
        return self.text

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        memory.notes.append(f"{time.strftime('%H:%M:%S', time.gmtime())} {self.text}")


def _strings(data: object) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for v in data.values() for s in _strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return []


# --- waiting on a change the next step needs -----------------------------------------------------------------


@dataclass(frozen=True)
class WaitForSecretData:
    """Wait (deadline, no sleep) until ESO has written the new (or the restored) data into one Secret.

    Why: pods read Secrets only at start, so restarting them before ESO rewrote the Secret proves nothing.
    """

    name: str
    changed: bool  # True: differs from the baseline; False: equals the baseline again
    within: float = 180.0

    def describe(self) -> str:
        what = "holds the new data" if self.changed else "holds its original data again"
        return f"wait until Secret {self.name} {what} (at most {int(self.within)} s)"

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        from e2e.observe.snapshot import SecretSeen
        from e2e.observe.wait import Ok, Pending, eventually  # the shared wait loop (monotonic deadline)

        baseline = memory.before.secrets.get(self.name)
        ns = stack.config.airflow_namespace

        def check():
            obj = stack.kube.get("Secret", self.name, ns)
            if obj is None:
                return Pending(f"Secret {self.name} absent")
            same = baseline is not None and SecretSeen.from_api(obj).digests == baseline.digests
            return Ok(self.name) if same != self.changed else Pending(f"Secret {self.name} not rewritten yet")

        eventually(check, timeout=stack.config.timeout(self.within), interval=2.0, describe=self.describe())


@dataclass(frozen=True)
class RunAirflowCli:
    """Run an Airflow CLI command in the scheduler and keep its (masked) output as a log source `probe/<label>`.

    Why: some failures only show when Airflow uses a value (the Fernet key on the first encryption).
    """

    label: str
    args: tuple[str, ...]
    release: str = REFERENCE_RELEASE
    namespace: str = DEFAULTS.airflow_namespace  # for the plan; apply uses the run's config

    def describe(self) -> str:
        workload, container = scheduler_of(self.release)
        return (f"kubectl -n {self.namespace} exec {workload} -c {container} -- airflow "
                f"{' '.join(self.args)} (output kept as probe/{self.label})")

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        # through `sh -c ... 2>&1; echo exit $?` so a failing command still returns its whole output
        script = " ".join(shlex.quote(a) for a in ("airflow", *self.args)) + ' 2>&1; echo "exit $?"'
        try:
            workload, container = scheduler_of(self.release)
            output = stack.kube.kubectl("-n", stack.config.airflow_namespace, "exec", workload, "-c",
                                        container, "--", "sh", "-c", script)
        except Exception as exc:  # the pod is not there yet (restarting): the next look tries again
            output = f"probe could not run: {exc}"
        memory.probe_logs[f"probe/{self.label}"] = stack.masker.mask(str(output)).splitlines()
