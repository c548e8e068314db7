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


EXPECTED = {  # what each expectation is on the variant -> (read from the Expectations, the variant's value)
    "release and namespace come from the chart Application": (
        lambda e: (e.release, e.namespace, e.argocd_namespace), ("af", "data-platform", "argocd")),
    "applications are the repository's children": (
        lambda e: (e.chart_app, e.secrets_app), ("dp-airflow", "dp-airflow-secrets")),
    "jobs are named after the release": (
        lambda e: (e.migration_job, e.user_job), ("af-run-airflow-migrations", "af-create-user")),
    "chart-made Secret names use the release": (
        lambda e: set(e.chart_generated), {"af-metadata", "af-broker-url", "af-fernet-key", "af-api-secret-key",
                                           "af-jwt-secret", "af-redis-password"}),
    "managed Secrets are the dp targets": (lambda e: sorted(e.managed_secrets), sorted(DP_SECRETS)),
    "required keys name the dp Secrets": (
        lambda e: (e.required_keys["dp-fernet"], e.required_keys["dp-admin-user"], e.required_keys["dp-git-ssh"]),
        (("fernet-key",), ("email", "firstName", "lastName", "password", "username"), ("gitSshKey",))),
    "Airflow 3 pods reference no webserver key": (
        lambda e: ("dp-webserver-key" in e.referenced, "dp-jwt" in e.referenced), (False, True)),
    "git-sync names the corp host on port 2222": (
        lambda e: (e.git_sync_repo, bool(e.known_hosts_set)), ("ssh://git@git.corp.internal:2222/data/dags.git", True)),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_the_variants_expectations_name_its_own_things(exp, name):
    read, wanted = EXPECTED[name]
    assert read(exp) == wanted
