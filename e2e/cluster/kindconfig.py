"""The kind cluster config: node image pinned by digest, and an optional registry mirror.

Why a function: clusters/kind.yaml is the default rendering of this function (a unit test keeps them equal),
and a run with another Kubernetes version or a mirror renders its own copy into the run's directory.
"""

from __future__ import annotations

from typing import Any

from e2e import versions
from e2e.config import RUN_ID_LABEL, RunConfig

CERTS_DIR = "/etc/containerd/certs.d"
# containerd reads per-registry hosts.toml files from config_path. kind's node images keep containerd's
# config file at `version = 2` (kind images/base/files/etc/containerd/config.toml, also under containerd 2),
# so a patch must use the version-2 plugin table, as kind's own local-registry example does; the version-3
# name (`io.containerd.cri.v1.images`) is not what that file holds. Images from kind v0.27.0 on already
# default to this config_path: the patch makes it explicit and harmless.
CONTAINERD_PATCH = f'[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "{CERTS_DIR}"\n'
MIRRORED_REGISTRIES = ("docker.io", "quay.io", "ghcr.io", "registry.k8s.io", "public.ecr.aws")


def render(config: RunConfig, node_image: str | None = None) -> dict[str, Any]:
    image = node_image or config.node_image or versions.node_image()
    doc: dict[str, Any] = {
        "kind": "Cluster",
        "apiVersion": "kind.x-k8s.io/v1alpha4",
        "name": config.cluster_name,
        "nodes": [{"role": "control-plane", "image": image,
                   "labels": {RUN_ID_LABEL: config.run_id, **settings_labels(image, config.registry_mirror)}}],
    }
    if config.registry_mirror:
        doc["containerdConfigPatches"] = [CONTAINERD_PATCH]
    return doc


NODE_IMAGE_LABEL = "airflow-e2e.io/node-image"
MIRROR_LABEL = "airflow-e2e.io/registry-mirror"


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:16]


def settings_labels(node_image: str, registry_mirror: str | None) -> dict[str, str]:
    """Node labels recording what a kept cluster was created with (label values: hashes, always valid)."""
    mirror = _digest(registry_mirror) if registry_mirror else "none"
    return {NODE_IMAGE_LABEL: _digest(node_image), MIRROR_LABEL: mirror}


def reuse_refusal(nodes: list[dict[str, Any]], config: RunConfig) -> str | None:
    """One sentence when a kept kind cluster was made with another node image or mirror setting (reusing it
    would test another Kubernetes, or pull from another place), else None."""
    wanted = settings_labels(config.node_image or versions.node_image(), config.registry_mirror)
    for node in nodes:
        labels = (node.get("metadata") or {}).get("labels") or {}
        for key, what in ((NODE_IMAGE_LABEL, "node image"), (MIRROR_LABEL, "registry mirror setting")):
            if labels.get(key) != wanted[key]:
                return (f"kind cluster {config.cluster_name} was created with another {what} "
                        f"({'unrecorded' if key not in labels else 'it differs'}); delete it with "
                        f"`airflow-e2e down` or `kind delete cluster --name {config.cluster_name}`, or use another "
                        "--cluster-name")
    return None


CGROUP_V2_FROM = (1, 35)  # from Kubernetes 1.35 the kubelet refuses cgroup v1 hosts (failCgroupV1 defaults to true)


def cgroup_refusal(node_image: str, cgroup_version: str | None) -> str | None:
    """One sentence when the engine runs cgroup v1 and the node is Kubernetes >= 1.35 (its kubelet would not
    start, and kind would only time out), else None. An unknown cgroup version is not refused."""
    import re

    match = re.search(r":v(\d+)\.(\d+)", node_image)
    if not match or cgroup_version is None or str(cgroup_version).strip() != "1":
        return None
    if (int(match.group(1)), int(match.group(2))) < CGROUP_V2_FROM:
        return None
    return (f"the container engine runs cgroup v1, and the kind node {node_image.split('@')[0]} (Kubernetes >= 1.35) "
            "needs cgroup v2; enable cgroup v2 on the engine's host (every pinned node image is >= 1.35)")


def mirror_hosts_toml(registry: str, mirror: str) -> str:
    """containerd hosts.toml sending pulls for `registry` to `mirror` first, the registry itself as fallback."""
    upstream = "https://registry-1.docker.io" if registry == "docker.io" else f"https://{registry}"
    return (f'server = "{upstream}"\n\n[host."{mirror.rstrip("/")}"]\n'
            '  capabilities = ["pull", "resolve"]\n')


def mirror_node_commands(node: str, mirror: str) -> list[tuple[list[str], str | None]]:
    """(`docker exec` argv, stdin) pairs writing hosts.toml for every mirrored registry into a node."""
    cmds: list[tuple[list[str], str | None]] = []
    for registry in MIRRORED_REGISTRIES:
        path = f"{CERTS_DIR}/{registry}"
        cmds.append((["docker", "exec", node, "mkdir", "-p", path], None))
        cmds.append((["docker", "exec", "-i", node, "cp", "/dev/stdin", f"{path}/hosts.toml"],
                     mirror_hosts_toml(registry, mirror)))
    return cmds
