"""Provider keep/teardown decisions, the bring-up executor, diagnostics selection and the tool scripts."""

from __future__ import annotations

import hashlib
import json
import subprocess
import threading
from pathlib import Path

import pytest

from e2e import versions
from e2e.cluster import bringup, diagnostics, gitremote, providers, tools
from e2e.cluster.fixtures import test_id_dir as to_test_id_dir
from e2e.cluster.fixtures import unavailable_reason
from e2e.cluster.kube import apply_batches, without_test_hooks
from e2e.cluster.plan import Phase, RunPlan, Step
from e2e.config import REPO_ROOT, RunConfig
from e2e.masking import MASK, Masker

pytestmark = pytest.mark.unit


# --- keep / teardown ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("keep", "failed", "created", "expected"), [
    ("never", False, True, providers.Teardown(True, False, False)),
    ("never", True, True, providers.Teardown(True, False, False)),
    ("on-failure", False, True, providers.Teardown(True, False, False)),
    ("on-failure", True, True, providers.Teardown(False, False, True)),
    ("always", False, True, providers.Teardown(False, False, True)),
    # a reused/existing cluster is never deleted: only our objects go, or it is kept with an expiry
    ("never", False, False, providers.Teardown(False, True, False)),
    ("never", True, False, providers.Teardown(False, True, False)),
    ("on-failure", False, False, providers.Teardown(False, True, False)),
    ("on-failure", True, False, providers.Teardown(False, False, True)),
    ("always", True, False, providers.Teardown(False, False, True)),
])
def test_teardown_after_a_session(keep, failed, created, expected):
    assert providers.teardown_decision(keep, failed, created) == expected


def test_ctrl_c_tears_down_what_was_started_unless_keep_always():
    assert providers.interrupted_decision("on-failure", True) == providers.Teardown(True, False, False)
    assert providers.interrupted_decision("never", False) == providers.Teardown(False, True, False)
    assert providers.interrupted_decision("always", True) == providers.Teardown(False, False, True)


def test_expiry_label_is_an_epoch_in_the_future_and_a_valid_label_value():
    value = providers.expiry_value(1_700_000_000.0, 24)
    assert value == str(1_700_000_000 + 86_400) and value.isdigit() and len(value) <= 63


def test_kind_cluster_list_parsing_ignores_the_empty_message():
    assert providers.existing_cluster_names("No kind clusters found.\n") == []
    assert providers.existing_cluster_names("airflow-e2e\nother\n") == ["airflow-e2e", "other"]


class _FakeKube:
    def __init__(self, objects):
        self.objects, self.calls, self.applied = objects, [], []

    def kubectl(self, *args, **_):
        self.calls.append(args)
        return ""

    def get(self, kind, name, namespace=None):
        return self.objects.get((kind, name, namespace))

    def list(self, kind, namespace=None):
        return []

    def apply(self, objs, timeout=0):
        self.applied.extend(objs)


def test_deleting_a_run_removes_only_labelled_objects_and_its_coredns_lines():
    from e2e.stack import coredns

    config = RunConfig(run_id="e2e-run-1")
    patched = coredns.patch(coredns.KIND_DEFAULT_COREFILE, {"git.example.com": "x.svc"}, "e2e-run-1")
    kube = _FakeKube({("namespace", "argocd", None): {"metadata": {"labels": {"airflow-e2e.io/run-id": "e2e-run-1"}}},
                      ("configmap", "coredns", "kube-system"): {"data": {"Corefile": patched}}})
    providers.delete_run_objects(kube, config)
    deletes = [c for c in kube.calls if "delete" in c]
    assert deletes[0][:4] == ("-n", "argocd", "delete", "applications.argoproj.io")
    for call in deletes[1:]:
        assert "-l" in call and call[call.index("-l") + 1] == "airflow-e2e.io/run-id=e2e-run-1"
    assert kube.applied[0]["data"]["Corefile"] == coredns.KIND_DEFAULT_COREFILE


def test_applications_are_not_touched_in_an_argocd_namespace_that_is_not_ours():
    kube = _FakeKube({("namespace", "argocd", None): {"metadata": {"labels": {}}}})
    providers.delete_run_objects(kube, RunConfig(run_id="e2e-run-1"))
    assert not any("applications.argoproj.io" in c for c in kube.calls)


# --- executor -------------------------------------------------------------------------------------------------
def _plan(phases):
    return RunPlan(RunConfig(run_id="r"), phases, {}, [], {}, {})


def _step(name):
    return Step(name, "c", "command", name, [], [], 1.0)


def test_executor_runs_phases_in_order_and_lanes_of_a_parallel_phase_concurrently():
    barrier = threading.Barrier(2, timeout=5)
    order: list[str] = []
    plan = _plan([Phase("one", [[_step("a")]]), Phase("two", [[_step("b")], [_step("c")]]),
                  Phase("three", [[_step("d")]])])

    def record(step):
        order.append(step.name)

    def meet(step):
        barrier.wait()  # both lanes must be running at once, or this times out
        order.append(step.name)

    handlers = {"a": record, "b": meet, "c": meet, "d": record}
    bringup.execute(plan, handlers, bringup.Progress(Masker()))
    assert order[0] == "a" and set(order[1:3]) == {"b", "c"} and order[3] == "d"


def test_executor_refuses_a_plan_with_a_step_it_cannot_run():
    with pytest.raises(bringup.BringUpError, match="no handler for steps: b"):
        bringup.execute(_plan([Phase("one", [[_step("a"), _step("b")]])]), {"a": lambda s: None},
                        bringup.Progress(Masker()))


def test_a_failed_step_stops_the_bring_up_with_its_masked_reason():
    def boom(step):
        raise RuntimeError("password supersecret123 rejected")

    ran = []
    plan = _plan([Phase("one", [[_step("a")]]), Phase("two", [[_step("b")]])])
    with pytest.raises(bringup.BringUpError) as err:
        bringup.execute(plan, {"a": boom, "b": lambda s: ran.append(s)}, bringup.Progress(Masker(["supersecret123"])))
    assert "one/a" in str(err.value) and "supersecret123" not in str(err.value) and MASK in str(err.value)
    assert ran == []


def test_every_step_of_a_real_plan_has_a_handler(built):
    plan, _material, _repo = built

    class _Run(bringup.LiveRun):
        def __init__(self):  # no cluster, no directories: only the handler table is under test
            self.config, self.plan = plan.config, plan

    assert bringup.missing_handlers(plan, _Run.handlers(_Run())) == []


def test_progress_lines_carry_elapsed_time_and_are_masked():
    lines = []

    class Sink:
        def write(self, text):
            lines.append(text)

        def flush(self):
            pass

    bringup.Progress(Masker(["hunter2-secret"]), stream=Sink()).say("token hunter2-secret")
    assert lines[0].startswith("[airflow-e2e ") and "s] token " + MASK in lines[0]


def test_rollout_targets_come_from_rendered_workloads():
    objs = [{"kind": "Deployment", "metadata": {"name": "argocd-server", "namespace": "argocd"}},
            {"kind": "StatefulSet", "metadata": {"name": "argocd-application-controller", "namespace": "argocd"}},
            {"kind": "Service", "metadata": {"name": "argocd-server", "namespace": "argocd"}}]
    assert bringup.rollout_targets(objs) == [("argocd", "deployment/argocd-server"),
                                             ("argocd", "statefulset/argocd-application-controller")]


def test_install_yaml_objects_get_the_argocd_namespace_except_cluster_scoped_ones():
    objs = bringup.with_namespace([{"kind": "Deployment", "metadata": {"name": "x"}},
                                   {"kind": "ClusterRole", "metadata": {"name": "y"}}], "argocd",
                                  bringup.CLUSTER_SCOPED)
    assert objs[0]["metadata"]["namespace"] == "argocd" and "namespace" not in objs[1]["metadata"]


def test_crds_are_applied_before_namespaces_before_everything_else():
    objs = [{"kind": "Deployment"}, {"kind": "Namespace"}, {"kind": "CustomResourceDefinition"}]
    assert [[o["kind"] for o in b] for b in apply_batches(objs)] == [
        ["CustomResourceDefinition"], ["Namespace"], ["Deployment"]]


def test_helm_test_hooks_are_not_installed():
    objs = [{"kind": "Pod", "metadata": {"annotations": {"helm.sh/hook": "test"}}},
            {"kind": "Service", "metadata": {}}, None]
    assert [o["kind"] for o in without_test_hooks(objs)] == ["Service"]


# --- diagnostics ----------------------------------------------------------------------------------------------
def _pod(restarts=0, init_state=None):
    return {
        "metadata": {"name": "airflow-scheduler-0", "namespace": "airflow"},
        "spec": {"initContainers": [{"name": "git-sync-init", "image": "registry.k8s.io/git-sync/git-sync:v4.4.2"},
                                    {"name": "wait-for-airflow-migrations", "image": "apache/airflow:3.1.7"}],
                 "containers": [{"name": "scheduler", "image": "apache/airflow:3.1.7"},
                                {"name": "git-sync", "image": "registry.k8s.io/git-sync/git-sync:v4.4.2"}]},
        "status": {
            "initContainerStatuses": [
                {"name": "git-sync-init", "restartCount": restarts,
                 "state": init_state or {"terminated": {"exitCode": 1, "reason": "Error"}}},
                {"name": "wait-for-airflow-migrations", "restartCount": 0,
                 "state": {"waiting": {"reason": "PodInitializing"}}}],
            "containerStatuses": [
                {"name": "scheduler", "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}},
                {"name": "git-sync", "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}}]},
    }


def test_logs_are_taken_from_started_init_containers_and_git_sync_always():
    files = [d.file for d in diagnostics.pod_log_diagnostics(_pod())]
    assert "logs/airflow/airflow-scheduler-0/git-sync-init.log" in files
    assert "logs/airflow/airflow-scheduler-0/git-sync.log" in files  # git-sync even before it started
    assert not any("wait-for-airflow-migrations" in f or "scheduler.log" in f for f in files)


def test_previous_logs_are_taken_from_restarted_containers():
    diags = diagnostics.pod_log_diagnostics(_pod(restarts=3))
    previous = [d for d in diags if d.file.endswith(".previous.log")]
    assert [d.file for d in previous] == ["logs/airflow/airflow-scheduler-0/git-sync-init.previous.log"]
    assert "--previous" in previous[0].argv


def test_selection_covers_events_describe_argocd_eso_and_vault(config):
    files = [d.file for d in diagnostics.select(config, [_pod()], ["airflow", "argocd"])]
    for expected in ("airflow/events.txt", "airflow/describe-pods.txt", "argocd/events.txt",
                     "argocd/applications.yaml", "eso/externalsecrets.yaml", "eso/clustersecretstores.yaml",
                     "vault/status.json", "secrets-keys.json"):
        assert expected in files


def test_collected_files_are_masked_and_secret_values_never_written(tmp_path, config):
    secret_json = json.dumps({"items": [{"metadata": {"name": "airflow-fernet-key"},
                                         "data": {"fernet-key": "c2VjcmV0LXZhbHVlLTEyMw=="}}]})

    def kubectl(argv):
        if argv[:2] == ["get", "secrets"]:
            return secret_json
        if argv[0] == "logs":
            raise tools.ToolError("container not found")
        return "connection postgresql://airflow:secret-value-123@db/airflow"

    masker = Masker(["secret-value-123"])
    written = diagnostics.collect(kubectl, diagnostics.select(config, [_pod()], ["airflow"]), tmp_path, masker)
    text = "\n".join(p.read_text() for p in written)
    assert "secret-value-123" not in text and "c2VjcmV0LXZhbHVlLTEyMw==" not in text
    assert json.loads((tmp_path / "secrets-keys.json").read_text()) == {"airflow-fernet-key": ["fernet-key"]}
    assert "could not collect: container not found" in text


# --- fixtures and scripts -------------------------------------------------------------------------------------
def test_existing_cluster_without_kubeconfig_skips_with_one_sentence():
    reason = unavailable_reason(RunConfig(cluster="existing", run_id="r"))
    assert reason == "cluster tier with --cluster existing needs --kubeconfig"


def test_missing_docker_engine_is_one_clear_sentence():
    reason = tools.docker_problem()
    if reason is None:
        pytest.skip("a Docker engine answers on this machine")
    assert reason.startswith("cluster tier needs a Docker engine") and "\n" not in reason


def test_artifact_folder_names_are_filesystem_safe():
    assert to_test_id_dir("tests/cluster/test_x.py::test_y[a/b]") == "tests_cluster_test_x.py_test_y_a_b"


def install_tools(tool, platform, bin_dir=None, timeout=60):
    env = {"PATH": "/usr/bin:/bin", "AIRFLOW_E2E_PLATFORM": platform}
    env.update({"AIRFLOW_E2E_BIN": str(bin_dir)} if bin_dir else {})
    return subprocess.run(["bash", str(REPO_ROOT / "scripts" / "install-tools.sh"), tool], env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def test_install_tools_refuses_a_platform_without_a_pinned_checksum():
    result = install_tools("kubectl", "darwin-amd64")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "install-tools: refusing to install kubectl: no verified sha256 is pinned for darwin-amd64 in e2e/versions.py."]


@pytest.mark.parametrize(("tool", "platform"), [
    ("kind", "linux-amd64"), ("kubectl", "linux-amd64"), ("helm", "linux-amd64"), ("kubectl", "linux-arm64"),
    ("helm", "linux-arm64"), ("kubectl", "darwin-arm64"), ("kind", "darwin-amd64"), ("kind", "darwin-arm64"),
    ("helm", "darwin-amd64"), ("helm", "darwin-arm64")])
def test_pinned_tools_have_published_sha256_checksums(tool, platform):
    pinned = versions.tool_for(tool, platform)
    assert pinned is not None and len(pinned.sha256) == 64 and pinned.version in pinned.url
    assert platform.replace("-", "/") in pinned.url or platform in pinned.url


def test_the_harness_renders_with_the_helm_major_argo_cd_uses():
    assert versions.HELM_VERSION.startswith(f"v{versions.ARGOCD_HELM_MAJOR}.")
    assert all(t.version == versions.HELM_VERSION for t in versions.TOOLS["helm"].values())


def test_make_e2e_without_docker_exits_non_zero_with_one_sentence():
    if tools.docker_problem() is None:
        pytest.skip("a Docker engine answers on this machine")
    result = subprocess.run(["bash", str(REPO_ROOT / "scripts" / "e2e.sh")], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("make e2e: the cluster tier needs a Docker engine")


# --- git remote -----------------------------------------------------------------------------------------------
def test_git_ssh_command_checks_the_host_key_under_the_repository_host_name():
    cmd = gitremote.ssh_command(Path("/k"), Path("/kh"), "git.example.com", 40022)
    assert "StrictHostKeyChecking=yes" in cmd and "HostKeyAlias=git.example.com" in cmd and "-p 40022" in cmd
    assert "StrictHostKeyChecking=no" not in cmd


def test_initial_pushes_serve_the_gitops_and_dags_paths_the_urls_name(repo):
    pushes = gitremote.initial_pushes(repo, {"a.yaml": "x"}, {"dags/hello.py": "y"})
    assert [p for p, _ in pushes] == ["/platform/k8s-infra.git", "/platform/airflow-dags.git"]
    assert gitremote.repo_path(repo, "dags") == "/platform/airflow-dags.git"


def test_an_existing_cluster_that_already_runs_argocd_or_eso_is_refused():
    config = RunConfig(run_id="e2e-run-1")
    crds = [{"metadata": {"name": "applications.argoproj.io", "labels": {}}},
            {"metadata": {"name": "externalsecrets.external-secrets.io",
                          "labels": {"airflow-e2e.io/run-id": "e2e-run-1"}}},
            {"metadata": {"name": "certificates.cert-manager.io"}}]
    assert providers.foreign_crds(crds, config) == ["applications.argoproj.io"]


def _installed_kind(bin_dir, script, recorded_sha=None):
    """A kind binary in bin_dir with the marker install-tools writes: (pinned sha256, binary sha256)."""
    pinned = versions.tool_for("kind", "linux-amd64")
    (bin_dir / "kind").write_text(script)
    (bin_dir / "kind").chmod(0o755)
    binary_sha = recorded_sha or hashlib.sha256((bin_dir / "kind").read_bytes()).hexdigest()
    (bin_dir / ".kind.sha256").write_text(f"{pinned.sha256} {binary_sha}\n")
    return pinned


def test_install_tools_keeps_a_verified_binary_without_downloading(tmp_path):
    pinned = _installed_kind(tmp_path, "#!/bin/sh\n")
    result = install_tools("kind", "linux-amd64", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"install-tools: kind {pinned.version} already installed (sha256 verified)"


def test_install_tools_does_not_trust_a_binary_changed_after_install(tmp_path):
    _installed_kind(tmp_path, "#!/bin/sh\necho tampered\n", recorded_sha="0" * 64)
    result = install_tools("kind", "linux-amd64", tmp_path, timeout=120)
    assert "already installed" not in result.stdout  # it re-downloads (and offline, stops with one sentence)
    if result.returncode != 0:
        assert len(result.stderr.strip().splitlines()) == 1
