"""The operator acts with the names the repository's install gives, on the reference and on a team's own
repository alike: a recording Kube and git (plain objects with the RunningStack contract's attributes, no
cluster), every expected name read from the AirflowInstall and the RunConfig, none written here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from e2e.config import RunConfig
from e2e.gitops.loader import load_repository
from e2e.install import airflow_install
from e2e.masking import Masker
from e2e.stack.operator import APPLICATION, DAGS, EXTERNAL_SECRET, Operator

pytestmark = pytest.mark.unit

class RecordingKube:
    def __init__(self, objects: dict[str, dict] | None = None) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.objects = objects or {}

    def kubectl(self, *args: str, input_text: str | None = None) -> str:
        self.calls.append(args)
        return ""

    def get(self, kind: str, name: str, namespace: str | None = None):
        return self.objects.get(f"{kind}/{name}")


class RecordingGit:
    def __init__(self) -> None:
        self.commits: list[tuple[str, dict, str]] = []

    def commit(self, repo: str, changes, message: str, branch: str = "main") -> str:
        self.commits.append((repo, dict(changes), message))
        return f"{len(self.commits):040x}"


class RecordingVault:
    def __init__(self) -> None:
        self.writes: list[dict] = []

    def write_payload(self, payload, path=None) -> None:
        self.writes.append(dict(payload))


class Stack:
    def __init__(self, root: Path, kube: RecordingKube | None = None) -> None:
        self.repo = load_repository(root)
        self.config = RunConfig.from_env(gitops_dir=root, run_id="e2e-2612020000-abcd")
        self.kube, self.git, self.vault = kube or RecordingKube(), RecordingGit(), RecordingVault()
        self.masker = Masker()


def test_restart_exec_and_jobs_use_the_installs_release_and_namespace(root):
    stack = Stack(root)
    inst, op = airflow_install(stack.repo), Operator(stack)
    op.restart_pods(("worker",))
    op.airflow("db", "check-migrations")
    op.delete_job(inst.user_job)
    ns = inst.namespace
    assert stack.kube.calls == [
        ("-n", ns, "delete", "pod", "-l", f"release={inst.release},component in (worker)", "--wait=false"),
        ("-n", ns, "exec", f"deploy/{inst.scheduler}", "-c", "scheduler", "--", "airflow", "db", "check-migrations"),
        ("-n", ns, "delete", "job", inst.user_job, "--ignore-not-found", "--cascade=foreground")]


def test_a_commit_then_its_revert_refresh_the_installs_application_in_argo_cds_namespace(root):
    stack = Stack(root)
    inst, op = airflow_install(stack.repo), Operator(stack)
    op.commit({"probe.py": "x = 1\n"}, "add a probe", repo=DAGS, refresh=(inst.app.name,))
    op.revert({"probe.py": None}, "remove the probe", repo=DAGS)
    assert stack.git.commits == [(DAGS, {"probe.py": "x = 1\n"}, "add a probe"),
                                 (DAGS, {"probe.py": None}, "remove the probe")]
    assert stack.kube.calls == [("-n", inst.argocd_namespace, "annotate", APPLICATION, inst.app.name,
                                 "argocd.argoproj.io/refresh=normal", "--overwrite")]


def test_force_sync_covers_every_external_secret_of_the_repository(root):
    stack = Stack(root)
    Operator(stack).force_sync()
    assert [c[4] for c in stack.kube.calls] == [es.name for es in stack.repo.external_secrets]
    assert {c[:4] for c in stack.kube.calls} == {("-n", airflow_install(stack.repo).namespace, "annotate",
                                                  EXTERNAL_SECRET)}


def test_sync_and_terminate_patch_the_named_application_only_while_an_operation_runs(root):
    inst = airflow_install(load_repository(root))
    running = {"status": {"operationState": {"phase": "Running"}}}
    stack = Stack(root, RecordingKube({f"{APPLICATION}/{inst.app.name}": running}))
    op = Operator(stack)
    assert op.terminate_sync(inst.app.name) is True
    op.sync(inst.app.name, prune=False, hooks=True)
    (_, ns, _, _, name, _, _, patch), (*_, sync) = stack.kube.calls
    assert (ns, name) == (inst.argocd_namespace, inst.app.name)
    assert json.loads(patch) == {"status": {"operationState": {"phase": "Terminating"}}}
    assert json.loads(sync)["operation"]["sync"] == {"syncStrategy": {"hook": {}}}
    assert Operator(Stack(root)).terminate_sync(inst.app.name) is False  # nothing running: nothing patched


def test_the_live_chart_version_is_read_from_the_installs_application(root):
    inst = airflow_install(load_repository(root))
    stack = Stack(root, RecordingKube({f"{APPLICATION}/{inst.app.name}": inst.app.obj.body}))
    assert Operator(stack).live_chart_version() == inst.chart_version


def test_a_payload_written_by_the_operator_is_masked_first(root):
    stack = Stack(root)
    Operator(stack).write_payload({"fernetKey": "a-new-fernet-key-value", "nested": {"list": ["a-listed-secret"]}})
    assert stack.vault.writes and "a-new-fernet-key-value" not in stack.masker.mask("a-new-fernet-key-value")
    assert "a-listed-secret" not in stack.masker.mask("log: a-listed-secret")
