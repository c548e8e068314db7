"""The chart's Airflow runs the DAG repository's DAG: triggered through its API server as the payload's admin,
every task succeeds on the Celery workers, and the task that decrypts a Connection proves the Fernet key."""

from __future__ import annotations

from e2e import payload as payload_mod
from e2e.checks import dag_run
from e2e.checks.expect import Expectations
from e2e.observe.airflow_api import AirflowSession, airflow_api
from e2e.observe.wait import Failed, Ok, Pending, eventually


def _outcome(judgement: dag_run.Judgement):
    text = "; ".join(judgement.evidence)
    return Ok(judgement) if judgement.state == "ok" else Failed(text) if judgement.state == "failed" else Pending(text)


def test_the_dag_runs_to_success_on_the_celery_workers(stack):
    exp = Expectations.for_stack(stack)
    user = stack.payload["createUserJob"]["defaultUser"]
    secret = payload_mod.password(20)
    stack.masker.add([secret])
    dag_id = dag_run.CHAIN_DAG_ID
    with airflow_api(stack.kube, exp.namespace, exp.release, exp.airflow_version) as api:
        session, status, _body = AirflowSession.login(api, user["username"], user["password"])
        assert session is not None, f"POST /auth/token answered {status}"
        created, _ = session.put_connection(dag_run.probe_connection(dag_run.PROBE_CONNECTION, secret))
        assert created in (200, 201), f"POST /api/v2/connections answered {created}"
        eventually(lambda: _outcome(dag_run.dag_parsed(dag_id, *session.dag(dag_id), session.import_errors()[1])),
                   timeout=stack.config.timeout(240), interval=5, describe="DAG parsed", masker=stack.masker)
        session.unpause(dag_id)
        status, run = session.trigger(dag_id)
        assert status in (200, 201) and isinstance(run, dict), f"POST dagRuns answered {status}"
        run_id = run["dag_run_id"]
        eventually(lambda: _outcome(dag_run.run_finished(session.run(dag_id, run_id)[1],
                                                         session.task_instances(dag_id, run_id)[1])),
                   timeout=stack.config.timeout(300), interval=5, describe=f"run {run_id}", masker=stack.masker)
        verdict = dag_run.ran_on_workers(session.task_instances(dag_id, run_id)[1], exp.release)
    assert verdict.ok, verdict.explain()
