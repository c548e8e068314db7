"""Upstream facts the cluster tier relies on, each checked on plain data shaped like the upstream artefact.

Each test names a mistake that would have failed the first real `make e2e`; the upstream source of each fact
is listed in docs/cluster.md ("Verified against upstream").
"""

from __future__ import annotations

import tomllib

import pytest

from e2e import versions
from e2e.cluster import bringup, kindconfig
from e2e.stack import argocd, gitserver

# argocd-cm as Argo CD v3.5.1's manifests/install.yaml ships it (two of its nine data keys: resource.exclusions
# and one of the eight ignoreResourceUpdates keys).
SHIPPED_ARGOCD_CM = {
    "apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "argocd-cm", "namespace": "argocd",
                 "labels": {"app.kubernetes.io/name": "argocd-cm", "app.kubernetes.io/part-of": "argocd"}},
    "data": {
        "resource.exclusions": "- apiGroups:\n  - coordination.k8s.io\n  kinds:\n  - Lease\n",
        "resource.customizations.ignoreResourceUpdates.all": "jsonPointers:\n  - /status\n",
    },
}

# The head of the containerd config in kind's node images (images/base/files/etc/containerd/config.toml).
KIND_NODE_CONTAINERD_CONFIG = """\
version = 2

[plugins."io.containerd.grpc.v1.cri".containerd]
  discard_unpacked_layers = true
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10"
"""


def test_argocd_cm_applied_over_the_release_keeps_the_keys_install_yaml_ships(repo, config):
    cm = argocd.argocd_cm(config, repo, base=SHIPPED_ARGOCD_CM)
    assert set(SHIPPED_ARGOCD_CM["data"]) <= set(cm["data"])
    assert "resource.customizations.health.argoproj.io_Application" in cm["data"]
    assert cm["data"]["timeout.reconciliation"] == "15s"
    assert cm["metadata"]["labels"]["app.kubernetes.io/name"] == "argocd-cm"


def test_argocd_cm_disables_reconciliation_jitter_so_the_timeout_alone_bounds_a_refresh(repo, config):
    assert argocd.argocd_cm(config, repo)["data"]["timeout.reconciliation.jitter"] == "0s"


def test_configure_step_rebuilds_argocd_cm_over_the_rendered_install(built, config):
    plan, _material, repo = built
    step = plan.step("argocd.configure")
    install = [SHIPPED_ARGOCD_CM, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "other"}}]
    objects = bringup.configure_objects(plan, step, install, config, repo)
    cm = next(o for o in objects if o["metadata"]["name"] == "argocd-cm")
    assert "resource.exclusions" in cm["data"] and "timeout.reconciliation" in cm["data"]
    planned = [o for f in step.manifests for o in plan.manifests[f].objects]
    assert [(o["kind"], o["metadata"]["name"]) for o in objects] == [
        (o["kind"], o["metadata"]["name"]) for o in planned]


def test_containerd_patch_uses_the_plugin_table_of_the_config_version_kind_nodes_run():
    node = tomllib.loads(KIND_NODE_CONTAINERD_CONFIG)
    patch = tomllib.loads(kindconfig.CONTAINERD_PATCH)
    assert node["version"] == 2
    assert set(patch["plugins"]) <= set(node["plugins"])
    assert patch["plugins"]["io.containerd.grpc.v1.cri"]["registry"]["config_path"] == kindconfig.CERTS_DIR


def test_git_server_installs_the_package_that_holds_git_shell_and_logs_the_git_user_into_it():
    script = gitserver.DOCKERFILE
    apk = next(line for line in script.splitlines() if "apk add" in line)
    assert {"openssh-server", "git", "git-daemon"} <= set(apk.split())
    adduser = next(line for line in script.splitlines() if "adduser" in line)
    assert '-s "$GIT_SHELL"' in adduser and " -H " in adduser
    assert script.index("GIT_SHELL=") < script.index("adduser")


def test_git_server_trusts_repositories_reached_through_root_owned_symlinks():
    assert "safe.directory '*'" in gitserver.DOCKERFILE  # built into the image, before sshd ever starts


def test_git_server_image_is_pinned_by_digest():
    base = versions.GIT_SERVER_BASE_IMAGE
    assert "@sha256:" in base and len(base.split("@sha256:")[1]) == 64
    assert gitserver.DOCKERFILE.startswith(f"FROM {base}\n")


def test_the_git_server_downloads_no_package_inside_the_cluster(built):
    """Packages are added once by the host's docker build; the container start script has no package manager,
    and the node never pulls the locally built image."""
    for word in ("apk", "apt-get", "pip ", "curl", "wget"):
        assert word not in gitserver.START_SH, word
    plan = built[0]
    deployment = next(o for o in plan.manifests["13-git-server.yaml"].objects if o["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == gitserver.image() and container["imagePullPolicy"] == "Never"
    steps = [s.name for s in plan.steps()]
    assert steps.index("gitserver.image") < steps.index("images.preload") < steps.index("gitserver.install")
    assert plan.manifests["16-git-server.Dockerfile"].text == gitserver.DOCKERFILE
    assert gitserver.image() == gitserver.image() and gitserver.image().startswith("localhost/")


@pytest.mark.parametrize("make", [
    lambda: bringup.tools.ToolError("`kubectl port-forward` failed: connection refused"),
    lambda: __import__("requests").exceptions.ConnectionError("connection reset by peer"),
    lambda: __import__("hvac").exceptions.VaultDown("Vault is sealed"),
])
def test_a_seed_retries_a_port_forward_or_vault_that_is_not_answering_yet(make):
    assert bringup.transient_step_error(make())


def test_a_seed_does_not_retry_a_refused_write():
    import hvac

    assert not bringup.transient_step_error(hvac.exceptions.Forbidden("permission denied"))
    assert not bringup.transient_step_error(KeyError("mount_point"))



def test_a_failing_diagnostics_collection_does_not_hide_the_bring_up_error(tmp_path):
    from types import SimpleNamespace

    from e2e.cluster import fixtures

    said: list[str] = []
    marked: list[bool] = []

    def bring_up():
        raise bringup.BringUpError("configure/vault.seed: permission denied")

    def collect(out):
        raise bringup.tools.ToolError("`kubectl get pods` failed: connection refused")

    session = SimpleNamespace(bring_up=bring_up, collect=collect, progress=SimpleNamespace(say=said.append),
                              config=SimpleNamespace(artifacts_dir=tmp_path, run_id="r"))
    with pytest.raises(bringup.BringUpError, match="permission denied"):
        fixtures.bring_up_or_collect(session, lambda: marked.append(True))
    assert marked == [True] and said == ["diagnostics after the failed bring-up incomplete: ToolError"]
