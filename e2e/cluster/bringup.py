"""Execute a RunPlan against a real cluster: phases in order, lanes in parallel, progress with elapsed time.

Why here and thin: the plan decided everything; each handler below runs one step with kubectl/helm/kind/git
or hvac and waits on a condition with the step's deadline. Chart and install.yaml renders happen once
(images.preload) and are reused by the installs, so the image list is what really gets applied.
"""

from __future__ import annotations

import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml

from e2e import versions
from e2e.cluster import gitremote, kindconfig, providers, tools, vaultadmin
from e2e.cluster import images as images_mod
from e2e.cluster.kube import KubeClient, without_test_hooks
from e2e.cluster.plan import RunPlan, RunSecrets, Step, dns_rewrites
from e2e.config import REPO_ROOT, RunConfig
from e2e.gitops.loader import load_repository
from e2e.gitops.model import Repository
from e2e.install import airflow_install
from e2e.masking import Masker
from e2e.stack import argocd, coredns, eso, gitserver, vault
from e2e.stack.common import Obj, labelled

STATE_ROOT = REPO_ROOT / ".cache" / "airflow-e2e" / "runs"  # git-ignored; never under artifacts/ (CI uploads it)
ROLLOUT_KINDS = {"Deployment": "deployment", "StatefulSet": "statefulset", "DaemonSet": "daemonset"}


class BringUpError(RuntimeError):
    """A step failed; the message names the phase and step and carries the (masked) reason."""


def rollout_targets(objects: list[Obj]) -> list[tuple[str, str]]:
    """(namespace, kind/name) of every workload in rendered objects: what `ready` waits for."""
    return [((o.get("metadata") or {}).get("namespace", ""), f"{ROLLOUT_KINDS[o['kind']]}/{o['metadata']['name']}")
            for o in objects if o.get("kind") in ROLLOUT_KINDS]


def transient_step_error(exc: BaseException) -> bool:
    """Errors a step's wait retries inside its deadline: a failed kubectl call (API server busy, port-forward
    not up), a dropped connection through the port-forward (requests/hvac), Vault answering 5xx while starting."""
    from e2e.observe.wait import is_transient

    if tls_verification_failed(exc):  # a requests SSLError is a ConnectionError, but a wrong CA stays wrong
        return False
    if isinstance(exc, tools.ToolError) or is_transient(exc):
        return True
    try:
        import hvac.exceptions
        import requests.exceptions
    except ImportError:  # pragma: no cover - both are dependencies of the harness
        return False
    return isinstance(exc, requests.exceptions.ConnectionError | requests.exceptions.Timeout
                      | hvac.exceptions.VaultDown | hvac.exceptions.InternalServerError
                      | hvac.exceptions.BadGateway)


def tls_verification_failed(exc: BaseException) -> bool:
    """The server's certificate was not verified (wrong CA, wrong name): never transient."""
    import ssl

    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError) or type(seen).__name__ == "SSLError":
            return True
        reason = getattr(seen, "reason", None)
        if isinstance(reason, BaseException) and reason is not seen and tls_verification_failed(reason):
            return True
        args = [a for a in getattr(seen, "args", ()) if isinstance(a, BaseException)]
        if any(tls_verification_failed(a) for a in args):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def missing_handlers(plan: RunPlan, handlers: Mapping[str, Any]) -> list[str]:
    return [s.name for s in plan.steps() if s.name not in handlers]


def with_namespace(objects: list[Obj], namespace: str, cluster_scoped: set[str]) -> list[Obj]:
    """install.yaml leaves namespaced objects without a namespace (it is applied with -n)."""
    out = []
    for obj in objects:
        if obj.get("kind") not in cluster_scoped:
            obj.setdefault("metadata", {}).setdefault("namespace", namespace)
        out.append(obj)
    return out


CLUSTER_SCOPED = {"CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "Namespace",
                  "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "PriorityClass",
                  "StorageClass", "IngressClass", "APIService"}


@dataclass
class Progress:
    masker: Masker
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    started: float = field(default_factory=time.monotonic)

    def say(self, text: str) -> None:
        print(self.masker.mask(f"[airflow-e2e {time.monotonic() - self.started:7.1f}s] {text}"), file=self.stream,
              flush=True)


def execute(plan: RunPlan, handlers: Mapping[str, Callable[[Step], None]], progress: Progress,
            only: set[str] | None = None) -> None:
    """Run the plan's phases (or only those named), lanes of a parallel phase in threads."""
    missing = missing_handlers(plan, handlers)
    if missing:
        raise BringUpError(f"no handler for steps: {', '.join(missing)}")

    def run_lane(phase_name: str, lane: list[Step]) -> None:
        for step in lane:
            begun = time.monotonic()
            progress.say(f"{phase_name}: {step.name} ... {step.describe}")
            try:
                handlers[step.name](step)
            except Exception as exc:
                raise BringUpError(progress.masker.mask(f"{phase_name}/{step.name}: {exc}")) from None
            progress.say(f"{phase_name}: {step.name} done in {time.monotonic() - begun:.1f}s")

    for phase in plan.phases:
        if only is not None and phase.name not in only:
            continue
        begun = time.monotonic()
        progress.say(f"phase {phase.name} ({'parallel' if phase.parallel else 'serial'}, "
                     f"{len(phase.steps())} steps)")
        if phase.parallel:
            with ThreadPoolExecutor(max_workers=len(phase.lanes)) as pool:
                futures = [pool.submit(run_lane, phase.name, lane) for lane in phase.lanes]
                errors = [f.exception() for f in futures if f.exception() is not None]
            if errors:
                raise errors[0]  # type: ignore[misc]
        else:
            for lane in phase.lanes:
                run_lane(phase.name, lane)
        progress.say(f"phase {phase.name} done in {time.monotonic() - begun:.1f}s")


def configure_objects(plan: RunPlan, step: Step, install: list[Obj], config: RunConfig,
                      repo: Repository) -> list[Obj]:
    """The objects of a configure step, argocd-cm rebuilt over the install.yaml's own argocd-cm (a server-side
    apply by the same field manager would otherwise delete the keys the release ships there)."""
    shipped = argocd.shipped_argocd_cm(install)
    out: list[Obj] = []
    for manifest in step.manifests:
        for obj in plan.manifests[manifest].objects:
            is_cm = obj.get("kind") == "ConfigMap" and obj["metadata"].get("name") == "argocd-cm"
            out.append(argocd.argocd_cm(config, repo, base=shipped) if is_cm else obj)
    return out


class LiveRun:
    """One run against a real cluster: provider, clients, renders and the handlers of every plan step."""

    def __init__(self, config: RunConfig, plan: RunPlan, material: RunSecrets, repo: Repository,
                 masker: Masker, progress: Progress) -> None:
        self.config, self.plan, self.material, self.repo = config, plan, material, repo
        self.masker, self.progress = masker, progress
        self.workdir = STATE_ROOT / config.run_id
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.provider = providers.for_config(config, self.workdir, masker)
        self.kube: KubeClient | None = None
        self.rendered: dict[str, list[Obj]] = {}
        self.vault: vaultadmin.HvacVault | None = None
        self._render_lock = threading.Lock()
        self.git: gitremote.GitServerRemote | None = None
        self.pushed: dict[str, str] = {}  # server path -> commit sha this run pushed

    # --- helpers ---------------------------------------------------------------------------------------------
    def k(self) -> KubeClient:
        if self.kube is None:
            kubeconfig = self.provider.kubeconfig if self.config.cluster == "kind" else self.config.kubeconfig
            self.kube = KubeClient(kubeconfig, self.provider.context, self.masker)
        return self.kube

    def objects(self, manifest: str) -> list[Obj]:
        return self.plan.manifests[manifest].objects

    def _values_file(self, manifest: str) -> Path:
        path = self.workdir / manifest
        tools.write_private(path, self.plan.manifests[manifest].text or "")
        return path

    def render_charts(self) -> None:
        """helm template Vault and ESO, fetch install.yaml, render the Airflow chart with the pushed values."""
        with self._render_lock:
            if not self.rendered:
                self._render_all()

    def _render_all(self) -> None:
        vault_argv = vault.template_argv(self.config, str(self._values_file("10-vault-values.yaml")))
        eso_argv = eso.template_argv(self.config, self.repo, str(self._values_file("11-eso-values.yaml")))
        for key, argv, namespace in (("vault", vault_argv, self.config.vault_namespace),
                                     ("eso", eso_argv, self.config.eso_namespace)):
            out = tools.run(argv, masker=self.masker, timeout=300).stdout
            docs = with_namespace(without_test_hooks(list(yaml.safe_load_all(out))), namespace, CLUSTER_SCOPED)
            self.rendered[key] = [labelled(o, self.config) for o in docs]
        with urllib.request.urlopen(argocd.install_source(), timeout=120) as response:
            install = [o for o in yaml.safe_load_all(response.read().decode()) if isinstance(o, dict)]
        self.rendered["argocd"] = [labelled(o, self.config) for o in
                                   with_namespace(install, self.config.argocd_namespace, CLUSTER_SCOPED)]
        self.rendered["airflow"] = self._render_airflow()

    def _render_airflow(self) -> list[Obj]:
        """The Airflow chart with the pushed values, at every chart version the run will deploy."""
        inst = airflow_install(self.repo)  # release and values files as the repository names them (`af`, ...)
        release, values = inst.release, inst.values_file_paths
        value_args: list[str] = []
        for rel in values:
            path = self.workdir / "values" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(self.plan.repo_files[rel], encoding="utf-8")
            value_args += ["--values", str(path)]
        objects: list[Obj] = []
        for version in sorted({self.config.chart_version, self.config.upgrade_from} - {None}):
            argv = ["helm", "template", release, "airflow", "--repo", versions.AIRFLOW_CHART_REPO, "--version",
                    str(version), "--namespace", self.config.airflow_namespace, *value_args]
            out = tools.run(argv, masker=self.masker, timeout=300, check=False)
            if out.returncode == 0:
                objects += [o for o in yaml.safe_load_all(out.stdout) if isinstance(o, dict)]
            else:
                self.progress.say(f"airflow chart {version} not rendered (its images are pulled by the node)")
        return objects

    def wait_rollouts(self, targets: list[tuple[str, str]], timeout: float) -> None:
        for namespace, target in targets:
            self.k().kubectl("-n", namespace, "rollout", "status", target, f"--timeout={int(timeout)}s",
                             timeout=timeout + 30)

    # --- handlers --------------------------------------------------------------------------------------------
    def handlers(self) -> dict[str, Callable[[Step], None]]:
        return {
            "cluster.create": self.cluster_create,
            "cluster.connect": self.cluster_connect,
            "gitserver.image": self.build_git_server_image,
            "images.preload": self.preload,
            "namespaces.apply": self.apply_manifests,
            "vault.install": self.install_rendered("vault"),
            "eso.install": self.install_rendered("eso"),
            "argocd.install": self.install_rendered("argocd"),
            "gitserver.install": self.apply_manifests,
            "postgres.install": self.apply_manifests,
            "coredns.patch": self.coredns_patch,
            "coredns.restart": self.run_kubectl,
            "vault.ready": lambda s: self.wait_rollouts(rollout_targets(self.rendered["vault"]), s.timeout),
            "eso.ready": self.eso_ready,
            "argocd.ready": lambda s: self.wait_rollouts(rollout_targets(self.rendered["argocd"]), s.timeout),
            "gitserver.ready": self.wait_manifest_rollouts("13-git-server.yaml"),
            "postgres.ready": self.wait_manifest_rollouts("14-postgresql.yaml"),
            "coredns.ready": lambda s: self.wait_rollouts([("kube-system", "deployment/coredns")], s.timeout),
            "vault.publish-ca": self.publish_ca,
            "vault.seed": self.seed,
            "gitserver.push": self.push,
            "argocd.configure": self.argocd_configure,
            "argocd.restart": self.run_kubectl,
            "argocd.ready-again": lambda s: self.wait_rollouts(
                [(self.config.argocd_namespace, t) for t in argocd.RESTART_AFTER_CM], s.timeout),
            "airflow.root": self.apply_manifests,
            "airflow.ready": self.airflow_ready,
        }

    def apply_manifests(self, step: Step) -> None:
        """Apply the plan's own objects the step names (its manifests), as the plan shows them."""
        self.k().apply([o for manifest in step.manifests for o in self.objects(manifest)], step.timeout)

    def run_kubectl(self, step: Step) -> None:
        """The step's kubectl command as the plan prints it (the restarts)."""
        self.k().kubectl(*step.argv[1:], timeout=step.timeout)

    def wait_manifest_rollouts(self, manifest: str) -> Callable[[Step], None]:
        """Wait for the workloads of one of the plan's own manifests (git server, PostgreSQL)."""
        return lambda step: self.wait_rollouts(rollout_targets(self.objects(manifest)), step.timeout)

    def install_rendered(self, key: str) -> Callable[[Step], None]:
        """Apply a chart / install.yaml render (rendered once, labelled with the run id)."""
        def install(step: Step) -> None:
            self.render_charts()
            self.k().apply(self.rendered[key], step.timeout)
        return install

    def argocd_configure(self, step: Step) -> None:
        """Repository Secret, known hosts and argocd-cm; argocd-cm keeps what install.yaml shipped in it."""
        self.render_charts()
        self.k().apply(configure_objects(self.plan, step, self.rendered["argocd"], self.config, self.repo),
                       step.timeout)

    def cluster_create(self, step: Step) -> None:
        node_image = self.config.node_image or versions.node_image()
        refusal = kindconfig.cgroup_refusal(node_image, tools.engine_cgroup_version())
        if refusal:
            raise BringUpError(refusal)
        self.provider.up(self.plan.manifests["00-kind-config.yaml"].text or "", step.timeout)
        if not self.provider.created:  # a kept cluster: same settings, and nothing of earlier runs left
            refusal = kindconfig.reuse_refusal(self.k().list("nodes"), self.config)
            if refusal:
                raise BringUpError(refusal)
            removed = providers.delete_previous_runs(self.k(), self.config)
            if removed:
                self.progress.say(f"reused cluster: removed the objects of earlier runs {', '.join(removed)}")
        if self.config.registry_mirror and isinstance(self.provider, providers.KindProvider):
            for node in self.provider.nodes():
                for argv, text in kindconfig.mirror_node_commands(node, self.config.registry_mirror):
                    tools.run(argv, input_text=text, masker=self.masker)

    def cluster_connect(self, step: Step) -> None:
        self.k().kubectl("version", timeout=step.timeout)
        foreign = providers.foreign_crds(self.k().list("customresourcedefinitions"), self.config)
        if foreign:
            raise BringUpError(f"the cluster already runs Argo CD or ESO ({', '.join(foreign[:3])}...); use a "
                               "cluster without them, or kind")

    def build_git_server_image(self, step: Step) -> None:
        """docker build once per content hash (the tag); the preload then loads it into the node."""
        if tools.run(["docker", "image", "inspect", gitserver.image()], check=False, timeout=60).returncode == 0:
            self.progress.say(f"git server image {gitserver.image()} already built")
            return
        context = self.workdir / "git-server-image"
        context.mkdir(parents=True, exist_ok=True)
        (context / "Dockerfile").write_text(gitserver.DOCKERFILE, encoding="utf-8")
        tools.run(gitserver.build_argv(str(context)), masker=self.masker, timeout=step.timeout)

    def preload(self, step: Step) -> None:
        self.render_charts()
        every = [o for objs in self.rendered.values() for o in objs]
        wanted = sorted(set(self.plan.images) | set(images_mod.images_in(every)))
        load, pull = images_mod.preload(wanted, tools.local_images())
        (self.workdir / "images.txt").write_text("\n".join(wanted) + "\n", encoding="utf-8")
        self.progress.say(f"images: {len(load)} preloaded from the local engine, {len(pull)} pulled by the node")
        images_mod.load_all(load, self.provider.load_image, self.progress.say)

    def coredns_patch(self, step: Step) -> None:
        live = self.k().get("configmap", "coredns", "kube-system")
        if live is None:
            raise BringUpError("kube-system/coredns ConfigMap not found: the cluster does not run CoreDNS")
        self.k().apply([coredns.patched_config_map(live, dns_rewrites(self.config, self.repo), self.config)],
                       step.timeout)

    def eso_ready(self, step: Step) -> None:
        self.k().wait_established(eso.CRDS_TO_ESTABLISH, step.timeout, grace=30)
        self.wait_rollouts(rollout_targets(self.rendered["eso"]), step.timeout)

    def publish_ca(self, step: Step) -> None:
        ca = self.k().kubectl(*vault.read_ca_args(self.config), timeout=step.timeout)
        self.k().apply([vault.ca_config_map(self.config, self.repo, ca)], step.timeout)
        self.vault = vaultadmin.HvacVault(self.k(), self.config, self.repo, self.material.vault_token, ca,
                                          self.workdir)

    def seed(self, step: Step) -> None:
        from e2e.observe.wait import Ok, Pending, eventually

        assert self.vault is not None

        def attempt():
            try:
                self.vault.seed(self.repo, self.material.payload)  # idempotent: safe to repeat
                return Ok()
            except Exception as exc:  # the port-forward or Vault not answering yet; anything else is a bug
                if not transient_step_error(exc):
                    raise
                return Pending(f"{type(exc).__name__}: {exc}")

        eventually(attempt, step.timeout, interval=2.0, describe="seed Vault", masker=self.masker)

    def push(self, step: Step) -> None:
        self.git = gitremote.GitServerRemote(self.k(), self.config, self.repo, self.material.host_key.public_line,
                                             self.material.deploy_key, self.workdir)
        for path, files in gitremote.initial_pushes(self.repo, self.plan.repo_files, self.plan.dags_files):
            sha = self.git.push_tree(path, files, f"airflow-e2e {self.config.run_id}: initial content")
            self.pushed[path] = sha
            self.progress.say(f"pushed {path} at {sha[:12]}")

    def airflow_ready(self, step: Step) -> None:
        from e2e.observe.wait import Failed, Ok, Pending, eventually

        children = argocd.child_applications(self.repo)
        root = argocd.root_application(self.repo)["metadata"]["name"]
        namespace = self.config.argocd_namespace

        def check():
            try:
                live = {name: self.k().get("applications.argoproj.io", name, namespace) for name in [root, *children]}
            except tools.ToolError as exc:  # the API server busy for a moment: the deadline still holds
                return Pending(str(exc))
            state, reason = argocd.convergence_state(live.pop(root), live, set(self.pushed.values()), time.time())
            return {"ok": Ok, "failed": Failed}.get(state, Pending)(reason)

        eventually(check, step.timeout, interval=5.0, describe="root and child Applications Synced/Healthy",
                   masker=self.masker)

    def pushed_repository(self) -> Repository:
        root = self.workdir / "gitops-pushed"
        for rel, text in self.plan.repo_files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return load_repository(root)


@dataclass
class LiveStack:
    """A RunningStack (e2e.contract): everything up and both Applications Synced/Healthy."""

    config: RunConfig
    repo: Repository
    payload: dict[str, Any]
    masker: Masker
    kube: KubeClient
    git: gitremote.GitServerRemote
    vault: vaultadmin.HvacVault
    artifacts: Path


def stack_of(run: LiveRun) -> LiveStack:
    assert run.git is not None and run.vault is not None and run.kube is not None
    return LiveStack(run.config, run.pushed_repository(), run.material.payload, run.masker, run.kube, run.git,
                     run.vault, run.config.artifacts_dir)
