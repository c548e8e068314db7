"""Repository and payload edits are pure: applied to fixtures/gitops they change exactly what they say."""

from __future__ import annotations

import urllib.parse

import pytest
import yaml

from e2e import payload as payload_mod
from e2e.scenarios.plan import read_files
from e2e.scenarios.transforms import (
    DELETE,
    DoesNotApply,
    EditObject,
    PayloadEdit,
    ReplaceText,
    SetChartVersion,
    SetValue,
    apply_edits,
    with_url_password,
)

from .recording_stack import REFERENCE

VALUES, POLICY = "apps/airflow/airflow-values.yaml", "vault/policies/airflow-secret-read.hcl"
ES = "apps/airflow/external-secrets.yaml"


def text(rel: str) -> str:
    return (REFERENCE / rel).read_text(encoding="utf-8")


def test_set_value_changes_one_key_and_keeps_comments():
    before = text(VALUES)
    after = SetValue(VALUES, "createUserJob.useHelmHooks", True).apply(before)
    assert yaml.safe_load(after)["createUserJob"]["useHelmHooks"] is True
    assert "# FIX (seed): the seed's knownHosts is a placeholder" in after
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert changed == [("  useHelmHooks: false", "  useHelmHooks: true")]


def test_set_value_can_remove_a_key():
    after = SetValue(VALUES, "fernetKeySecretName", DELETE).apply(text(VALUES))
    assert "fernetKeySecretName" not in yaml.safe_load(after)


def test_multi_line_values_are_written_as_blocks():
    after = SetValue(VALUES, "dags.gitSync.knownHosts", "git.example.com ssh-ed25519 <x>\n").apply(text(VALUES))
    assert "knownHosts: |\n      git.example.com ssh-ed25519 <x>\n" in after


def test_edit_object_touches_one_document_of_a_multi_document_file():
    edit = EditObject(ES, "ExternalSecret", "airflow-fernet-key", ("spec", "target", "template", "data", "fernet-key"),
                      "{{ (fromYaml .config).fernetKeyy }}")
    docs = list(yaml.safe_load_all(edit.apply(text(ES))))
    assert docs[0]["spec"]["target"]["template"]["data"]["fernet-key"] == "{{ (fromYaml .config).fernetKeyy }}"
    assert docs[1:] == list(yaml.safe_load_all(text(ES)))[1:]


def test_digits_index_lists():
    edit = EditObject(ES, "ExternalSecret", "airflow-metadata", "spec.data.0.remoteRef.metadataPolicy", DELETE)
    doc = next(d for d in yaml.safe_load_all(edit.apply(text(ES))) if d["metadata"]["name"] == "airflow-metadata")
    assert "metadataPolicy" not in doc["spec"]["data"][0]["remoteRef"]


def test_keys_with_dots_are_addressed_as_tuples():
    rel = "argocd/config/argocd-cm.yaml"
    after = EditObject(rel, "ConfigMap", "argocd-cm",
                       ("data", "resource.customizations.health.argoproj.io_Application"), DELETE).apply(text(rel))
    assert yaml.safe_load(after)["data"] == {}


def test_replace_text_edits_an_hcl_policy():
    after = ReplaceText(POLICY, 'path "secret/data/airflow/*"', 'path "secret/airflow/*"').apply(text(POLICY))
    assert 'path "secret/airflow/*" {' in after


def test_set_chart_version_changes_only_the_chart_source():
    rel = "argocd/apps/airflow.yaml"
    app = yaml.safe_load(SetChartVersion(rel, "airflow", "1.22.0").apply(text(rel)))
    assert [s["targetRevision"] for s in app["spec"]["sources"]] == ["1.22.0", "main"]


def test_apply_edits_chains_edits_on_one_file_and_returns_only_changes():
    files = read_files(REFERENCE, (VALUES, "argocd/apps/airflow.yaml"))
    changes = apply_edits(files, (SetValue(VALUES, "migrateDatabaseJob.useHelmHooks", True),
                                  SetValue(VALUES, "createUserJob.useHelmHooks", True)))
    assert list(changes) == [VALUES]
    values = yaml.safe_load(changes[VALUES])
    assert values["migrateDatabaseJob"]["useHelmHooks"] and values["createUserJob"]["useHelmHooks"]


def test_an_edit_that_changes_nothing_yields_no_change():
    files = read_files(REFERENCE, (VALUES,))
    assert apply_edits(files, (SetValue(VALUES, "createUserJob.useHelmHooks", False),)) == {}


def test_payload_edit_changes_one_field_of_a_copy():
    original = payload_mod.generate()
    edited = PayloadEdit("extraSecrets.airflow-ssh-secret.data.gitSshKey", "no newline",
                         lambda key: key.rstrip("\n")).apply(original)
    assert original["extraSecrets"]["airflow-ssh-secret"]["data"]["gitSshKey"].endswith("\n")
    assert not edited["extraSecrets"]["airflow-ssh-secret"]["data"]["gitSshKey"].endswith("\n")


def test_payload_edit_description_names_the_field_never_the_value():
    edit = PayloadEdit("fernetKey", "8 hex characters, not a Fernet key", lambda _v: "deadbeef")
    assert edit.describe() == "payload fernetKey: 8 hex characters, not a Fernet key"


def test_url_password_is_replaced_and_encoded():
    url = "postgresql://airflow:s3cr%40t@postgresql.airflow-db.svc.cluster.local:5432/airflow?sslmode=disable"
    changed = with_url_password(url, "p@ss")
    assert changed == ("postgresql://airflow:p%40ss@postgresql.airflow-db.svc.cluster.local:5432/airflow"
                       "?sslmode=disable")
    assert urllib.parse.unquote(urllib.parse.urlsplit(changed).password) == "p@ss"
    assert with_url_password("redis://:old@airflow-redis:6379/0", "new") == "redis://:new@airflow-redis:6379/0"


SECRETS_APP = "argocd/apps/airflow-secrets.yaml"
REFUSED = {  # an edit the repository (or the payload) does not have what it changes for, and what it says
    "an absent key": (lambda: SetValue(VALUES, "noSuchKey", DELETE).apply(text(VALUES)), "nothing to remove"),
    "an absent object": (lambda: EditObject(ES, "ExternalSecret", "nope", "spec", {}).apply(text(ES)),
                         "no ExternalSecret named nope"),
    "an absent list item": (lambda: EditObject(ES, "ExternalSecret", "airflow-metadata", "spec.data.3.remoteRef",
                                               DELETE).apply(text(ES)), "no list item 3"),
    "an absent file": (lambda: SetValue("values/absent.yaml", "a", 1).apply(None), "values/absent.yaml: no such file"),
    "an absent text": (lambda: ReplaceText(POLICY, "not there", "x").apply(text(POLICY)),
                       "does not contain 'not there'"),
    "no chart source": (lambda: SetChartVersion(SECRETS_APP, "airflow-secrets", "1.22.0").apply(text(SECRETS_APP)),
                        "no chart source"),
    "an absent payload field": (lambda: PayloadEdit("nope", "x", str).apply(payload_mod.generate()),
                                "payload has no field nope"),
    "a URL without a password": (lambda: with_url_password("redis://airflow-redis:6379/0", "new"),
                                 "the URL has no password to change"),
}


@pytest.mark.parametrize(("edit", "says"), REFUSED.values(), ids=list(REFUSED))
def test_an_edit_that_does_not_apply_says_why(edit, says):
    with pytest.raises(DoesNotApply, match=says):
        edit()
