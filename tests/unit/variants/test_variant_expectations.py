"""The checks' Expectations for a team's own repository: every name comes from the repository (release `af`,
namespace `data-platform`, `dp-*` Secrets), none from the reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e.checks.expect import Expectations
from e2e.gitops.loader import load_repository
from e2e.versions import airflow_version_for_chart

pytestmark = pytest.mark.unit

VARIANT = Path(__file__).resolve().parents[3] / "fixtures" / "variants" / "team-repo"
DP_SECRETS = ("dp-fernet", "dp-api-key", "dp-jwt", "dp-metadata", "dp-broker", "dp-redis", "dp-webserver-key",
              "dp-admin-user", "dp-git-ssh")


@pytest.fixture(scope="module")
def exp():
    return Expectations.from_repository(load_repository(VARIANT), airflow_version_for_chart("1.22.0"))


def test_release_and_namespace_come_from_the_chart_application(exp):
    assert (exp.release, exp.namespace, exp.argocd_namespace) == ("af", "data-platform", "argocd")


def test_applications_are_the_repositorys_children(exp):
    assert (exp.chart_app, exp.secrets_app) == ("dp-airflow", "dp-airflow-secrets")


def test_jobs_are_named_after_the_release(exp):
    assert (exp.migration_job, exp.user_job) == ("af-run-airflow-migrations", "af-create-user")


def test_chart_made_secret_names_use_the_release(exp):
    assert set(exp.chart_generated) == {"af-metadata", "af-broker-url", "af-fernet-key", "af-api-secret-key",
                                        "af-jwt-secret", "af-redis-password"}


def test_managed_secrets_are_the_dp_targets(exp):
    assert sorted(exp.managed_secrets) == sorted(DP_SECRETS)


def test_required_keys_name_the_dp_secrets(exp):
    assert exp.required_keys["dp-fernet"] == ("fernet-key",)
    assert exp.required_keys["dp-admin-user"] == ("email", "firstName", "lastName", "password", "username")
    assert exp.required_keys["dp-git-ssh"] == ("gitSshKey",)


def test_airflow_3_pods_reference_no_webserver_key(exp):
    assert "dp-webserver-key" not in exp.referenced and "dp-jwt" in exp.referenced


def test_git_sync_expectations_name_the_corp_host_on_port_2222(exp):
    assert exp.git_sync_repo == "ssh://git@git.corp.internal:2222/data/dags.git" and exp.known_hosts_set
