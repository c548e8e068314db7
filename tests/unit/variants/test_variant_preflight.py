"""preflight on a team's own repository (fixtures/variants/team-repo): every name differs from the reference,
and no rule may fire, or stay silent, because of a name the repository chose."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from e2e import payload as payload_mod
from e2e.gitops.loader import load_repository
from e2e.install import payload_location
from e2e.preflight.engine import run_preflight

VARIANT = Path(__file__).resolve().parents[3] / "fixtures" / "variants" / "team-repo"


@pytest.fixture(scope="module")
def repo():
    return load_repository(VARIANT)


def _errors(report) -> list[str]:
    return [f"{f.rule}: {f.message}" for f in report.findings if f.severity == "error"]


def _preflight(payload: dict, tmp_path, gitops=VARIANT):
    """preflight of gitops with this payload written as the user would (mode 0600)."""
    path = tmp_path / "payload.yaml"
    payload_mod.write(payload, path)
    return run_preflight(gitops, payload_file=path)


def test_variant_repository_has_no_findings():
    report = run_preflight(VARIANT)
    assert [f.rule for f in report.findings] == []


def test_payload_location_is_read_from_the_external_secrets(repo):
    assert payload_location(repo) == ("data-platform/airflow", "settings")


def test_payload_without_the_variants_ssh_secret_is_an_error(tmp_path):
    """The templates read `extraSecrets.dp-git-ssh`; a payload shaped for the reference must not pass."""
    payload = payload_mod.generate()  # the reference shape: extraSecrets.airflow-ssh-secret
    errors = _errors(_preflight(payload, tmp_path))
    assert any("extraSecrets.dp-git-ssh" in e for e in errors), errors


def test_generated_payload_is_shaped_by_the_repository(repo):
    assert payload_mod.shape_for(repo) == {"ssh_secret": "dp-git-ssh", "redis_host": "af-redis"}


def test_payload_generated_for_the_variant_has_no_errors(repo, tmp_path):
    payload = payload_mod.generate(**payload_mod.shape_for(repo))
    assert _errors(_preflight(payload, tmp_path)) == []
    assert payload_mod.git_ssh_key(payload).startswith("-----BEGIN OPENSSH PRIVATE KEY-----")


def test_payload_command_prints_the_repositorys_vault_location(tmp_path, capsys):
    from e2e.cli import main

    out = tmp_path / "payload.yaml"
    assert main(["payload", "--out", str(out), "--gitops-dir", str(VARIANT)]) == 0
    assert f"vault kv put -mount=kv data-platform/airflow settings=@{out}" in capsys.readouterr().out
    assert "dp-git-ssh" in yaml.safe_load(out.read_text())["extraSecrets"]


def test_ssh_key_without_trailing_newline_is_caught_at_the_variants_payload_path(repo, tmp_path):
    """The variant keeps the key at extraSecrets.dp-git-ssh.data.gitSshKey (its template says so)."""
    payload = payload_mod.generate(**payload_mod.shape_for(repo))
    payload["extraSecrets"]["dp-git-ssh"]["data"]["gitSshKey"] = payload_mod.git_ssh_key(payload).rstrip("\n")
    found = [f for f in _preflight(payload, tmp_path).findings if f.rule == "payload-ssh-key-invalid"]
    assert [f.object for f in found] == ["payload:extraSecrets.dp-git-ssh.data.gitSshKey"]


def test_payload_field_names_follow_the_templates(tmp_path):
    """A team that names the field `fernet_key` gets the Fernet check on `fernet_key`, not on `fernetKey`."""
    import shutil

    copy = tmp_path / "repo"
    shutil.copytree(VARIANT, copy)
    es_file = copy / "k8s" / "airflow-secrets" / "external-secrets.yaml"
    es_file.write_text(es_file.read_text().replace("(fromYaml .settings).fernetKey", "(fromYaml .settings).fernet_key"))
    example = copy / "vault" / "payload.example.yaml"
    example.write_text(example.read_text().replace("fernetKey:", "fernet_key:"))
    payload = payload_mod.generate(**payload_mod.shape_for(load_repository(copy)))
    payload["fernet_key"] = "deadbeef"
    del payload["fernetKey"]
    found = [f for f in _preflight(payload, tmp_path, copy).findings if f.rule == "payload-fernet-key-invalid"]
    assert [f.object for f in found] == ["payload:fernet_key"]
