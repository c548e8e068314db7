"""git-sync clones the DAG repository's current commit with verified host keys, and Airflow sees the DAG."""

from __future__ import annotations

import ast

import pytest

from e2e.checks import gitsync
from e2e.checks.expect import Expectations
from e2e.observe import snapshot
from e2e.observe.airflow_api import airflow_api
from e2e.observe.wait import Ok, Pending, eventually

pytestmark = pytest.mark.gitsync


def _git_sync_pods(stack):
    pods = snapshot.take(stack.kube, stack.config).of("Pod")
    return [p for p in pods if gitsync.git_sync_containers(p)]


def test_git_sync_containers_verify_host_keys(stack):
    verdict = gitsync.host_keys_verified(_git_sync_pods(stack))
    assert verdict.ok, verdict.explain()


def test_git_sync_cloned_the_dag_repositorys_current_commit(stack):
    commit = stack.git.head("dags")
    logs = {}
    for pod in _git_sync_pods(stack):
        for container in gitsync.git_sync_containers(pod):
            name = pod["metadata"]["name"]
            logs[f"{name}/{container['name']}"] = snapshot.pod_log(stack.kube, pod["metadata"]["namespace"], name,
                                                                   container["name"])
    verdict = gitsync.cloned_commit(logs, commit, masker=stack.masker)
    assert verdict.ok, verdict.explain()


def _dag_ids(dags_dir) -> list[str]:
    """dag_id="..." literals in the DAG repository's Python files (no import: the DAGs need Airflow)."""
    ids = []
    for path in sorted(dags_dir.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "dag_id" and isinstance(node.value, ast.Constant):
                ids.append(str(node.value.value))
    return ids


def test_the_dag_is_visible_through_the_api(stack):
    exp = Expectations.for_stack(stack)
    dag_ids = _dag_ids(stack.config.dags_dir)
    assert dag_ids, f"no dag_id found under {stack.config.dags_dir}"
    user = stack.payload["createUserJob"]["defaultUser"]
    with airflow_api(stack.kube, exp.namespace, exp.release, exp.airflow_version) as api:
        def listed():
            status, body = api.dags(user["username"], user["password"])
            verdict = gitsync.dag_visible(status, body, dag_ids[0])
            return Ok(verdict) if verdict.ok else Pending("; ".join(verdict.evidence))
        verdict = eventually(listed, timeout=stack.config.timeout(180), interval=5, describe="DAG parsed",
                             masker=stack.masker)
    assert verdict.ok
