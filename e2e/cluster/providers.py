"""Where the cluster comes from (kind or a kubeconfig) and what happens to it afterwards.

Why the decisions are pure functions: keep/teardown after success, failure and Ctrl-C, and what an existing
cluster may lose, are the tier's most dangerous choices; they are tested on plain inputs. The classes only
run the commands those decisions name.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from e2e.cluster import tools
from e2e.config import EXPIRES_LABEL, RUN_ID_LABEL, KeepPolicy, RunConfig
from e2e.masking import Masker
from e2e.stack import coredns


@dataclass(frozen=True)
class Teardown:
    delete_cluster: bool  # kind only: `kind delete cluster`
    delete_run_objects: bool  # our labelled namespaces/objects, and the CoreDNS lines we added
    mark_expiry: bool  # label what is kept with an expiry, for `airflow-e2e sweep`


def teardown_decision(keep: KeepPolicy, failed: bool, created_cluster: bool) -> Teardown:
    """After a session. A kind cluster this run did not create (reused) is never deleted, only our objects."""
    kept = keep == "always" or (keep == "on-failure" and failed)
    if kept:
        return Teardown(False, False, True)
    return Teardown(created_cluster, not created_cluster, False)


def interrupted_decision(keep: KeepPolicy, created_cluster: bool) -> Teardown:
    """Ctrl-C during bring-up: tear down what was started unless told to keep it always (as after a success)."""
    return teardown_decision(keep, False, created_cluster)


def expiry_value(now: float, hours: float) -> str:
    """Label value: the epoch second after which `sweep` may delete (a valid label value: digits only)."""
    return str(int(now + hours * 3600))


def run_selector(config: RunConfig) -> str:
    return f"{RUN_ID_LABEL}={config.run_id}"


def existing_cluster_names(kind_clusters_output: str) -> list[str]:
    """`kind get clusters` output as names (`up` reuses one, `sweep` reads each one's nodes)."""
    names = (line.strip() for line in kind_clusters_output.splitlines())
    return [name for name in names if name and not name.startswith("No kind clusters")]


def delete_cluster_argv(name: str) -> list[str]:
    """`kind delete cluster` (teardown, `down` and `sweep`)."""
    return ["kind", "delete", "cluster", "--name", name]


class KindProvider:
    """kind: create with the run's config (clusters/kind.yaml rendering), or reuse a cluster of the same name."""

    def __init__(self, config: RunConfig, workdir: Path, masker: Masker) -> None:
        self.config, self.workdir, self.masker = config, workdir, masker
        self.created = False
        self.kubeconfig = workdir / "kubeconfig"

    @property
    def context(self) -> str:
        return f"kind-{self.config.cluster_name}"

    def exists(self) -> bool:
        out = tools.run(["kind", "get", "clusters"], masker=self.masker, timeout=60).stdout
        return self.config.cluster_name in existing_cluster_names(out)

    def up(self, kind_config_text: str, timeout: float) -> None:
        if not self.exists():
            cfg = self.workdir / "kind-config.yaml"
            cfg.write_text(kind_config_text, encoding="utf-8")
            self.created = True  # set first: an interrupted create is still ours to delete
            tools.run(["kind", "create", "cluster", "--name", self.config.cluster_name, "--config", str(cfg),
                       "--wait", "120s"], masker=self.masker, timeout=timeout)
        kubeconfig = tools.run(["kind", "get", "kubeconfig", "--name", self.config.cluster_name],
                               masker=self.masker, timeout=60).stdout
        tools.write_private(self.kubeconfig, kubeconfig)

    def nodes(self) -> list[str]:
        out = tools.run(["kind", "get", "nodes", "--name", self.config.cluster_name], masker=self.masker).stdout
        return [n.strip() for n in out.splitlines() if n.strip()]

    def load_image(self, image: str) -> None:
        tools.run(["kind", "load", "docker-image", "--name", self.config.cluster_name, image], masker=self.masker,
                  timeout=self.config.timeout(600))

    def export_logs(self, out: Path) -> None:
        tools.run(["kind", "export", "logs", str(out), "--name", self.config.cluster_name], masker=self.masker,
                  timeout=300, check=False)

    def mark_expiry(self, kube) -> None:
        value = expiry_value(time.time(), self.config.keep_hours)
        kube.kubectl("label", "nodes", "--all", f"{EXPIRES_LABEL}={value}", f"{RUN_ID_LABEL}={self.config.run_id}",
                     "--overwrite")

    def delete(self) -> None:
        tools.run(delete_cluster_argv(self.config.cluster_name), masker=self.masker, timeout=300)


class ExistingProvider:
    """A kubeconfig and context the user gives: only labelled namespaces and objects are created or deleted."""

    created = False

    def __init__(self, config: RunConfig, masker: Masker) -> None:
        self.config, self.masker = config, masker
        self.kubeconfig = config.kubeconfig
        self.context = config.context

    def up(self, kind_config_text: str, timeout: float) -> None:
        return None

    def mark_expiry(self, kube) -> None:
        value = expiry_value(time.time(), self.config.keep_hours)
        kube.kubectl("label", "namespaces", "-l", run_selector(self.config), f"{EXPIRES_LABEL}={value}",
                     "--overwrite")

    def export_logs(self, out: Path) -> None:
        return None


def previous_run_ids(namespaces: list[dict], config: RunConfig) -> list[str]:
    """Run ids of earlier runs whose labelled namespaces are still on a reused cluster (keep-on-failure)."""
    ids = {((n.get("metadata") or {}).get("labels") or {}).get(RUN_ID_LABEL) for n in namespaces}
    return sorted(i for i in ids if i and i != config.run_id)


def delete_previous_runs(kube, config: RunConfig) -> list[str]:
    """Remove what earlier runs left on a reused cluster: their Applications could otherwise satisfy
    Synced/Healthy for this run. Returns the run ids removed."""
    import dataclasses

    old = previous_run_ids(kube.list("namespaces"), config)
    for run_id in old:
        delete_run_objects(kube, dataclasses.replace(config, run_id=run_id))
    return old


def delete_run_objects(kube, config: RunConfig) -> None:
    """Delete exactly this run's objects: labelled cluster-scoped objects (CRDs, ClusterRoles, webhooks...),
    labelled namespaces, and the CoreDNS lines carrying the run id."""
    selector = run_selector(config)
    # Applications first, while Argo CD still runs to honour their finalizers (it prunes what it deployed).
    if _ours(kube.get("namespace", config.argocd_namespace), config):
        try:
            kube.kubectl("-n", config.argocd_namespace, "delete", "applications.argoproj.io", "--all",
                         "--ignore-not-found", "--wait=true", "--timeout=300s", timeout=330)
        except tools.ToolError:
            for app in kube.list("applications.argoproj.io", config.argocd_namespace):
                kube.kubectl("-n", config.argocd_namespace, "patch", "applications.argoproj.io",
                             app["metadata"]["name"], "--type=merge", "-p", '{"metadata":{"finalizers":null}}')
    for kind in CLUSTER_SCOPED_KINDS:
        kube.kubectl("delete", kind, "-l", selector, "--ignore-not-found", "--wait=false", timeout=120)
    kube.kubectl("delete", "namespaces", "-l", selector, "--ignore-not-found", "--wait=true", timeout=600)
    live = kube.get("configmap", "coredns", "kube-system")
    if live and config.run_id in ((live.get("data") or {}).get("Corefile") or ""):
        kube.apply([coredns.restored_config_map(live)])


OWNED_CRD_GROUPS = ("argoproj.io", "external-secrets.io")


def foreign_crds(crds: list[dict], config: RunConfig) -> list[str]:
    """CRDs of Argo CD / ESO already on an existing cluster and not labelled with this run: installing over
    them would take them over, and `down` would then delete someone else's CRDs. The run refuses instead."""
    found = []
    for crd in crds:
        name = (crd.get("metadata") or {}).get("name", "")
        if name.endswith(OWNED_CRD_GROUPS) and not _ours(crd, config):
            found.append(name)
    return sorted(found)


def _ours(obj: dict | None, config: RunConfig) -> bool:
    return bool(obj) and ((obj.get("metadata") or {}).get("labels") or {}).get(RUN_ID_LABEL) == config.run_id


CLUSTER_SCOPED_KINDS = ("validatingwebhookconfigurations", "mutatingwebhookconfigurations", "clusterrolebindings",
                        "clusterroles", "customresourcedefinitions")


def for_config(config: RunConfig, workdir: Path, masker: Masker):
    return KindProvider(config, workdir, masker) if config.cluster == "kind" else ExistingProvider(config, masker)
