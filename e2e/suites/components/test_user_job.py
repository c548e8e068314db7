"""The createUserJob script from the values, run as the Job runs it, with the Job's exact environment."""

from __future__ import annotations

import pytest

from e2e import chart

pytestmark = pytest.mark.components

CHART_JOB_ENV = {"AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW_CONN_AIRFLOW_DB",
                 "AIRFLOW__API__SECRET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__CELERY__BROKER_URL",
                 "AIRFLOW_HOME"}
DEFAULT_USER_ENV = {"AIRFLOW_DEFAULT_USERNAME", "AIRFLOW_DEFAULT_PASSWORD", "AIRFLOW_DEFAULT_EMAIL",
                    "AIRFLOW_DEFAULT_FIRST_NAME", "AIRFLOW_DEFAULT_LAST_NAME"}


def test_the_job_gets_exactly_the_chart_s_environment(component_stack):
    job = component_stack.job_env()
    assert set(job.env) == CHART_JOB_ENV | DEFAULT_USER_ENV | {"AIRFLOW__CORE__AUTH_MANAGER"}
    assert job.env["AIRFLOW__CORE__AUTH_MANAGER"] == chart.AUTH_MANAGER_AIRFLOW3
    ref = next(item["valueFrom"]["secretKeyRef"] for item in component_stack.inputs.values["createUserJob"]["env"]
               if item["name"] == "AIRFLOW_DEFAULT_PASSWORD")  # the values' own Secret (dp-* in a team's repo)
    assert job.sources["AIRFLOW_DEFAULT_PASSWORD"] == f"{ref['name']}/{ref['key']}"
    assert job.env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == component_stack.payload["metadataConnection"]


def test_the_user_job_script_succeeds(migrated_database, component_suite):
    result = component_suite.result("user-job.script-succeeds")
    assert result.outcome == "pass", result.summary


def test_the_default_user_logs_in_with_the_payload_password(created_admin, component_suite):
    result = component_suite.result("user-job.password-authenticates")
    assert result.outcome == "pass", result.summary
    assert "payload password authenticates: True" in result.evidence


def test_a_second_run_of_the_job_is_idempotent(created_admin, component_suite):
    result = component_suite.result("user-job.second-run-idempotent")
    assert result.outcome == "pass", result.summary


def test_a_broken_metadata_connection_fails_the_job_and_says_why(component_suite):
    result = component_suite.result("user-job.broken-connection-fails-visibly")
    assert result.outcome == "pass", result.summary
    assert "password authentication failed" in " ".join(result.evidence)
    assert result.failure == "FAILURES.md 6"
