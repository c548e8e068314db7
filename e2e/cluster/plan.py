"""The bring-up as data: ordered phases of parallel lanes of steps, and every manifest they apply.

Why data: `plan` writes it without a cluster, the bring-up executes the same object, and unit tests check
the decisions (order, parallelism, objects, fields, waits) on it. Secrets live in `RunSecrets` and reach
the plan's files only through the run's Masker.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from e2e import payload as payload_mod
from e2e import versions
from e2e.cluster import images as images_mod
from e2e.cluster import kindconfig
from e2e.cluster.kube import SERVER_SIDE_APPLY
from e2e.config import RunConfig
from e2e.gitops import esovault
from e2e.gitops.model import Repository
from e2e.gitops.yamlio import dump_yaml, dump_yaml_all
from e2e.install import find_install
from e2e.masking import YAML_SAFE_MASK, Masker, secret_values
from e2e.private_file import write_private
from e2e.stack import argocd, coredns, eso, gitserver, names, postgres, vault
from e2e.stack.common import Manifest, Obj, labelled, namespace, run_namespaces

CA_PLACEHOLDER = "<vault-ca.pem read from the Vault pod at run time>"


@dataclass
class RunSecrets:
    """Every secret a run holds: the payload, the git server host key, the deploy key, the Vault token."""

    payload: dict[str, Any]
    host_key: gitserver.KeyPair
    deploy_key: gitserver.KeyPair
    vault_token: str

    @classmethod
    def generate(cls, payload: dict[str, Any] | None = None) -> RunSecrets:
        return cls(payload or payload_mod.generate(), gitserver.new_keypair(), gitserver.new_keypair(),
                   vault.dev_root_token())

    def values(self) -> list[str]:
        """Secret values to mask. The default user's identity (username, email, names) is not secret and
        would otherwise mask ordinary words such as `platform` in repository URLs."""
        return [*secret_values(self.payload), self.host_key.private_openssh,
                self.deploy_key.private_openssh, self.vault_token]

    def masker(self) -> Masker:
        return Masker(self.values())


@dataclass
class Step:
    name: str
    component: str
    action: str  # command | apply | render-apply | wait | seed | publish | push | patch | restart
    describe: str
    argv: list[str] = field(default_factory=list)
    manifests: list[str] = field(default_factory=list)
    timeout: float = 0.0


@dataclass
class Phase:
    name: str
    lanes: list[list[Step]]

    @property
    def parallel(self) -> bool:
        return len(self.lanes) > 1

    def steps(self) -> list[Step]:
        return [s for lane in self.lanes for s in lane]


@dataclass
class RunPlan:
    config: RunConfig
    phases: list[Phase]
    manifests: dict[str, Manifest]
    images: list[str]
    repo_files: dict[str, str]  # the GitOps repository as pushed
    dags_files: dict[str, str]

    def steps(self) -> list[Step]:
        return [s for p in self.phases for s in p.steps()]

    def step(self, name: str) -> Step:
        return next(s for s in self.steps() if s.name == name)

    def commands_json(self) -> dict[str, Any]:
        return {
            "run_id": self.config.run_id,
            "cluster": self.config.cluster,
            "phases": [{"name": p.name, "parallel": p.parallel,
                        "lanes": [[asdict(s) for s in lane] for lane in p.lanes]} for p in self.phases],
            "images": self.images,
        }


def dns_rewrites(config: RunConfig, repo: Repository) -> dict[str, str]:
    """Repository host names -> in-cluster Service names (git hosts -> git server, store host -> Vault)."""
    rewrites = {host: gitserver.service_fqdn(config) for host in names.git_hosts(repo)}
    vault_host, _port = esovault.server_address(names.vault_store(repo))
    if vault_host:
        rewrites[vault_host] = vault.service_fqdn(config)
    return rewrites


def build(config: RunConfig, repo: Repository, run_secrets: RunSecrets, repo_files: dict[str, str],
          dags_files: dict[str, str], live_corefile: Obj | None = None) -> RunPlan:
    t = config.timeout
    m: dict[str, Manifest] = {}

    def add(name: str, objects: list[Obj] | None = None, text: str | None = None) -> str:
        m[name] = Manifest(name, objects or [], text if text is not None else dump_yaml_all(objects or []))
        return name

    kind_cfg = add("00-kind-config.yaml", text=dump_yaml(kindconfig.render(config))) \
        if config.cluster == "kind" else None
    ns_file = add("01-namespaces.yaml", [namespace(n, config) for n in run_namespaces(config)])
    vault_values = add("10-vault-values.yaml",
                       text=dump_yaml(vault.helm_values(config, repo, run_secrets.vault_token)))
    eso_values = add("11-eso-values.yaml", text=dump_yaml(eso.helm_values(config, repo)))
    authorized = [run_secrets.deploy_key.public_line,
                  payload_mod.public_key_of(payload_mod.git_ssh_key(run_secrets.payload))]
    add("12-argocd-install.txt", text=(
        f"# Argo CD {versions.ARGOCD_VERSION}: the release's install.yaml, fetched at run time, every object labelled\n"
        f"# with the run id, then applied server-side into namespace {config.argocd_namespace}.\n"
        f"{argocd.install_source()}\n"))
    git_file = add("13-git-server.yaml", gitserver.manifests(config, repo, run_secrets.host_key, authorized))
    pg_file = add("14-postgresql.yaml", postgres.manifests(config, run_secrets.payload))
    image_file = add("16-git-server.Dockerfile", text=gitserver.DOCKERFILE)
    corefile = live_corefile or coredns.kind_default_config_map()
    dns_file = add("15-coredns.yaml", [coredns.patched_config_map(corefile, dns_rewrites(config, repo), config)])
    ca_file = add("20-vault-ca.yaml", [vault.ca_config_map(config, repo, CA_PLACEHOLDER)])
    seed_ops = vault.seed_plan(repo, run_secrets.payload)
    seed_file = add("21-vault-seed.yaml", text=dump_yaml([asdict(op) for op in seed_ops]))
    repos_file = add("22-argocd-repositories.yaml",
                     argocd.repository_secrets(config, repo, run_secrets.deploy_key.private_openssh))
    kh_file = add("23-argocd-ssh-known-hosts-cm.yaml",
                  [argocd.known_hosts_config_map(config, repo, run_secrets.host_key.public_line)])
    cm_file = add("24-argocd-cm.yaml", [argocd.argocd_cm(config, repo)])
    root = labelled(argocd.root_application(repo), config)
    root_file = add("40-root-application.yaml", [root])

    rendered = [o for f in (git_file, pg_file) for o in m[f].objects]
    images = set(images_mod.images_in(rendered)) | set(images_mod.pinned_component_images().values())
    images.add(versions.GIT_SERVER_BASE_IMAGE)  # pulled by the host's docker build, not by the node
    inst = find_install(repo)
    for version in {config.chart_version, config.upgrade_from} - {None}:
        if inst is not None and version in versions.CHART_AIRFLOW:
            images.add(images_mod.airflow_image(str(version), inst.values))
    images = sorted(images)

    helm_eso = eso.template_argv(config, repo, "11-eso-values.yaml")
    helm_vault = vault.template_argv(config, "10-vault-values.yaml")
    ssa = ["kubectl", *SERVER_SIDE_APPLY, "-f"]
    phases: list[Phase] = []
    if config.cluster == "kind":
        phases.append(Phase("cluster", [[Step(
            "cluster.create", "cluster", "command", "create the kind cluster, or reuse one of the same name",
            ["kind", "create", "cluster", "--name", config.cluster_name, "--config", "00-kind-config.yaml",
             "--wait", "120s"], [kind_cfg] if kind_cfg else [], t(300))]]))
        phases.append(Phase("images", [[Step(
            "gitserver.image", "gitserver", "command", "build the git server image once from its digest-pinned base "
            "(skipped when the tag exists; nothing is downloaded inside the cluster)",
            gitserver.build_argv("<dir holding 16-git-server.Dockerfile as Dockerfile>"), [image_file], t(600)),
            Step("images.preload", "cluster", "command", "kind load docker-image for each image present locally",
                 ["kind", "load", "docker-image", "--name", config.cluster_name, "<image>"], [], t(600))]]))
    else:
        phases.append(Phase("cluster", [[Step(
            "cluster.connect", "cluster", "command", "use the given kubeconfig and context",
            ["kubectl", "version", *(["--context", config.context] if config.context else [])], [], t(30))]]))
    phases.append(Phase("namespaces", [[Step("namespaces.apply", "cluster", "apply",
                                             "labelled namespaces of this run", [*ssa, ns_file], [ns_file], t(60))]]))
    phases.append(Phase("install", [
        [Step("vault.install", "vault", "render-apply", "vault-helm dev mode with -dev-tls, rendered and applied",
              [*helm_vault, "|", *ssa, "-"], [vault_values], t(180))],
        [Step("eso.install", "eso", "render-apply", "External Secrets chart (CRDs included), rendered and applied",
              [*helm_eso, "|", *ssa, "-"], [eso_values], t(180))],
        [Step("argocd.install", "argocd", "render-apply", f"Argo CD {versions.ARGOCD_VERSION} install.yaml",
              [*ssa, argocd.install_source(), "--namespace", config.argocd_namespace], [], t(180))],
        [Step("gitserver.install", "gitserver", "apply", "SSH git server (host key of this run)",
              [*ssa, git_file], [git_file], t(60))],
        [Step("postgres.install", "postgres", "apply", "Airflow metadata PostgreSQL", [*ssa, pg_file], [pg_file],
              t(60))],
        [Step("coredns.patch", "coredns", "patch", "rewrite the repository's host names to in-cluster Services",
              [*ssa, dns_file], [dns_file], t(60)),
         Step("coredns.restart", "coredns", "restart", "restart CoreDNS so the rewrites apply now",
              ["kubectl", "-n", "kube-system", "rollout", "restart", "deployment/coredns"], [], t(60))],
    ]))
    phases.append(Phase("ready", [
        [Step("vault.ready", "vault", "wait", "Vault pod Ready (unsealed dev server)",
              ["kubectl", "-n", config.vault_namespace, "rollout", "status", "statefulset/vault"], [], t(300))],
        [Step("eso.ready", "eso", "wait", "ESO controller, webhook and cert controller available; CRDs established",
              ["kubectl", "-n", config.eso_namespace, "rollout", "status",
               *[f"deployment/{d}" for d in eso.DEPLOYMENTS]], [], t(300))],
        [Step("argocd.ready", "argocd", "wait", "Argo CD components available",
              ["kubectl", "-n", config.argocd_namespace, "rollout", "status",
               *[f"deployment/{d}" for d in argocd.DEPLOYMENTS],
               *[f"statefulset/{s}" for s in argocd.STATEFULSETS]], [], t(300))],
        [Step("gitserver.ready", "gitserver", "wait", "git server accepting SSH",
              ["kubectl", "-n", config.git_namespace, "rollout", "status", f"deployment/{gitserver.NAME}"], [],
              t(180))],
        [Step("postgres.ready", "postgres", "wait", "PostgreSQL accepting connections",
              ["kubectl", "-n", postgres.db_target(run_secrets.payload).namespace, "rollout", "status",
               f"deployment/{postgres.db_target(run_secrets.payload).service}"], [], t(180))],
        [Step("coredns.ready", "coredns", "wait", "CoreDNS restarted with the rewrites",
              ["kubectl", "-n", "kube-system", "rollout", "status", "deployment/coredns"], [], t(120))],
    ]))
    phases.append(Phase("configure", [
        [Step("vault.publish-ca", "vault", "publish", "read vault-ca.pem from the pod; publish it where the "
              "store names it", ["kubectl", *vault.read_ca_args(config)], [ca_file], t(60)),
         Step("vault.seed", "vault", "seed", "hvac over TLS (port-forward, the run's CA): policies, kubernetes "
              "auth, roles, payload", ["kubectl", "-n", config.vault_namespace, "port-forward", "svc/vault",
                                       f":{vault.service_port(repo)}"], [seed_file], t(120))],
        [Step("gitserver.push", "gitserver", "push", "push the GitOps and DAG repositories as commits over SSH "
              "(StrictHostKeyChecking=yes, this run's host key)", ["git", "push", "origin", "main"], [], t(120))],
        [Step("argocd.configure", "argocd", "apply", "repository Secret, known hosts, argocd-cm",
              [*ssa, repos_file, "-f", kh_file, "-f", cm_file], [repos_file, kh_file, cm_file], t(60)),
         Step("argocd.restart", "argocd", "restart", "restart repo-server and controller to read argocd-cm",
              ["kubectl", "-n", config.argocd_namespace, "rollout", "restart", *argocd.RESTART_AFTER_CM], [], t(60)),
         Step("argocd.ready-again", "argocd", "wait", "repo-server and controller available again",
              ["kubectl", "-n", config.argocd_namespace, "rollout", "status", *argocd.RESTART_AFTER_CM], [],
              t(300))],
    ]))
    phases.append(Phase("deliver", [[Step("airflow.root", "airflow", "apply", "apply the root Application (last)",
                                          [*ssa, root_file], [root_file], t(60))]]))
    children = argocd.child_applications(repo)
    phases.append(Phase("converge", [[Step(
        "airflow.ready", "airflow", "wait", "child Applications Synced and Healthy: " + ", ".join(children),
        ["kubectl", "-n", config.argocd_namespace, "get", "applications.argoproj.io", *children], [], t(1200))]]))
    return RunPlan(config, phases, m, images, repo_files, dags_files)


def write(plan: RunPlan, out: Path, masker: Masker) -> list[Path]:
    """Write every manifest, the repositories as pushed, images.json and commands.json, all masked."""
    import json

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    masker = masker.with_token(YAML_SAFE_MASK)  # masked files still parse, and the printed commands still run

    def put(rel: str, text: str) -> None:
        # 0600: a repository file can hold anything, and masking only knows the values it was told
        written.append(write_private(out / rel, masker.mask(text)))

    for manifest in plan.manifests.values():
        put(manifest.name, manifest.text or "")
    for rel, text in plan.repo_files.items():
        put(f"repositories/gitops/{rel}", text)
    for rel, text in plan.dags_files.items():
        put(f"repositories/dags/{rel}", text)
    put("images.json", json.dumps({
        "images": plan.images,
        "note": "known offline: our own manifests and the versions table; at run time the rendered Vault and ESO "
                "charts, Argo CD's install.yaml and the Airflow chart add every image they reference "
                "(e.g. Airflow, Redis, statsd-exporter, git-sync, Argo CD's Redis and Dex)",
    }, indent=2) + "\n")
    put("commands.json", json.dumps(plan.commands_json(), indent=2) + "\n")
    return written


def prepare(config: RunConfig, run_secrets: RunSecrets | None = None,
            live_corefile: Obj | None = None) -> tuple[RunPlan, RunSecrets, Repository]:
    """Load the GitOps and DAG directories, swap in this run's host key, and build the plan."""
    from e2e.gitops.loader import load_repository
    from e2e.install import usable
    from e2e.stack import pushed

    repo = usable(load_repository(config.gitops_dir))  # one line, exit 2, for a shape of the wrong type
    material = run_secrets or RunSecrets.generate(_payload_for(config, repo))
    files = pushed.with_test_known_hosts(repo, pushed.repository_files(config.gitops_dir),
                                         material.host_key.public_line)
    # With --upgrade-from the run starts on the old chart; the chart-upgrade scenario then commits the new one.
    files = pushed.with_chart_version(repo, files, "airflow", config.upgrade_from or config.chart_version)
    dags = pushed.repository_files(config.dags_dir) if config.dags_dir.is_dir() else {}
    return build(config, repo, material, files, dags, live_corefile), material, repo


def _payload_for(config: RunConfig, repo: Repository) -> dict[str, Any]:
    if config.payload_file is None:
        return payload_mod.generate(**payload_mod.shape_for(repo))
    from e2e.errors import UnusableInput
    from e2e.gitops.yamlio import safe_load
    from e2e.safe_files import read_text

    data = safe_load(read_text(config.payload_file), str(config.payload_file))
    if not isinstance(data, dict):
        raise UnusableInput(f"{config.payload_file}: the payload must be one YAML mapping")
    return data
