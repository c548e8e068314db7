"""The repository model, read from the bundled reference repository (the `repo` fixture of tests/unit/conftest.py)."""

import pytest

from e2e.errors import UnusableInput
from e2e.gitops import load_repository
from e2e.gitops.model import get_path
from e2e.install import airflow_install


def test_reference_has_parent_and_both_applications(repo):
    assert {a.name for a in repo.applications} == {"airflow-root", "airflow-secrets", "airflow"}
    assert repo.application("airflow-secrets").sync_wave == 5
    assert repo.application("airflow").sync_wave == 10


def test_values_file_resolves_through_values_ref(repo):
    inst = airflow_install(repo)
    assert inst.values_file_paths == ["apps/airflow/airflow-values.yaml"]
    values = inst.values
    assert get_path(values, "createUserJob.useHelmHooks") is False


def test_nine_external_secrets_read_the_same_vault_key(repo):
    assert len(repo.external_secrets) == 9
    assert {tuple(es.remote_keys) for es in repo.external_secrets} == {("airflow/config",)}


def test_vault_policy_and_role_are_data(repo):
    assert repo.policies[0].rules == {"secret/data/airflow/*": ["read"]}
    assert repo.roles[0].listed("policies") == ["airflow-secret-read"]


def test_lines_are_remembered(repo):
    app = repo.application("airflow")
    assert app.obj.origin.file == "argocd/apps/airflow.yaml"
    assert app.obj.origin.line == 1


def test_missing_directory_is_unusable(tmp_path):
    with pytest.raises(UnusableInput, match="no such directory"):
        load_repository(tmp_path / "nope")
