"""Judging a DAG run from Airflow 3's REST API answers (shapes as /api/v2 returns them), for both tiers."""

from __future__ import annotations

import pytest

from e2e.checks import dag_run

DAG = {"dag_id": "hello_gitops", "is_paused": False, "fileloc": "/opt/airflow/dags/repo/dags/hello.py",
       "relative_fileloc": "dags/hello.py", "bundle_name": "dags-folder", "tags": [{"name": "e2e"}]}
RUN = {"dag_run_id": "manual__2026-12-02T01:30:00+00:00", "dag_id": "hello_gitops", "state": "running",
       "run_type": "manual", "logical_date": None, "conf": {}}


def _tasks(*states, host="airflow-worker-0"):
    return {"task_instances": [{"task_id": f"t{i}", "state": s, "try_number": 1, "hostname": host,
                                "executor": "CeleryExecutor"} for i, s in enumerate(states)],
            "total_entries": len(states)}


def test_a_parsed_dag_is_ok_and_names_its_file():
    j = dag_run.dag_parsed("hello_gitops", 200, DAG, {"import_errors": [], "total_entries": 0})
    assert j.state == "ok" and "dags/hello.py" in j.evidence[0]


def test_a_dag_not_yet_parsed_is_pending():
    j = dag_run.dag_parsed("hello_gitops", 404, {"detail": "The Dag with ID: `hello_gitops` was not found"},
                           {"import_errors": [], "total_entries": 0})
    assert j.state == "pending"


def test_an_import_error_fails_at_once_with_its_last_line():
    errors = {"import_errors": [{"import_error_id": 1, "filename": "dags/hello.py", "bundle_name": "dags-folder",
                                 "stack_trace": "Traceback (most recent call last):\n  File ...\n"
                                                "SyntaxError: invalid syntax"}], "total_entries": 1}
    j = dag_run.dag_parsed("hello_gitops", 404, {"detail": "not found"}, errors)
    assert j.state == "failed" and "SyntaxError: invalid syntax" in j.evidence[0]


RUN_CASES = {  # run, task instances -> state, a line of evidence must contain (None: any)
    "a running run is pending": (RUN, _tasks("success", "running"), "pending", None),
    "every task succeeded is ok and names the worker": (dict(RUN, state="success"), _tasks("success", "success"),
                                                        "ok", "on airflow-worker-0"),
    "a failed run fails naming the failed task": (dict(RUN, state="failed"), _tasks("success", "failed"), "failed",
                                                  "task t1 failed"),
    "a success without task instances is not trusted": (dict(RUN, state="success"), {"task_instances": []},
                                                        "failed", None),
    "no state yet is pending": ({"detail": "not found"}, {}, "pending", None),
}


@pytest.mark.parametrize(("run", "tasks", "state", "said"), RUN_CASES.values(), ids=list(RUN_CASES))
def test_run_finished(run, tasks, state, said):
    j = dag_run.run_finished(run, tasks)
    assert j.state == state
    assert said is None or any(said in line for line in j.evidence), j.evidence


def test_tasks_on_the_chart_s_worker_pods_ran_on_the_workers():
    assert dag_run.ran_on_workers(_tasks("success", "success", host="airflow-worker-0"), "airflow").ok


def test_a_task_run_elsewhere_is_not_on_the_workers():
    verdict = dag_run.ran_on_workers(_tasks("success", host="airflow-scheduler-5d8f"), "airflow")
    assert not verdict.ok and "airflow-scheduler-5d8f" in verdict.evidence[0]


def test_the_probe_connection_carries_the_password_digest_not_a_copy():
    body = dag_run.probe_connection("e2e_dag_probe", "s3cret-value")
    assert "s3cret-value" not in body["extra"] and body["connection_id"] == "e2e_dag_probe"
