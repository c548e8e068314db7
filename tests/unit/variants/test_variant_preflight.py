"""preflight on a team's own repository (fixtures/variants/team-repo): every name differs from the reference,
and no rule may fire, or stay silent, because of a name the repository chose."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from e2e import payload as payload_mod
from e2e.gitops.loader import load_repository
from e2e.preflight.engine import run_preflight

VARIANT = Path(__file__).resolve().parents[3] / "fixtures" / "variants" / "team-repo"


@pytest.fixture(scope="module")
def repo():
    return load_repository(VARIANT)


def _errors(report) -> list[str]:
    return [f"{f.rule}: {f.message}" for f in report.findings if f.severity == "error"]


def test_variant_repository_has_no_findings():
    report = run_preflight(VARIANT)
    assert [f.rule for f in report.findings] == []


def test_payload_location_is_read_from_the_external_secrets(repo):
    assert repo.payload_location() == ("data-platform/airflow", "settings")


def test_payload_without_the_variants_ssh_secret_is_an_error(tmp_path):
    """The templates read `extraSecrets.dp-git-ssh`; a payload shaped for the reference must not pass."""
    payload = payload_mod.generate()  # the reference shape: extraSecrets.airflow-ssh-secret
    path = tmp_path / "payload.yaml"
    path.write_text(yaml.safe_dump(payload))
    errors = _errors(run_preflight(VARIANT, payload_file=path))
    assert any("extraSecrets.dp-git-ssh" in e for e in errors), errors
