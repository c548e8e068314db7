"""The local chain: Secrets from the payload -> a running Airflow -> a DAG from the DAG repository, run for real."""

from __future__ import annotations

import pytest

from e2e.components import chain

pytestmark = pytest.mark.components


def test_the_dag_from_git_runs_to_success_on_the_celery_worker(component_suite, local_chain):
    result = component_suite.result(chain.NAME_RUN)
    assert result.outcome == "pass", result.summary + "\n" + "\n".join(result.evidence)
    assert any("read_encrypted_connection=success" in line for line in result.evidence)
    assert any("Celery worker executed 3 workload(s) of 3 task(s)" in line for line in result.evidence), \
        result.evidence


def test_a_connection_written_with_another_fernet_key_fails_the_task_with_invalid_token(component_suite,
                                                                                         local_chain):
    result = component_suite.result(chain.NAME_FERNET)
    assert result.outcome == "pass", result.summary + "\n" + "\n".join(result.evidence)
    assert result.failure == "FAILURES.md 2"


def test_a_worker_with_another_broker_password_logs_redis_s_refusal(component_suite, local_chain):
    result = component_suite.result(chain.NAME_BROKER)
    assert result.outcome == "pass", result.summary
    assert chain.WRONG_BROKER_SYMPTOM in " ".join(result.evidence)


def test_git_sync_with_another_host_key_delivers_no_dag(component_suite, local_chain):
    result = component_suite.result(chain.NAME_KNOWN_HOST)
    assert result.outcome == "pass", result.summary
    assert result.failure == "FAILURES.md 5"
