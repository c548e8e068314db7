"""Rules follow the chart and ESO per version (issue 14 point 5): the executor and redis.enabled decide the broker
and Redis Secrets, an unknown chart maps to the nearest known one (info), Airflow 2 charts need no API/JWT
Secret, and an ESO generator refreshed never means "generate once"."""

from __future__ import annotations

import pytest

from e2e import versions

VALUES = "apps/airflow/airflow-values.yaml"
CHART_APP = "argocd/apps/airflow.yaml"


def found(report, rule=None):
    return sorted((f.rule, f.severity, f.message.split(" ", 1)[0]) for f in report.findings
                  if rule is None or f.rule == rule)


def _without_celery_secrets(r, executor):
    r.edit(VALUES, "executor: CeleryExecutor", f"executor: {executor}")
    r.edit(VALUES, "  brokerUrlSecretName: airflow-broker-url\n", "")
    r.edit(VALUES, "redis:\n  passwordSecretName: airflow-redis-password\n", "")


@pytest.mark.parametrize("executor", ["LocalExecutor", "KubernetesExecutor"])
def test_no_broker_or_redis_secret_is_needed_without_celery(repo_copy, executor):
    _without_celery_secrets(repo_copy, executor)
    assert found(repo_copy.run(), "secret-name-unset") == []


def test_celery_still_needs_both(repo_copy):
    _without_celery_secrets(repo_copy, "CeleryKubernetesExecutor")
    assert found(repo_copy.run(), "secret-name-unset") == [
        ("secret-name-unset", "error", "data.brokerUrlSecretName"),
        ("secret-name-unset", "error", "redis.passwordSecretName")]


def test_redis_disabled_needs_no_redis_password_secret(repo_copy):
    repo_copy.edit(VALUES, "redis:\n  passwordSecretName: airflow-redis-password\n", "redis:\n  enabled: false\n")
    assert found(repo_copy.run(), "secret-name-unset") == []


def test_a_broker_secret_named_without_celery_is_not_required_from_eso(repo_copy):
    repo_copy.edit(VALUES, "executor: CeleryExecutor", "executor: LocalExecutor")
    repo_copy.edit("apps/airflow/external-secrets.yaml", "  name: airflow-broker-url\n", "  name: airflow-broker\n", 2)
    assert found(repo_copy.run(), "secret-without-external-secret") == []


@pytest.mark.parametrize(("given", "nearest"), [("1.14.2", "1.15.0"), ("1.21.3", "1.21.0"), ("1.99.0", "1.22.0"),
                                                ("1.16.1", "1.16.0"), ("1.21.0", "1.21.0"), ("main", "1.21.0")])
def test_nearest_known_chart(given, nearest):
    assert versions.nearest_chart(given) == nearest


def test_an_unknown_airflow_2_chart_follows_its_nearest_neighbour_with_an_info(repo_copy):
    repo_copy.edit(CHART_APP, "targetRevision: 1.21.0", "targetRevision: 1.14.2")
    repo_copy.edit(VALUES, "apiSecretKeySecretName: airflow-api-secret-key\njwtSecretName: airflow-jwt-secret\n", "")
    report = repo_copy.run()
    assert found(report) == [("chart-version-unknown", "info", "chart")]
    assert "nearest known chart 1.15.0 (Airflow 2.9.3)" in report.findings[0].message


def test_airflow_2_charts_need_the_webserver_key_and_no_api_or_jwt_secret(repo_copy):
    repo_copy.edit(CHART_APP, "targetRevision: 1.21.0", "targetRevision: 1.16.0")
    repo_copy.edit(VALUES, "apiSecretKeySecretName: airflow-api-secret-key\njwtSecretName: airflow-jwt-secret\n", "")
    assert found(repo_copy.run(), "secret-name-unset") == []
    repo_copy.edit(VALUES, "webserverSecretKeySecretName: airflow-webserver-secret-key\n", "")
    assert found(repo_copy.run(), "secret-name-unset") == [
        ("secret-name-unset", "error", "webserverSecretKeySecretName")]


GENERATED = """---
apiVersion: generators.external-secrets.io/v1alpha1
kind: Password
metadata:
  name: airflow-password
  namespace: airflow
spec:
  length: 32
  symbols: 0
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: airflow-generated-password
  namespace: airflow
spec:
  refreshInterval: "0"
  target:
    name: airflow-generated-password
    creationPolicy: Owner
    deletionPolicy: Retain
  dataFrom:
    - sourceRef:
        generatorRef:
          apiVersion: generators.external-secrets.io/v1alpha1
          kind: Password
          name: airflow-password
"""


def test_a_vault_read_refreshed_never_is_still_an_error(repo_copy):
    repo_copy.write("apps/airflow/generated.yaml", GENERATED.replace(
        "    - sourceRef:\n        generatorRef:\n          apiVersion: generators.external-secrets.io/v1alpha1\n"
        "          kind: Password\n          name: airflow-password\n",
        "    - extract:\n        key: airflow/config\n"))
    assert [f[0] for f in found(repo_copy.run(), "eso-refresh-never")] == ["eso-refresh-never"]
