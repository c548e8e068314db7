"""values_migration_findings: an upgrade says which values stop meaning what they meant (FAILURES.md 11)."""

from __future__ import annotations

import pytest

from e2e.chart_upgrade import values_migration_findings
from e2e.errors import UnusableInput
from e2e.gitops import load_repository
from e2e.install import airflow_install

from .recording_stack import REFERENCE


def reference_values() -> dict:
    repo = load_repository(REFERENCE)
    return airflow_install(repo).values


def test_the_reference_values_have_no_error_upgrading_from_1_20_to_1_22():
    findings = values_migration_findings("1.20.0", "1.22.0", reference_values())
    assert [f for f in findings if f.severity == "error"] == []


def test_webserver_default_user_is_reported_as_renamed_to_create_user_job():
    [finding] = [f for f in values_migration_findings("1.18.0", "1.19.0", {
        "webserver": {"defaultUser": {"enabled": True, "username": "admin"}},
        "apiSecretKeySecretName": "a", "jwtSecretName": "j"}) if f.old == "webserver.defaultUser"]
    assert finding.new == "createUserJob.defaultUser"
    assert "crossed by this upgrade" in finding.message


def test_the_rename_is_not_reported_before_the_chart_that_made_it():
    findings = values_migration_findings("1.17.0", "1.18.0", {"webserver": {"defaultUser": {"enabled": True}},
                                                              "apiSecretKeySecretName": "a", "jwtSecretName": "j"})
    assert "webserver.defaultUser" not in {f.old for f in findings}


def test_webserver_settings_point_at_api_server_on_airflow_3():
    findings = values_migration_findings("1.16.0", "1.17.0", {"webserver": {"replicas": 2, "resources": {}}})
    assert {(f.old, f.new) for f in findings if f.severity == "warning"} == {
        ("webserver.replicas", "apiServer.replicas"), ("webserver.resources", "apiServer.resources")}


def test_crossing_into_airflow_3_needs_the_api_and_jwt_secrets():
    findings = values_migration_findings("1.16.0", "1.17.0", {"fernetKeySecretName": "airflow-fernet-key"})
    errors = {f.old: f.message for f in findings if f.severity == "error"}
    assert set(errors) == {"apiSecretKeySecretName", "jwtSecretName"}
    assert "new with Airflow 3" in errors["jwtSecretName"] and "airflow-jwt-secret" in errors["jwtSecretName"]


def test_webserver_secret_key_is_said_to_be_ignored_on_airflow_3():
    findings = values_migration_findings("1.21.0", "1.22.0", reference_values())
    assert [(f.severity, f.old) for f in findings] == [("info", "webserverSecretKeySecretName")]


def test_airflow_2_to_airflow_2_has_nothing_about_the_api_server():
    assert values_migration_findings("1.15.0", "1.16.0", {"webserver": {"replicas": 2}}) == []


@pytest.mark.parametrize(("old", "new", "why"), [("1.22.0", "1.21.0", "downgrade"), ("1.21.0", "9.9.9", "unknown"),
                                                 ("x", "1.21.0", "not a chart version")])
def test_impossible_upgrades_are_unusable_input(old, new, why):
    with pytest.raises(UnusableInput, match=why):
        values_migration_findings(old, new, {})
