"""The steps a scenario takes, each one action of the shared Operator (e2e/stack/operator.py).

Why typed steps: `describe()` is the plan line a dry run prints (names, paths, fields; never a payload value)
and `apply(stack, memory)` hands the action to `Operator(stack)`, the one owner of every change tests and
scenarios make. Steps that undo a break (restore the files, restore the payload) read what the break step
saved in Memory, like `git revert` would. Names in a step's fields (release, namespaces, payload location)
come from the repository's Layout and only feed the description: the operator acts with the stack's own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from e2e.scenarios.model import Memory
from e2e.scenarios.transforms import DoesNotApply, FileEdit, PayloadEdit, apply_edits, apply_payload_edits
from e2e.stack import eso
from e2e.stack.operator import GITOPS, VAULT_POD_SELECTOR, Operator, pod_selector, scheduler_workload

if TYPE_CHECKING:
    from e2e.contract import RunningStack


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
        op = Operator(stack)
        before = {p: op.read(p) for p in self.paths()}
        changes = self.changes(before)
        for path, text in before.items():
            memory.saved_files.setdefault(path, text)
        sha = op.commit(changes, self.message, refresh=self.refresh)
        memory.notes.append(f"committed {sha[:12]} to {GITOPS}: {self.message}")


@dataclass(frozen=True)
class RestoreFiles:
    """Commit back the files as they were before the break (a revert, as a new commit)."""

    message: str
    refresh: tuple[str, ...] = ()

    def describe(self) -> str:
        tail = f", then refresh {', '.join(self.refresh)}" if self.refresh else ""
        return f"git commit {self.message!r}: restore every file the break changed{tail}"

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        sha = Operator(stack).revert(memory.saved_files, self.message, refresh=self.refresh)
        memory.notes.append(f"committed {sha[:12]} to {GITOPS}: {self.message}")


# --- Vault ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VaultPayload:
    """Rewrite the payload at <mount>/<key> (`vault kv put`) with some fields changed."""

    edits: tuple[PayloadEdit, ...]
    location: str  # <mount>/<key>, shown in the plan; the stack's VaultAdmin knows where it writes

    def describe(self) -> str:
        return f"vault kv put {self.location}: " + "; ".join(e.describe() for e in self.edits)

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        op = Operator(stack)
        current = op.read_payload()
        if memory.saved_payload is None:
            memory.saved_payload = current
        op.write_payload(apply_payload_edits(current, self.edits))
        memory.notes.append(self.describe())


@dataclass(frozen=True)
class RestorePayload:
    location: str  # <mount>/<key>, for the plan

    def describe(self) -> str:
        return f"vault kv put {self.location}: the payload as it was before the break"

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        if memory.saved_payload is not None:
            Operator(stack).write_payload(memory.saved_payload)


@dataclass(frozen=True)
class VaultPolicyFromRepo:
    """`vault policy write NAME vault/policies/NAME.hcl` with the file as it is now in the repository."""

    name: str

    def describe(self) -> str:
        return f"vault policy write {self.name} vault/policies/{self.name}.hcl (as committed)"

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        op = Operator(stack)
        text = op.read(f"vault/policies/{self.name}.hcl")
        if text is None:
            raise RuntimeError(f"vault/policies/{self.name}.hcl is not in the repository")
        op.write_policy(self.name, text)


@dataclass(frozen=True)
class RestartVault:
    namespace: str  # for the plan

    def describe(self) -> str:
        return (f"kubectl -n {self.namespace} delete pod -l {VAULT_POD_SELECTOR} "
                "(dev mode: data, policies, auth and CA are lost)")

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        Operator(stack).restart_vault()


@dataclass(frozen=True)
class ReseedVault:
    """Re-seed Vault idempotently (policies, kubernetes auth, role, payload) and hand ESO the new CA."""

    def describe(self) -> str:
        return ("read Vault's new dev CA, re-seed Vault (policy, kubernetes auth, role, payload; idempotent) "
                "and rewrite the ClusterSecretStore's CA ConfigMap with it")

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        Operator(stack).reseed_vault()
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
        Operator(stack).force_sync(self.names)


@dataclass(frozen=True)
class RefreshApplication:
    name: str
    hard: bool = False

    def describe(self) -> str:
        return f"refresh Application {self.name}" + (" (hard)" if self.hard else "")

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        Operator(stack).refresh(self.name, hard=self.hard)


@dataclass(frozen=True)
class SyncApplication:
    """Start a sync now (what `argocd app sync` does: set `.operation`): auto-sync does not retry a commit
    whose sync failed once its retries are used up."""

    name: str
    namespace: str  # for the plan

    def describe(self) -> str:
        return f"kubectl -n {self.namespace} patch application {self.name}: operation sync (argocd app sync)"

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        Operator(stack).sync(self.name)


@dataclass(frozen=True)
class TerminateSyncOperation:
    """End a sync operation that waits forever (a PostSync hook waiting on pods that wait on it): what
    `argocd app terminate-op` does. Nothing happens when no operation is running."""

    name: str

    def describe(self) -> str:
        return f"terminate the running sync operation of Application {self.name} (argocd app terminate-op)"

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        Operator(stack).terminate_sync(self.name)


@dataclass(frozen=True)
class RestartAirflowPods:
    """Delete the Airflow pods so their controllers start new ones (env and subPath mounts read at start)."""

    components: tuple[str, ...]
    release: str  # the chart labels its pods `release=<helm.releaseName>`; for the plan
    namespace: str  # for the plan

    def describe(self) -> str:
        return f"kubectl -n {self.namespace} delete pod -l '{pod_selector(self.release, self.components)}'"

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        Operator(stack).restart_pods(self.components)


@dataclass(frozen=True)
class ScaleEso:
    """Hold or release External Secrets Operator (the harness installs it; Argo CD does not manage it)."""

    replicas: int
    namespace: str  # for the plan

    def describe(self) -> str:
        return f"kubectl -n {self.namespace} scale deployment/{eso.RELEASE} --replicas={self.replicas}" + (
            " and wait until its pods are gone" if self.replicas == 0 else "")

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        Operator(stack).scale_eso(self.replicas)


@dataclass(frozen=True)
class DeleteSecrets:
    """Delete every ExternalSecret target of the repository (what ESO wrote)."""

    namespace: str  # for the plan

    def describe(self) -> str:
        return f"kubectl -n {self.namespace} delete secret <every ExternalSecret target>"

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        Operator(stack).delete_secrets()


@dataclass(frozen=True)
class DeleteApplication:
    """Delete an Application with its resources (what `argocd app delete --cascade` does): the finalizer first."""

    name: str
    namespace: str  # for the plan

    def describe(self) -> str:
        return (f"kubectl -n {self.namespace} patch application {self.name} (add "
                f"resources-finalizer.argocd.argoproj.io) and delete it; the parent Application recreates it")

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        Operator(stack).delete_application(self.name)


@dataclass(frozen=True)
class ConfigMapKeyFromRepo:
    """Make one data key of a live ConfigMap (e.g. argocd-cm) say what the repository's file says now: set it
    or remove it."""

    path: str
    name: str
    key: str

    def describe(self) -> str:
        return f"kubectl patch configmap {self.name} data[{self.key}] as {self.path} now says (set or remove)"

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        import yaml

        op = Operator(stack)
        docs = [d for d in yaml.safe_load_all(op.read(self.path) or "") if isinstance(d, dict)]
        cm = next((d for d in docs if d.get("kind") == "ConfigMap" and d["metadata"].get("name") == self.name), None)
        if cm is None:
            raise RuntimeError(f"{self.path} has no ConfigMap {self.name}")
        op.patch_config_map_key(self.name, cm["metadata"].get("namespace") or stack.config.argocd_namespace,
                                self.key, (cm.get("data") or {}).get(self.key))


@dataclass(frozen=True)
class DeleteJob:
    name: str
    namespace: str  # for the plan

    def describe(self) -> str:
        return f"kubectl -n {self.namespace} delete job {self.name} (Argo CD re-creates it)"

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        Operator(stack).delete_job(self.name)


def _scheduler(release: str) -> str:
    return " -c ".join(scheduler_workload(release))


@dataclass(frozen=True)
class ResetMetadataDatabase:
    """`airflow db reset --yes --skip-init` through the scheduler: an empty, unmigrated metadata database."""

    release: str  # for the plan
    namespace: str  # for the plan

    def describe(self) -> str:
        return (f"kubectl -n {self.namespace} exec {_scheduler(self.release)} -- "
                "airflow db reset --yes --skip-init (drops every table; nothing migrates it again)")

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        Operator(stack).airflow("db", "reset", "--yes", "--skip-init")


@dataclass(frozen=True)
class Note:
    """A step that changes nothing: says what the operator deliberately does NOT do (e.g. touch the pods)."""

    text: str

    def describe(self) -> str:
        return self.text

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        memory.notes.append(f"{time.strftime('%H:%M:%S', time.gmtime())} {self.text}")


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
    release: str  # for the plan
    namespace: str  # for the plan

    def describe(self) -> str:
        return (f"kubectl -n {self.namespace} exec {_scheduler(self.release)} -- airflow "
                f"{' '.join(self.args)} (output kept as probe/{self.label})")

    def apply(self, stack: RunningStack, memory: Memory) -> None:
        memory.probe_logs[f"probe/{self.label}"] = Operator(stack).airflow_output(*self.args).splitlines()
