"""Producers other than ESO are recognised (issue 14 point 5): a SealedSecret, a Vault Secrets Operator secret,
a Secret in Git, a Secret made outside Git (--existing-secret); a Secret with real data committed is an error."""

from __future__ import annotations

from corpus_tools import remove_document

ES_FILE = "apps/airflow/external-secrets.yaml"


def without_fernet_external_secret(r):
    remove_document(r.root / ES_FILE, "airflow-fernet-key")
    return r


def rules(report):
    return sorted((f.rule, f.severity, f.file) for f in report.findings)


SEALED = """apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: airflow-fernet-key
  namespace: airflow
spec:
  encryptedData:
    {key}: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq
  template:
    metadata:
      name: airflow-fernet-key
      namespace: airflow
"""


def test_without_any_producer_the_secret_is_missing(repo_copy):
    without_fernet_external_secret(repo_copy)
    assert ("secret-without-external-secret", "error", "apps/airflow/airflow-values.yaml") in rules(repo_copy.run())


def test_a_sealed_secret_without_the_key_the_chart_reads(repo_copy):
    without_fernet_external_secret(repo_copy).write("apps/airflow/sealed.yaml", SEALED.format(key="fernet_key"))
    assert rules(repo_copy.run()) == [("secret-data-key-missing", "error", "apps/airflow/sealed.yaml")]


def test_a_vault_secrets_operator_secret_produces_it(repo_copy):
    without_fernet_external_secret(repo_copy).write("apps/airflow/vso.yaml", """
apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultStaticSecret
metadata: {name: fernet, namespace: airflow}
spec:
  mount: secret
  type: kv-v2
  path: airflow/fernet
  destination: {name: airflow-fernet-key, create: true}
""")
    assert rules(repo_copy.run()) == []


def test_a_secret_made_outside_git_is_named_by_option(repo_copy):
    without_fernet_external_secret(repo_copy)
    repo_copy.options["existing_secrets"] = ["airflow/airflow-fernet-key"]
    assert rules(repo_copy.run()) == []


def test_a_committed_secret_with_real_data_is_an_error_and_names_no_value(repo_copy):
    without_fernet_external_secret(repo_copy).write("apps/airflow/fernet.yaml", """apiVersion: v1
kind: Secret
metadata: {name: airflow-fernet-key, namespace: airflow}
type: Opaque
stringData:
  fernet-key: 9Vq0b3B1h0rZ7p1kWlq1xv2m5n8c3d4e6f7g8h9i0jk=
""")
    report = repo_copy.run()
    assert rules(report) == [("secret-committed-with-data", "error", "apps/airflow/fernet.yaml")]
    assert "9Vq0b3B1" not in report.findings[0].message and "stringData.fernet-key" in report.findings[0].message


def test_a_secret_with_placeholders_only_is_not_committed_data(repo_copy):
    without_fernet_external_secret(repo_copy).write("apps/airflow/fernet.yaml", """apiVersion: v1
kind: Secret
metadata: {name: airflow-fernet-key, namespace: airflow}
stringData:
  fernet-key: "${FERNET_KEY}"
  other: ""
""")
    assert "secret-committed-with-data" not in {r[0] for r in rules(repo_copy.run())}
