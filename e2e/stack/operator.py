"""The operator: every change a test or a scenario makes to a running stack, as a person operating it would.

Why one owner: a commit to the GitOps repository, its revert, an Argo CD refresh or sync, scaling or
restarting a workload, an Airflow CLI command, a Vault write were written in the scenario steps, the cluster
suites and the stack itself, each with its own names. Here every action goes through the RunningStack
contract (git, vault, kube) and every name comes from the stack's AirflowInstall (release, scheduler, Jobs)
and its RunConfig (namespaces): nothing assumes the reference repository. The scenarios' steps describe
what they do and call this; teams' tests get it as the `operator` fixture.
"""

from __future__ import annotations

import json
import shlex
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from e2e.install import SCHEDULER, AirflowInstall, airflow_install
from e2e.masking import secret_values
from e2e.stack import eso, vault

if TYPE_CHECKING:
    from e2e.contract import RunningStack

GITOPS, DAGS = "gitops", "dags"  # the GitRemote names of the two repositories
APPLICATION = "applications.argoproj.io"
EXTERNAL_SECRET = "externalsecrets.external-secrets.io"
VAULT_POD_SELECTOR = "app.kubernetes.io/name=vault,component=server"
ESO_POD_SELECTOR = f"app.kubernetes.io/name={eso.RELEASE},app.kubernetes.io/instance={eso.RELEASE}"
AIRFLOW_COMPONENTS = ("scheduler", "worker", "api-server", "webserver", "dag-processor", "triggerer")
FINALIZER = "resources-finalizer.argocd.argoproj.io"


def pod_selector(release: str, components: Iterable[str]) -> str:
    """The chart's pods of some components: it labels them `release=<helm.releaseName>,component=<name>`."""
    return f"release={release},component in ({','.join(components)})"


def scheduler_workload(release: str) -> tuple[str, str]:
    """(workload, container) where Airflow CLI commands run: the chart's `<release>-scheduler` Deployment."""
    return f"deploy/{SCHEDULER.format(release=release)}", "scheduler"


class Operator:
    """Acts on `stack` (a RunningStack); `install` is what its pushed repository installs."""

    def __init__(self, stack: RunningStack) -> None:
        self.stack = stack

    @property
    def install(self) -> AirflowInstall:
        return airflow_install(self.stack.repo)

    @property
    def scheduler(self) -> tuple[str, str]:
        return scheduler_workload(self.install.release)

    def _kubectl(self, *args: str, input_text: str | None = None) -> str:
        return self.stack.kube.kubectl(*args, input_text=input_text)

    def _timeout(self, seconds: float) -> str:
        return f"--timeout={int(self.stack.config.timeout(seconds))}s"

    # --- git ---------------------------------------------------------------------------------------------------

    def read(self, path: str, repo: str = GITOPS) -> str | None:
        """A file as the git server has it now (None when absent)."""
        return self.stack.git.read(repo, path)

    def commit(self, changes: Mapping[str, str | None], message: str, *, repo: str = GITOPS,
               refresh: Iterable[str] = ()) -> str:
        """Push one commit writing (str) or deleting (None) files, as a merged pull request would; then refresh
        the named Applications instead of waiting for Argo CD's polling. Returns the commit's sha."""
        sha = self.stack.git.commit(repo, changes, message)
        for app in refresh:
            self.refresh(app)
        return sha

    def revert(self, saved: Mapping[str, str | None], message: str, *, repo: str = GITOPS,
               refresh: Iterable[str] = ()) -> str:
        """Commit back the files as they were (`saved`: path -> text before, None = did not exist): a revert as a
        new commit, never a rewrite of history."""
        return self.commit(dict(saved), message, repo=repo, refresh=refresh)

    # --- Argo CD -----------------------------------------------------------------------------------------------

    def application(self, name: str) -> dict[str, Any]:
        return self.stack.kube.get(APPLICATION, name, self.stack.config.argocd_namespace) or {}

    def live_chart_version(self) -> str | None:
        """The chart `targetRevision` the live chart Application asks for now (what the stack runs)."""
        spec = self.application(self.install.app.name).get("spec") or {}
        sources = spec.get("sources") or [spec.get("source") or {}]
        return next((s.get("targetRevision") for s in sources if s.get("chart")), None)

    def refresh(self, app: str, hard: bool = False) -> None:
        """`argocd app get --refresh` (or `--hard-refresh`): the refresh annotation."""
        self._kubectl("-n", self.stack.config.argocd_namespace, "annotate", APPLICATION, app,
                      f"argocd.argoproj.io/refresh={'hard' if hard else 'normal'}", "--overwrite")

    def sync(self, app: str, *, prune: bool = True, hooks: bool = False) -> None:
        """Start a sync now (`argocd app sync`: set `.operation`); `hooks` asks for the hook strategy."""
        sync: dict[str, Any] = {"syncStrategy": {"hook": {}}} if hooks else {}
        if prune:
            sync["prune"] = True
        patch = {"operation": {"initiatedBy": {"username": "airflow-e2e"}, "sync": sync}}
        self._kubectl("-n", self.stack.config.argocd_namespace, "patch", "application", app, "--type=merge",
                      "-p", json.dumps(patch))

    def terminate_sync(self, app: str) -> bool:
        """End a running sync operation (`argocd app terminate-op`); False when none was running."""
        if ((self.application(app).get("status") or {}).get("operationState") or {}).get("phase") != "Running":
            return False
        patch = {"status": {"operationState": {"phase": "Terminating"}}}
        self._kubectl("-n", self.stack.config.argocd_namespace, "patch", "application", app, "--type=merge",
                      "-p", json.dumps(patch))
        return True

    def delete_application(self, app: str) -> None:
        """`argocd app delete --cascade`: the resources finalizer first, then the Application."""
        ns = self.stack.config.argocd_namespace
        self._kubectl("-n", ns, "patch", "application", app, "--type=merge", "-p",
                      json.dumps({"metadata": {"finalizers": [FINALIZER]}}))
        self._kubectl("-n", ns, "delete", "application", app, "--wait=false")

    def patch_config_map_key(self, name: str, namespace: str, key: str, value: str | None) -> None:
        """Set one data key (merge patch) or remove it (JSON patch; nothing when absent): `kubectl apply` cannot
        remove a key another field manager applied."""
        if value is not None:
            patch, kind = json.dumps({"data": {key: value}}), "--type=merge"
        else:
            live = self.stack.kube.get("configmap", name, namespace) or {}
            if key not in (live.get("data") or {}):
                return
            pointer = "/data/" + key.replace("~", "~0").replace("/", "~1")
            patch, kind = json.dumps([{"op": "remove", "path": pointer}]), "--type=json"
        self._kubectl("-n", namespace, "patch", "configmap", name, kind, "-p", patch)

    # --- workloads ---------------------------------------------------------------------------------------------

    def restart_pods(self, components: Iterable[str] = AIRFLOW_COMPONENTS) -> None:
        """Delete the Airflow pods of some components so their controllers start new ones. Deleting pods, not
        `rollout restart`: a restart annotation is a diff Argo CD's selfHeal would revert."""
        self._kubectl("-n", self.stack.config.airflow_namespace, "delete", "pod", "-l",
                      pod_selector(self.install.release, components), "--wait=false")

    def scale_eso(self, replicas: int) -> None:
        """Hold (0) or release External Secrets Operator's controller, waiting until its pods are gone / ready."""
        ns = self.stack.config.eso_namespace
        self._kubectl("-n", ns, "scale", f"deployment/{eso.RELEASE}", f"--replicas={replicas}")
        if replicas == 0:
            self._kubectl("-n", ns, "wait", "pod", "-l", ESO_POD_SELECTOR, "--for=delete", self._timeout(120))
        else:
            self._kubectl("-n", ns, "rollout", "status", f"deployment/{eso.RELEASE}", self._timeout(120))

    def delete_secrets(self, names: Iterable[str] = ()) -> None:
        """Delete Secrets of the Airflow namespace (every ExternalSecret target of the repository when none)."""
        names = tuple(names) or tuple(es.target_name for es in self.stack.repo.external_secrets)
        self._kubectl("-n", self.stack.config.airflow_namespace, "delete", "secret", *names, "--ignore-not-found")

    def delete_job(self, name: str) -> None:
        self._kubectl("-n", self.stack.config.airflow_namespace, "delete", "job", name, "--ignore-not-found",
                      "--cascade=foreground")

    def exec(self, workload: tuple[str, str], *argv: str) -> str:
        """`kubectl exec` in (workload, container) of the Airflow namespace; raises when the command fails."""
        target, container = workload
        return self._kubectl("-n", self.stack.config.airflow_namespace, "exec", target, "-c", container, "--", *argv)

    def airflow(self, *args: str, workload: tuple[str, str] | None = None) -> str:
        """An Airflow CLI command in the scheduler (or `workload`); raises when it exits non-zero."""
        return self.exec(workload or self.scheduler, "airflow", *args)

    def airflow_output(self, *args: str) -> str:
        """An Airflow CLI command's whole output, also when it fails (`... 2>&1; echo "exit $?"`), masked."""
        script = " ".join(shlex.quote(a) for a in ("airflow", *args)) + ' 2>&1; echo "exit $?"'
        try:
            output = self.exec(self.scheduler, "sh", "-c", script)
        except Exception as exc:  # the pod is not there (restarting): the caller looks again later
            output = f"probe could not run: {exc}"
        return self.stack.masker.mask(str(output))

    # --- External Secrets and Vault ----------------------------------------------------------------------------

    def force_sync(self, names: Iterable[str] = ()) -> None:
        """Annotate ExternalSecrets `force-sync=<now>` so ESO retries now, not after its back-off (every
        ExternalSecret of the repository when none are named)."""
        names = tuple(names) or tuple(es.name for es in self.stack.repo.external_secrets)
        for name in names:
            self._kubectl("-n", self.stack.config.airflow_namespace, "annotate", EXTERNAL_SECRET, name,
                          f"force-sync={int(time.time())}", "--overwrite")

    def read_payload(self) -> dict[str, Any]:
        return self.stack.vault.read_payload()

    def write_payload(self, payload: Mapping[str, Any]) -> None:
        """`vault kv put` of the whole payload; its secret values join the masker first (e2e.payload)."""
        self.stack.masker.add(secret_values(payload))
        self.stack.vault.write_payload(payload)

    def write_policy(self, name: str, text: str) -> None:
        self.stack.vault.write_policy(name, text)

    def restart_vault(self) -> None:
        """Delete the Vault pod and wait for it again (dev mode: data, policies, auth and CA are lost)."""
        ns = self.stack.config.vault_namespace
        self._kubectl("-n", ns, "delete", "pod", "-l", VAULT_POD_SELECTOR, "--wait=true", self._timeout(120))
        self._kubectl("-n", ns, "rollout", "status", f"statefulset/{vault.RELEASE}", self._timeout(180))

    def reseed_vault(self) -> None:
        """Trust Vault's new dev CA, re-seed it (idempotent) and hand ESO the CA through the store's ConfigMap."""
        stack = self.stack
        ca_pem = self._kubectl(*vault.read_ca_args(stack.config))
        reload_ca = getattr(stack.vault, "reload_ca", None)
        if reload_ca is None:
            raise RuntimeError("this stack's VaultAdmin cannot trust a restarted Vault's new CA (no reload_ca)")
        reload_ca(ca_pem)
        stack.vault.seed(stack.repo, stack.payload)
        manifest = vault.ca_config_map(stack.config, stack.repo, ca_pem)
        self._kubectl("apply", "-f", "-", input_text=json.dumps(manifest))
