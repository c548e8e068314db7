"""What makes a first real run hang, flake or reuse stale state, judged on plain objects shaped like the API
and on the repositories the harness pushes (reference and variant)."""

from __future__ import annotations

import datetime

import pytest
import yaml

from e2e.cluster import images, kindconfig, providers
from e2e.cluster import plan as plan_mod
from e2e.config import DEFAULT_GITOPS_DIR, REPO_ROOT, RUN_ID_LABEL, RunConfig
from e2e.stack import argocd, vault

pytestmark = pytest.mark.unit

REPOSITORIES = [DEFAULT_GITOPS_DIR, REPO_ROOT / "fixtures" / "variants" / "team-repo"]
NOW = datetime.datetime(2026, 12, 2, 2, 0, tzinfo=datetime.UTC).timestamp()
SHA = "4f1c0ffee" + "0" * 31
WAVE = "argocd.argoproj.io/sync-wave"


def _ts(seconds_ago: float) -> str:
    when = datetime.datetime.fromtimestamp(NOW - seconds_ago, datetime.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _app(name, sync="Synced", health="Healthy", phase="Succeeded", revision=SHA, conditions=(), retry=5, msg=""):
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": name, "namespace": "argocd"},
            "spec": {"syncPolicy": {"automated": {}, **({"retry": {"limit": retry}} if retry is not None else {})}},
            "status": {"sync": {"status": sync, "revision": revision}, "health": {"status": health},
                       "conditions": list(conditions),
                       "operationState": {"phase": phase, "message": msg, "retryCount": 0}}}


# --- item 2: the store before its ExternalSecrets, and retry -------------------------------------------------
@pytest.mark.parametrize("gitops_dir", REPOSITORIES, ids=lambda p: p.name)
def test_pushed_repository_syncs_the_store_first_and_every_application_retries(gitops_dir):
    plan, _, repo = plan_mod.prepare(RunConfig(run_id="r", gitops_dir=gitops_dir))
    pushed = {rel: list(yaml.safe_load_all(text)) for rel, text in plan.repo_files.items() if rel.endswith(".yaml")}
    apps = [d for docs in pushed.values() for d in docs if isinstance(d, dict) and d.get("kind") == "Application"]
    assert len(apps) == 3
    for app in apps:
        assert app["spec"]["syncPolicy"]["retry"]["limit"] > 0, app["metadata"]["name"]
    store_wave = int(repo.stores[0].obj.annotations[WAVE])
    for es in repo.external_secrets:
        assert int(es.obj.annotations.get(WAVE, "0")) > store_wave, es.obj.ref


# --- item 3: the converge wait reads the root -----------------------------------------------------------------
def test_a_root_that_cannot_clone_fails_the_wait_with_argo_cds_message():
    root = _app("airflow-root", sync="Unknown", health="Healthy", phase=None, conditions=[
        {"type": "ComparisonError", "message": "Failed to load target state: rpc error: authentication required",
         "lastTransitionTime": _ts(120)}])
    state, reason = argocd.convergence_state(root, {"airflow": None, "airflow-secrets": None}, {SHA}, NOW)
    assert state == "failed" and "authentication required" in reason


def test_a_fresh_comparison_error_is_still_pending_and_names_the_root():
    root = _app("airflow-root", sync="Unknown", phase="Running", msg="waiting for clone", conditions=[
        {"type": "ComparisonError", "message": "connection refused", "lastTransitionTime": _ts(10)}])
    state, reason = argocd.convergence_state(root, {"airflow": None}, {SHA}, NOW)
    assert state == "pending" and "airflow: not created yet (root airflow-root:" in reason
    assert "connection refused" in reason and "waiting for clone" in reason


def test_a_failed_root_operation_without_retry_fails_at_once():
    root = _app("airflow-root", sync="OutOfSync", health="Degraded", phase="Failed", retry=None,
                msg="one or more objects failed to apply")
    assert argocd.convergence_state(root, {"airflow": None}, {SHA}, NOW)[0] == "failed"


def test_root_and_children_synced_at_the_pushed_commit_converge():
    root = _app("airflow-root")
    children = {"airflow": _app("airflow"), "airflow-secrets": _app("airflow-secrets")}
    assert argocd.convergence_state(root, children, {SHA}, NOW)[0] == "ok"


# --- item 4: a reused cluster ------------------------------------------------------------------------------------
def test_synced_and_healthy_at_an_older_commit_does_not_count():
    children = {"airflow": _app("airflow", revision="0ld" + "1" * 37), "airflow-secrets": _app("airflow-secrets")}
    state, reason = argocd.convergence_state(_app("airflow-root"), children, {SHA}, NOW)
    assert state == "pending" and "not at the pushed 4f1c0ffee000" in reason


def test_multi_source_revisions_count():
    child = _app("airflow", revision=None)
    child["status"]["sync"]["revisions"] = ["1.21.0", SHA]
    assert argocd.convergence_state(_app("airflow-root"), {"airflow": child}, {SHA}, NOW)[0] == "ok"


def test_previous_runs_are_found_by_their_labelled_namespaces():
    config = RunConfig(run_id="e2e-new")
    namespaces = [{"metadata": {"name": n, "labels": {RUN_ID_LABEL: r}}} for n, r in
                  (("argocd", "e2e-old"), ("vault", "e2e-old"), ("airflow", "e2e-new"))]
    namespaces.append({"metadata": {"name": "default"}})
    assert providers.previous_run_ids(namespaces, config) == ["e2e-old"]


def _node(config: RunConfig) -> dict:
    labels = kindconfig.render(config)["nodes"][0]["labels"]
    return {"metadata": {"name": "airflow-e2e-control-plane", "labels": labels}}


def test_a_kept_cluster_with_the_same_settings_is_reused():
    assert kindconfig.reuse_refusal([_node(RunConfig(run_id="old"))], RunConfig(run_id="new")) is None


@pytest.mark.parametrize("change", [{"registry_mirror": "http://mirror.local:5000"},
                                    {"node_image": "kindest/node:v1.34.0@sha256:" + "a" * 64}])
def test_a_kept_cluster_with_other_settings_is_refused_in_one_sentence(change):
    refusal = kindconfig.reuse_refusal([_node(RunConfig(run_id="old"))], RunConfig(run_id="new", **change))
    assert refusal and refusal.count(". ") == 0 and "airflow-e2e down" in refusal


def test_a_kept_cluster_that_recorded_nothing_is_refused():
    node = {"metadata": {"name": "n", "labels": {RUN_ID_LABEL: "old"}}}
    assert "unrecorded" in kindconfig.reuse_refusal([node], RunConfig(run_id="new"))


# --- item 6: dev TLS files on the container's own filesystem --------------------------------------------------
def test_vault_dev_tls_files_are_on_no_volume(repo):
    server = vault.helm_values(RunConfig(run_id="r"), repo, vault.dev_root_token())["server"]
    mounts = [m["mountPath"] for m in server.get("volumeMounts") or []]
    chart_mounts = ["/vault/config", "/vault/data", "/vault/audit", "/vault/userconfig", "/home/vault"]
    for path in [*mounts, *chart_mounts]:
        assert not (vault.CERT_DIR + "/").startswith(path.rstrip("/") + "/"), path
    assert f"-dev-tls-cert-dir={vault.CERT_DIR}" in server["extraArgs"]
    assert vault.CA_FILE.startswith(vault.CERT_DIR + "/")


# --- item 8: image preload ----------------------------------------------------------------------------------------
def test_image_names_are_normalised_before_matching_local_images():
    wanted = ["docker.io/library/redis:7.2", "quay.io/argoproj/argocd:v3.5.1", "alpine",
              "ghcr.io/x/y:1@sha256:" + "b" * 64]
    local = {"redis:7.2", "alpine:latest", "ghcr.io/x/y@sha256:" + "b" * 64}
    load, pull = images.preload(wanted, local)
    assert load == ["alpine", "docker.io/library/redis:7.2", "ghcr.io/x/y:1@sha256:" + "b" * 64]
    assert pull == ["quay.io/argoproj/argocd:v3.5.1"]


def test_a_failed_kind_load_is_a_warning_and_the_rest_still_load():
    from e2e.cluster.tools import ToolError

    loaded, said = [], []

    def load_one(image):
        if image == "a:1":
            raise ToolError("kind load failed: ctr: content digest sha256:abc: not found")
        loaded.append(image)

    assert images.load_all(["a:1", "b:2"], load_one, said.append) == ["a:1"]
    assert loaded == ["b:2"] and "content digest" in said[0] and "the node will pull it" in said[0]


# --- item 15: cgroup v2 before a Kubernetes >= 1.35 node --------------------------------------------------------
@pytest.mark.parametrize(("image", "cgroup", "refused"), [
    ("kindest/node:v1.35.8@sha256:" + "0" * 64, "1", True),
    ("kindest/node:v1.36.4@sha256:" + "0" * 64, "1", True),
    ("kindest/node:v1.35.8@sha256:" + "0" * 64, "2", False),
    ("kindest/node:v1.34.11@sha256:" + "0" * 64, "1", False),
    ("kindest/node:v1.36.4@sha256:" + "0" * 64, None, False),
])
def test_cgroup_v1_engines_are_refused_before_creating_a_1_35_node(image, cgroup, refused):
    refusal = kindconfig.cgroup_refusal(image, cgroup)
    assert bool(refusal) is refused
    if refusal:
        assert "cgroup v2" in refusal and refusal.count(". ") == 0 and "sha256" not in refusal
