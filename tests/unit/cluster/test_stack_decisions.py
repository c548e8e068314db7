"""Decisions of each stack component, over plain data shaped like the real API and the reference repository."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from e2e.cluster import images, kindconfig
from e2e.config import REPO_ROOT, RunConfig
from e2e.stack import argocd, coredns, postgres, vault

pytestmark = pytest.mark.unit


def _app(sync="Synced", health="Healthy", phase="Succeeded", retry_count=0, limit=5, message=""):
    return {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "airflow", "namespace": "argocd"},
        "spec": {"syncPolicy": {"automated": {}, "retry": {"limit": limit}} if limit is not None else {}},
        "status": {"sync": {"status": sync}, "health": {"status": health},
                   "operationState": {"phase": phase, "message": message, "retryCount": retry_count}},
    }


def _comparison_error():
    app = _app(sync="Unknown", health="Healthy", phase=None)
    app["status"]["conditions"] = [{"type": "ComparisonError", "message": "Object 'Kind' is missing"}]
    return app


@pytest.mark.parametrize(("app", "state", "in_reason"), [
    pytest.param(_app(), "ok", "", id="synced-and-healthy-is-ready"),
    pytest.param(_app(health="Progressing", phase="Running"), "pending", "health=Progressing",
                 id="progressing-is-pending-with-the-reason"),
    pytest.param(_app(sync="OutOfSync", health="Missing", phase="Failed", retry_count=2), "pending", "",
                 id="failed-sync-with-retries-left-is-still-pending"),
    pytest.param(_app(sync="OutOfSync", health="Missing", phase="Failed", retry_count=5,
                      message="one or more objects failed"), "failed", "one or more objects failed",
                 id="failed-sync-with-retries-used-up-fails-at-once-with-the-message"),
    pytest.param(_app(sync="OutOfSync", phase="Error", limit=None), "failed", "",
                 id="failed-sync-without-retry-policy-is-terminal"),
    pytest.param(_comparison_error(), "pending", "Object 'Kind' is missing",
                 id="comparison-error-is-reported-while-pending"),
])
def test_application_state(app, state, in_reason):
    got, reason = argocd.application_state(app)
    assert got == state and in_reason in reason


def test_root_application_is_the_one_no_other_application_owns(repo):
    assert argocd.root_application(repo)["metadata"]["name"] == "airflow-root"
    assert argocd.child_applications(repo) == ["airflow", "airflow-secrets"]


def test_argocd_cm_keeps_the_repository_health_check_and_adds_a_short_reconciliation(repo, config):
    cm = argocd.argocd_cm(config, repo)
    assert "resource.customizations.health.argoproj.io_Application" in cm["data"]
    assert cm["data"]["timeout.reconciliation"] == "15s"
    assert cm["metadata"]["labels"]["app.kubernetes.io/part-of"] == "argocd"


def test_repository_secret_is_an_ssh_git_repository_for_each_url(repo, config):
    secrets = argocd.repository_secrets(config, repo, "KEY\n")
    assert [s["stringData"]["url"] for s in secrets] == ["ssh://git@git.example.com/platform/k8s-infra.git"]
    s = secrets[0]
    assert s["metadata"]["labels"]["argocd.argoproj.io/secret-type"] == "repository"
    assert s["stringData"]["type"] == "git" and s["stringData"]["sshPrivateKey"] == "KEY\n"


def test_known_hosts_line_brackets_a_non_default_port():
    line = argocd.known_hosts_line("git.example.com", 2222, "ssh-ed25519 AAA")
    assert line == "[git.example.com]:2222 ssh-ed25519 AAA"
    assert argocd.known_hosts_line("git.example.com", 22, "ssh-ed25519 AAA\n") == "git.example.com ssh-ed25519 AAA"


def test_coredns_rewrites_go_first_in_the_main_block_and_are_idempotent():
    rewrites = {"git.example.com": "git-server.git-server.svc.cluster.local"}
    once = coredns.patch(coredns.KIND_DEFAULT_COREFILE, rewrites, "run-1")
    twice = coredns.patch(once, rewrites, "run-2")
    lines = twice.splitlines()
    assert lines[0] == ".:53 {"
    assert lines[1].strip().startswith("rewrite name exact git.example.com git-server.git-server.svc.cluster.local"
                                       " answer auto")
    assert sum("rewrite" in line for line in lines) == 1 and "run-2" in lines[1]


def test_coredns_unpatch_restores_the_original_exactly():
    patched = coredns.patch(coredns.KIND_DEFAULT_COREFILE, {"a.example": "b.svc"}, "run")
    assert coredns.unpatch(patched) == coredns.KIND_DEFAULT_COREFILE


def test_coredns_without_a_main_block_is_refused():
    with pytest.raises(ValueError, match=r"no `\.:53 \{`"):
        coredns.patch("example.org:53 {\n}\n", {"a": "b"}, "run")


def test_dns_rewrites_cover_git_and_vault_hosts_of_the_repository(repo, config):
    from e2e.cluster.plan import dns_rewrites

    assert dns_rewrites(config, repo) == {"git.example.com": "git-server.git-server.svc.cluster.local",
                                          "vault.example.internal": "vault.vault.svc.cluster.local"}


def test_seed_plan_orders_policies_auth_roles_then_payload(repo):
    ops = vault.seed_plan(repo, {"fernetKey": "x"})
    assert [o.op for o in ops] == ["policy", "enable_auth", "configure_kubernetes", "role", "enable_kv", "payload"]
    assert ops[2].args["kubernetes_host"] == "https://kubernetes.default.svc"
    role = ops[3].args
    assert role["audience"] == "https://kubernetes.default.svc.cluster.local"
    assert role["policies"] == ["airflow-secret-read"]
    assert ops[4].args == {"backend_type": "kv", "path": "secret", "options": {"version": "2"}}
    assert ops[5].args["path"] == "airflow/config" and ops[5].args["mount_point"] == "secret"
    assert yaml.safe_load(ops[5].args["secret"]["config"]) == {"fernetKey": "x"}


class _Recorder:
    """Stands in for hvac.Client: records calls by attribute path (the seed logic is what is under test)."""

    def __init__(self, path="", calls=None, auth_methods=None):
        self._path, self.calls = path, calls if calls is not None else []
        self._auth = auth_methods or {}

    def __getattr__(self, name):
        return _Recorder(f"{self._path}.{name}".lstrip("."), self.calls, self._auth)

    def __call__(self, **kwargs):
        self.calls.append((self._path, kwargs))
        return {"data": self._auth} if self._path == "sys.list_auth_methods" else None


def test_apply_seed_enables_kubernetes_auth_only_on_a_fresh_vault(repo):
    existing = _Recorder(auth_methods={"kubernetes/": {"type": "kubernetes"}})
    vault.apply_seed(existing, vault.seed_plan(repo, {"k": "v"}))
    called = [c[0] for c in existing.calls]
    assert "sys.enable_auth_method" not in called
    assert called[-1] == "secrets.kv.v2.create_or_update_secret"
    fresh = _Recorder()
    vault.apply_seed(fresh, vault.seed_plan(repo, {"k": "v"}))
    assert ("sys.enable_auth_method", {"method_type": "kubernetes", "path": "kubernetes"}) in fresh.calls


def test_database_target_is_parsed_from_the_payload_connection():
    t = postgres.db_target({"metadataConnection":
                            "postgresql://airflow:p%40ss@postgresql.airflow-db.svc.cluster.local:5432/airflow?x=1"})
    assert (t.service, t.namespace, t.port, t.user, t.password, t.database) == \
        ("postgresql", "airflow-db", 5432, "airflow", "p@ss", "airflow")


def test_database_outside_the_cluster_is_refused():
    with pytest.raises(ValueError, match="in-cluster Service"):
        postgres.db_target({"metadataConnection": "postgresql://a:b@db.example.com:5432/airflow"})


def test_kind_config_pins_the_node_image_by_digest_and_matches_clusters_kind_yaml():
    doc = kindconfig.render(RunConfig(run_id="RUN_ID"))  # what clusters/kind.yaml holds: no run label
    doc["nodes"][0].pop("labels")
    assert "@sha256:" in doc["nodes"][0]["image"]
    on_disk = yaml.safe_load((REPO_ROOT / "clusters" / "kind.yaml").read_text())
    assert on_disk == doc


def test_registry_mirror_adds_the_containerd_patch_only_when_asked():
    assert "containerdConfigPatches" not in kindconfig.render(RunConfig(run_id="r"))
    with_mirror = kindconfig.render(RunConfig(run_id="r", registry_mirror="http://mirror.local:5000"))
    assert "config_path" in with_mirror["containerdConfigPatches"][0]
    toml = kindconfig.mirror_hosts_toml("docker.io", "http://mirror.local:5000/")
    assert 'server = "https://registry-1.docker.io"' in toml and '[host."http://mirror.local:5000"]' in toml


def test_images_are_read_from_every_container_kind():
    objs = [
        {"kind": "Deployment", "spec": {"template": {"spec": {"initContainers": [{"name": "i", "image": "a:1"}],
                                                              "containers": [{"name": "c", "image": "b:2"}]}}}},
        {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {
            "containers": [{"name": "c", "image": "c:3"}]}}}}}},
        {"kind": "StatefulSet", "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "b:2"}]}}}},
        {"kind": "ConfigMap", "data": {"image": "not-an-image"}},
    ]
    assert images.images_in(objs) == ["a:1", "b:2", "c:3"]


def test_vault_values_run_dev_mode_with_tls_and_a_watchable_rollout(repo, config):
    values = vault.helm_values(config, repo, vault.dev_root_token())
    assert values["global"]["tlsDisable"] is False and values["server"]["dev"]["enabled"] is True
    assert values["server"]["updateStrategyType"] == "RollingUpdate"
    assert values["server"]["readinessProbe"]["path"] == "/v1/sys/health"
    assert values["server"]["extraEnvironmentVars"]["VAULT_CACERT"] == vault.CA_FILE
    assert values["injector"]["enabled"] is False


def test_seed_ops_bind_to_the_real_hvac_method_signatures(repo):
    """The seed's keyword arguments are accepted by the installed hvac (no server involved)."""
    import inspect

    import hvac

    client = hvac.Client(url="https://localhost:8200")
    methods = {"policy": client.sys.create_or_update_policy, "enable_auth": client.sys.enable_auth_method,
               "enable_kv": client.sys.enable_secrets_engine,
               "configure_kubernetes": client.auth.kubernetes.configure, "role": client.auth.kubernetes.create_role,
               "payload": client.secrets.kv.v2.create_or_update_secret}
    ops = list(vault.seed_plan(repo, {"k": "v"}))
    assert {op.op for op in ops} == set(methods), "every seed operation is checked, and only those"
    for op in ops:
        inspect.signature(methods[op.op]).bind(**op.args)  # TypeError when hvac would reject the call


def test_git_server_start_script_is_valid_shell_and_sshd_config_is_strict():
    import subprocess

    from e2e.stack import gitserver

    result = subprocess.run(["sh", "-n"], input=gitserver.START_SH, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    config = dict(line.split(None, 1) for line in gitserver.SSHD_CONFIG.splitlines())
    assert config["PasswordAuthentication"] == "no" and config["StrictModes"] == "yes"
    assert config["AllowUsers"] == "git" and config["PermitRootLogin"] == "no"


def test_git_server_sshd_config_is_accepted_by_a_real_openssh(tmp_path):
    """`sshd -t` on the config the git server runs (OpenSSH from Debian here; Alpine's in the cluster)."""
    import shutil
    import subprocess

    from e2e.stack import gitserver

    sshd = shutil.which("sshd") or ("/usr/sbin/sshd" if Path("/usr/sbin/sshd").exists() else None)
    if sshd is None:
        pytest.skip("no OpenSSH server on this machine")
    key = tmp_path / "hk"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    cfg = tmp_path / "sshd_config"
    cfg.write_text(gitserver.SSHD_CONFIG.replace("/etc/ssh/keys/ssh_host_ed25519_key", str(key)))
    result = subprocess.run([sshd, "-t", "-f", str(cfg)], capture_output=True, text=True, check=False)
    if "privilege separation directory" in result.stderr:
        pytest.skip("sshd -t needs /run/sshd on this machine")
    assert result.returncode == 0, result.stderr


def test_airflow_image_follows_the_chart_unless_the_values_pin_one():
    assert images.airflow_image("1.22.0", {}) == "apache/airflow:3.2.2"
    pinned = {"images": {"airflow": {"repository": "registry.example.com/airflow", "tag": "3.2.2-custom"}}}
    assert images.airflow_image("1.22.0", pinned) == "registry.example.com/airflow:3.2.2-custom"
