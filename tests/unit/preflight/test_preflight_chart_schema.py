"""Values keys are checked against the chart's values.schema.json for the pinned version (issue 14 point 5):
"did you mean", keys renamed on upgrade, the schema from --chart-schema or the user cache, one note without."""

from __future__ import annotations

import shutil
from pathlib import Path

from e2e.cli import main

SCHEMAS = Path(__file__).resolve().parent / "schemas"
VALUES = "apps/airflow/airflow-values.yaml"
CHART_APP = "argocd/apps/airflow.yaml"


def found(report):
    return [(f.rule, f.severity, f.file, f.line, f.hint) for f in report.findings]


def test_a_misspelt_top_level_key_gets_did_you_mean(repo_copy):
    repo_copy.edit(VALUES, "fernetKeySecretName:", "fernetKeySecretname:")
    repo_copy.options["chart_schema"] = SCHEMAS
    report = repo_copy.run()
    unknown = [f for f in found(report) if f[0] == "values-key-unknown"]
    assert unknown == [("values-key-unknown", "error", VALUES, 13, "did you mean fernetKeySecretName?")]


def test_a_misspelt_nested_key_names_its_parent(repo_copy):
    repo_copy.edit(VALUES, "    sshKeySecret: airflow-ssh-secret", "    sshKeySecrets: airflow-ssh-secret")
    repo_copy.options["chart_schema"] = SCHEMAS
    hints = [f[4] for f in found(repo_copy.run()) if f[0] == "values-key-unknown"]
    assert hints == ["did you mean dags.gitSync.sshKeySecret?"]


DEFAULT_USER = "webserver:\n  defaultUser:\n    enabled: true\n    username: admin\n"


def test_a_key_renamed_on_upgrade_is_named_with_its_new_name(repo_copy):
    repo_copy.write(VALUES, (repo_copy.root / VALUES).read_text() + DEFAULT_USER)
    repo_copy.edit(CHART_APP, "targetRevision: 1.21.0", "targetRevision: 1.22.0")
    repo_copy.options["chart_schema"] = SCHEMAS
    report = repo_copy.run()
    assert [(f.rule, f.hint) for f in report.findings if f.rule.startswith("values-key")] == [
        ("values-key-unknown", "renamed in chart 1.19.0: use createUserJob.defaultUser")]


def test_a_deprecated_key_still_in_the_schema_is_a_warning(repo_copy):
    repo_copy.write(VALUES, (repo_copy.root / VALUES).read_text() + DEFAULT_USER)
    repo_copy.options["chart_schema"] = SCHEMAS
    assert [(f.rule, f.severity) for f in repo_copy.run().findings if f.rule.startswith("values-key")] == [
        ("values-key-renamed", "warning")]


def test_the_reference_matches_its_schema(repo_copy):
    repo_copy.options["chart_schema"] = SCHEMAS / "1.21.0" / "values.schema.json"
    report = repo_copy.run()
    assert report.findings == [] and report.notes == []


def test_without_a_schema_one_note_and_no_key_findings(repo_copy, monkeypatch, tmp_path):
    monkeypatch.setenv("AIRFLOW_E2E_CACHE_DIR", str(tmp_path / "empty-cache"))
    repo_copy.edit(VALUES, "fernetKeySecretName:", "fernetKeySecretname:")
    report = repo_copy.run()
    assert [f.rule for f in report.findings if f.rule.startswith("values-key")] == []
    assert len(report.notes) == 1 and "chart 1.21.0" in report.notes[0]


def test_the_schema_is_found_in_the_user_cache(repo_copy, monkeypatch, tmp_path):
    cache = tmp_path / "cache"
    (cache / "charts" / "airflow" / "1.21.0").mkdir(parents=True)
    shutil.copy(SCHEMAS / "1.21.0" / "values.schema.json", cache / "charts" / "airflow" / "1.21.0")
    monkeypatch.setenv("AIRFLOW_E2E_CACHE_DIR", str(cache))
    repo_copy.edit(VALUES, "fernetKeySecretName:", "fernetKeySecretname:")
    report = repo_copy.run()
    assert [f.rule for f in report.findings if f.rule.startswith("values-key")] == ["values-key-unknown"]
    assert report.notes == []


def test_the_note_is_one_stderr_line_and_a_missing_schema_option_exits_2(capsys, repo_copy, monkeypatch, tmp_path):
    monkeypatch.setenv("AIRFLOW_E2E_CACHE_DIR", str(tmp_path / "empty-cache"))
    assert main(["preflight", str(repo_copy.root)]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("airflow-e2e preflight: note: values keys not checked")
    assert main(["preflight", str(repo_copy.root), "--chart-schema", str(tmp_path / "absent.json")]) == 2
    assert "--chart-schema" in capsys.readouterr().err
