"""What the checks expect is read from the repository model, never hard-coded (reference repository)."""

from __future__ import annotations

import copy

from e2e.checks.expect import Expectations
from e2e.gitops.model import get_path


def test_names_come_from_the_repository(repo):
    exp = Expectations.from_repository(repo, "3.2.1")
    assert (exp.secrets_app, exp.chart_app, exp.release, exp.namespace) == ("airflow-secrets", "airflow", "airflow",
                                                                            "airflow")
    assert (exp.migration_job, exp.user_job) == ("airflow-run-airflow-migrations", "airflow-create-user")
    assert len(exp.managed_secrets) == 9
    assert exp.required_keys["airflow-default-user"] == ("email", "firstName", "lastName", "password", "username")
    assert exp.required_keys["airflow-ssh-secret"] == ("gitSshKey",)


def test_referenced_secrets_follow_the_airflow_major(repo):
    three = Expectations.from_repository(repo, "3.2.1").referenced
    two = Expectations.from_repository(repo, "2.10.5").referenced
    assert "airflow-jwt-secret" in three and "airflow-webserver-secret-key" not in three
    assert "airflow-webserver-secret-key" in two and "airflow-jwt-secret" not in two


def test_a_renamed_release_renames_the_jobs_and_chart_secrets(repo):
    renamed = copy.deepcopy(repo)
    app = renamed.application("airflow")
    app.chart_sources[0].helm["releaseName"] = "orchestrator"
    exp = Expectations.from_repository(renamed, "3.2.1")
    assert exp.migration_job == "orchestrator-run-airflow-migrations"
    assert "orchestrator-fernet-key" in exp.chart_generated
    assert get_path(exp.values, "fernetKeySecretName") == "airflow-fernet-key"
