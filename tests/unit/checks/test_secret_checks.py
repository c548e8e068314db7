"""Materialisation checks on a realistic snapshot: owned, exact keys, byte-equal to Vault, no chart Secrets,
the fernet key stable. Every failure's evidence is checked for leaked values too."""

from __future__ import annotations

import base64
import copy

from e2e.checks import secrets


def test_good_run_materialises_all_nine_secrets(run, vault, no_values_in):
    r = run()
    assert len(r.exp.external_secrets) == 9
    for verdict in (secrets.secrets_owned_by_external_secrets(r.snapshot, r.exp),
                    secrets.secrets_have_chart_keys(r.snapshot, r.exp),
                    secrets.secrets_match_vault(r.snapshot, r.exp, vault),
                    secrets.no_chart_made_secrets(r.snapshot, r.exp)):
        assert verdict.ok, verdict.explain()
        assert no_values_in(verdict)


def test_a_missing_key_is_named(run, vault):
    r = run()
    del r.secret("airflow-fernet-key")["data"]["fernet-key"]
    keys = secrets.secrets_have_chart_keys(r.snapshot, r.exp)
    assert not keys.ok
    assert "airflow-fernet-key: missing fernet-key" in keys.evidence
    values = secrets.secrets_match_vault(r.snapshot, r.exp, vault)
    assert "airflow-fernet-key/fernet-key: absent" in values.evidence


def test_an_extra_key_is_named(run):
    r = run()
    r.secret("airflow-metadata")["data"]["sql_alchemy_conn"] = base64.b64encode(b"x").decode()
    verdict = secrets.secrets_have_chart_keys(r.snapshot, r.exp)
    assert not verdict.ok and "airflow-metadata: unexpected sql_alchemy_conn" in verdict.evidence


def test_a_value_that_differs_says_lengths_never_the_value(run, vault, no_values_in):
    r = run()
    data = r.secret("airflow-ssh-secret")["data"]
    key = base64.b64decode(data["gitSshKey"])
    data["gitSshKey"] = base64.b64encode(key.rstrip(b"\n")).decode()  # the trailing newline lost
    verdict = secrets.secrets_match_vault(r.snapshot, r.exp, vault)
    assert not verdict.ok
    line = next(e for e in verdict.evidence if e.startswith("airflow-ssh-secret/gitSshKey"))
    assert f"differs (len {len(key)} expected vs {len(key) - 1} actual" in line
    assert no_values_in(verdict)
    assert key.decode().strip() not in verdict.explain()


def test_a_chart_made_secret_is_caught(run):
    r = run()
    chart_made = r.secret("airflow-fernet-key")
    chart_made["metadata"]["ownerReferences"] = []
    chart_made["metadata"]["labels"] = {"tier": "airflow", "release": "airflow", "chart": "airflow-1.21.0",
                                        "heritage": "Helm"}
    chart_made["metadata"]["annotations"] = {"helm.sh/hook": "pre-install", "helm.sh/hook-weight": "0"}
    verdict = secrets.no_chart_made_secrets(r.snapshot, r.exp)
    assert not verdict.ok
    assert "airflow-fernet-key (fernetKeySecretName): made by the chart: helm hook pre-install" in verdict.evidence
    owned = secrets.secrets_owned_by_external_secrets(r.snapshot, r.exp)
    assert not owned.ok and any("no controller ownerReference" in e for e in owned.evidence)


def test_another_chart_made_secret_is_reported(run):
    r = run()
    r.snapshot.objects["Secret"].append({"kind": "Secret", "metadata": {
        "name": "airflow-result-backend", "namespace": "airflow",
        "labels": {"release": "airflow", "heritage": "Helm"}}, "data": {"connection": "eA=="}})
    verdict = secrets.no_chart_made_secrets(r.snapshot, r.exp)
    assert "note: airflow-result-backend is another chart-made Secret" in verdict.evidence


def test_a_secret_not_owned_by_its_external_secret_fails(run):
    r = run()
    r.secret("airflow-metadata")["metadata"]["ownerReferences"][0]["name"] = "something-else"
    verdict = secrets.secrets_owned_by_external_secrets(r.snapshot, r.exp)
    assert not verdict.ok
    assert any(e.startswith("airflow-metadata: not owned by ExternalSecret/airflow-metadata") for e in verdict.evidence)


def test_a_missing_secret_fails_every_materialisation_check(run, vault):
    r = run()
    r.snapshot.objects["Secret"] = [s for s in r.snapshot.of("Secret") if s["metadata"]["name"] != "airflow-jwt-secret"]
    assert "airflow-jwt-secret: missing" in secrets.secrets_owned_by_external_secrets(r.snapshot, r.exp).evidence
    assert not secrets.secrets_match_vault(r.snapshot, r.exp, vault).ok


def test_fernet_key_unchanged_across_a_second_sync(run):
    r = run()
    assert secrets.fernet_key_unchanged(r.snapshot, copy.deepcopy(r.snapshot), r.exp).ok


def test_fernet_key_changed_fails_with_recreation_and_length_evidence(run, no_values_in):
    r = run()
    after = copy.deepcopy(r.snapshot)
    fernet = after.get("Secret", "airflow-fernet-key")
    fernet["metadata"]["uid"] = "0d9f-new"
    fernet["data"]["fernet-key"] = base64.b64encode(b"ZmVybmV0LWtleS1yZS1nZW5lcmF0ZWQtYnktdGhlLWNoYXJ0").decode()
    verdict = secrets.fernet_key_unchanged(r.snapshot, after, r.exp)
    assert not verdict.ok
    assert verdict.evidence[0].startswith("airflow-fernet-key/fernet-key changed: differs (len ")
    assert verdict.evidence[1].startswith("re-created (uid ")
    assert no_values_in(verdict)


def test_a_template_key_missing_from_the_payload_is_reported_by_path(run, example_payload):
    r = run()
    broken = copy.deepcopy(dict(example_payload))
    del broken["fernetKey"]
    verdict = secrets.secrets_match_vault(r.snapshot, r.exp, secrets.vault_view(broken))
    assert not verdict.ok
    assert any('map has no entry for key "fernetKey"' in e for e in verdict.evidence)
