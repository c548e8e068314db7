"""Judge a DAG run from what Airflow's REST API returns (pure): pending, succeeded, or failed with the reason.

Why pure and shared: the local chain (a real Airflow on loopback) and the cluster tier (the chart's API server
through a port-forward) ask the same questions of the same JSON: is the DAG parsed (or did it fail to import),
did the run and every task succeed, and on which worker (Celery hostname). Both wait with one deadline on a
monotonic clock and stop at once on a terminal state (a failed run, an import error).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from e2e.checks.verdict import Verdict

CHAIN_DAG_ID = "hello_gitops"
PROBE_CONNECTION = "e2e_dag_probe"  # the Connection the DAG's read task decrypts (proves the Fernet key)
RUN_TERMINAL = {"success", "failed"}
TASK_OK = {"success"}
TASK_TERMINAL_BAD = {"failed", "upstream_failed", "removed"}


@dataclass(frozen=True)
class Judgement:
    """`state` is "pending", "ok" or "failed"; `evidence` names ids and states, never a value."""

    state: str
    evidence: list[str] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.state != "pending"

    def verdict(self, name: str) -> Verdict:
        return Verdict(name, self.state == "ok", list(self.evidence))


def _entries(body: Any, key: str) -> list[dict[str, Any]]:
    items = body.get(key) if isinstance(body, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def dag_parsed(dag_id: str, dag_status: int, dag_body: Any, import_errors_body: Any) -> Judgement:
    """GET /api/v2/dags/{id} and GET /api/v2/importErrors: parsed, not yet, or an import error for its file."""
    errors = _entries(import_errors_body, "import_errors")
    if dag_status == 200 and isinstance(dag_body, dict) and dag_body.get("dag_id") == dag_id:
        where = dag_body.get("fileloc") or dag_body.get("relative_fileloc")
        return Judgement("ok", [f"DAG {dag_id} parsed from {where} (bundle {dag_body.get('bundle_name')})"])
    if errors:
        first = errors[0]
        trace = str(first.get("stack_trace") or "").strip().splitlines()
        return Judgement("failed", [f"{len(errors)} DAG import error(s); {first.get('filename')}: "
                                    f"{trace[-1] if trace else 'no trace'}"])
    if dag_status in (401, 403):
        return Judgement("failed", [f"GET /api/v2/dags/{dag_id} answered {dag_status}: not authorised"])
    return Judgement("pending", [f"DAG {dag_id} not parsed yet (HTTP {dag_status})"])


def run_finished(run_body: Any, tasks_body: Any) -> Judgement:
    """GET .../dagRuns/{run_id} and .../taskInstances: ok when the run and every task succeeded."""
    if not isinstance(run_body, dict) or "state" not in run_body:
        return Judgement("pending", ["no DAG run state yet"])
    run_id, state = run_body.get("dag_run_id"), run_body.get("state")
    tasks = _entries(tasks_body, "task_instances")
    summary = [f"{t.get('task_id')}={t.get('state')}" + (f" on {t.get('hostname')}" if t.get("hostname") else "")
               for t in sorted(tasks, key=lambda t: str(t.get("task_id")))]
    head = f"run {run_id}: {state}; tasks: {', '.join(summary) or 'none listed'}"
    bad = [t for t in tasks if t.get("state") in TASK_TERMINAL_BAD]
    if state == "failed" or (bad and state in RUN_TERMINAL):
        return Judgement("failed", [head, *(f"task {t.get('task_id')} {t.get('state')} (try {t.get('try_number')})"
                                            for t in bad)])
    if state == "success":
        not_ok = [t for t in tasks if t.get("state") not in TASK_OK]
        if not tasks or not_ok:
            return Judgement("failed", [head, "the run succeeded but not every task did"])
        return Judgement("ok", [head])
    return Judgement("pending", [head])


def celery_workers_tasks(tasks_body: Any) -> list[str]:
    """The task ids of a run (what the worker must have executed)."""
    return sorted(str(t.get("task_id")) for t in _entries(tasks_body, "task_instances"))


def probe_connection(conn_id: str, password: str) -> dict[str, Any]:
    """The REST body of the Connection the DAG's last task decrypts (extra: the password's sha256)."""
    import hashlib
    import json

    return {"connection_id": conn_id, "conn_type": "generic", "login": "e2e-probe", "password": password,
            "extra": json.dumps({"sha256": hashlib.sha256(password.encode()).hexdigest()})}


def ran_on_workers(tasks_body: Any, release: str) -> Verdict:
    """Every task ran on one of the chart's Celery worker pods (`<release>-worker-N`), not elsewhere."""
    tasks = _entries(tasks_body, "task_instances")
    hosts = {str(t.get("task_id")): str(t.get("hostname") or "") for t in tasks}
    off = {task: host for task, host in hosts.items() if not host.startswith(f"{release}-worker-")}
    evidence = [f"{task} on {host or 'no host'}" for task, host in sorted(hosts.items())] or ["no task instances"]
    return Verdict("tasks ran on the Celery workers", bool(tasks) and not off, evidence)
