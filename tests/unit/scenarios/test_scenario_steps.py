"""Steps drive the RunningStack contract as an operator would (a recording stand-in, no cluster)."""

from __future__ import annotations

import json

import pytest
import yaml

from e2e.scenarios.model import Memory
from e2e.scenarios.registry import REGISTRY
from e2e.scenarios.steps import (
    ConfigMapKeyFromRepo,
    DeleteApplication,
    ForceSync,
    GitCommit,
    RestartAirflowPods,
    RestoreFiles,
    RestorePayload,
    RunAirflowCli,
    ScaleEso,
    SyncApplication,
    VaultPayload,
    VaultPolicyFromRepo,
)
from e2e.scenarios.transforms import DoesNotApply, PayloadEdit, SetValue

from .recording_stack import RecordingStack
from .stack_states import LAYOUT

VALUES = "apps/airflow/airflow-values.yaml"


def test_git_commit_reads_the_pushed_file_commits_the_edit_and_refreshes():
    stack, memory = RecordingStack(), Memory()
    GitCommit("hooks on", (SetValue(VALUES, "createUserJob.useHelmHooks", True),), refresh=("airflow",)).apply(
        stack, memory)
    repo, changes, message = stack.git.commits[0]
    assert (repo, message) == ("gitops", "hooks on")
    assert yaml.safe_load(changes[VALUES])["createUserJob"]["useHelmHooks"] is True
    assert stack.kube.calls == [("-n", "argocd", "annotate", "applications.argoproj.io", "airflow",
                                 "argocd.argoproj.io/refresh=normal", "--overwrite")]
    assert "useHelmHooks: false" in memory.saved_files[VALUES]


def test_restore_files_commits_the_texts_from_before_the_break():
    stack, memory = RecordingStack(), Memory()
    original = stack.git.read("gitops", VALUES)
    GitCommit("hooks on", (SetValue(VALUES, "createUserJob.useHelmHooks", True),)).apply(stack, memory)
    GitCommit("hooks on too", (SetValue(VALUES, "migrateDatabaseJob.useHelmHooks", True),)).apply(stack, memory)
    RestoreFiles("revert").apply(stack, memory)
    assert stack.git.commits[-1][1] == {VALUES: original}


def test_a_commit_that_changes_nothing_is_refused():
    with pytest.raises(DoesNotApply, match="nothing to commit"):
        GitCommit("no-op", (SetValue(VALUES, "createUserJob.useHelmHooks", False),)).apply(RecordingStack(), Memory())


def test_vault_payload_writes_the_edited_payload_and_keeps_the_original():
    stack, memory = RecordingStack(), Memory()
    VaultPayload((PayloadEdit("fernetKey", "bad", lambda _v: "deadbeef"),), LAYOUT.payload_path).apply(stack, memory)
    assert stack.vault.payload["fernetKey"] == "deadbeef"
    RestorePayload(LAYOUT.payload_path).apply(stack, memory)
    assert stack.vault.payload["fernetKey"] == "k" * 44


def test_policy_is_written_from_the_committed_file():
    stack = RecordingStack()
    stack.git.files["vault/policies/airflow-secret-read.hcl"] = 'path "secret/airflow/*" {}\n'
    VaultPolicyFromRepo("airflow-secret-read").apply(stack, Memory())
    assert stack.vault.policies == [("airflow-secret-read", 'path "secret/airflow/*" {}\n')]


def test_force_sync_without_names_covers_every_external_secret_of_the_repository():
    stack = RecordingStack()
    ForceSync().apply(stack, Memory())
    annotated = [c[4] for c in stack.kube.calls if c[2:4] == ("annotate", "externalsecrets.external-secrets.io")]
    assert annotated == [es.name for es in stack.repo.external_secrets] and len(annotated) == 9
    assert all(c[1] == "airflow" and c[5].startswith("force-sync=") for c in stack.kube.calls)


def test_kubectl_steps_use_the_runs_namespaces():
    stack = RecordingStack()
    ScaleEso(0, LAYOUT.eso_namespace).apply(stack, Memory())
    RestartAirflowPods(("worker",), LAYOUT.release, LAYOUT.airflow_namespace).apply(stack, Memory())
    DeleteApplication("airflow-secrets", LAYOUT.argocd_namespace).apply(stack, Memory())
    calls = stack.kube.calls
    assert calls[0] == ("-n", "external-secrets", "scale", "deployment/external-secrets", "--replicas=0")
    assert calls[1][:4] == ("-n", "external-secrets", "wait", "pod") and "--for=delete" in calls[1]
    assert calls[2] == ("-n", "airflow", "delete", "pod", "-l", "release=airflow,component in (worker)",
                        "--wait=false")
    assert calls[3][:4] == ("-n", "argocd", "patch", "application") and "resources-finalizer" in calls[3][-1]
    assert calls[4] == ("-n", "argocd", "delete", "application", "airflow-secrets", "--wait=false")


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_step_describes_itself_in_one_readable_line_at_least(name):
    for step in REGISTRY[name].steps():
        first = step.describe().splitlines()[0]
        assert 10 < len(first) < 200


def test_airflow_cli_probe_keeps_the_whole_masked_output_even_when_the_command_fails():
    stack = RecordingStack()
    stack.masker.add(["deadbeef-not-a-key"])
    stack.kube.kubectl = lambda *args, input_text=None: (stack.kube.calls.append(args) or
                                                         "ValueError: deadbeef-not-a-key\nFernet key must be 32 "
                                                         "url-safe base64-encoded bytes.\nexit 1\n")
    memory = Memory()
    RunAirflowCli("fernet", ("variables", "set", "k", "v"), LAYOUT.release, LAYOUT.airflow_namespace).apply(
        stack, memory)
    assert stack.kube.calls[0][-3:] == ("sh", "-c", 'airflow variables set k v 2>&1; echo "exit $?"')
    assert memory.probe_logs["probe/fernet"] == ["ValueError: ***MASKED***",
                                                 "Fernet key must be 32 url-safe base64-encoded bytes.", "exit 1"]


HEALTH_KEY = "resource.customizations.health.argoproj.io_Application"


def test_configmap_key_is_removed_when_the_committed_file_no_longer_has_it():
    stack = RecordingStack([{"configmaps": [{"metadata": {"name": "argocd-cm"}, "data": {HEALTH_KEY: "hs = {}"}}]}])
    stack.git.files["argocd/config/argocd-cm.yaml"] = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\n  namespace: argocd\ndata: {}\n")
    ConfigMapKeyFromRepo("argocd/config/argocd-cm.yaml", "argocd-cm", HEALTH_KEY).apply(stack, Memory())
    ns, _, _, name, kind, _, patch = stack.kube.calls[-1][1:]
    assert (ns, name, kind) == ("argocd", "argocd-cm", "--type=json")
    assert json.loads(patch) == [{"op": "remove", "path": f"/data/{HEALTH_KEY}"}]


def test_configmap_key_is_set_from_the_committed_file():
    stack = RecordingStack()
    ConfigMapKeyFromRepo("argocd/config/argocd-cm.yaml", "argocd-cm", HEALTH_KEY).apply(stack, Memory())
    call = stack.kube.calls[-1]
    assert call[:5] == ("-n", "argocd", "patch", "configmap", "argocd-cm") and call[5] == "--type=merge"
    assert json.loads(call[-1])["data"][HEALTH_KEY].startswith("hs = {}")


def test_sync_application_starts_a_pruning_sync():
    """What `argocd app sync` does; terminating and the operator's own sync options are tested with the
    Operator (tests/unit/test_operator_on_both_repositories.py)."""
    stack = RecordingStack()
    SyncApplication("airflow", LAYOUT.argocd_namespace).apply(stack, Memory())
    assert json.loads(stack.kube.calls[-1][-1])["operation"]["sync"] == {"prune": True}
