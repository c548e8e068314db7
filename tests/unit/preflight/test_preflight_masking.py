"""No payload value ever reaches preflight's output, even when the payload is full of problems.

Two layers are checked: the rule messages themselves name paths only (raw findings, before masking), and the
command's text and JSON output (after the Masker) contain no payload value in any encoding.
"""

from __future__ import annotations

import base64
import urllib.parse
from pathlib import Path

import pytest

from e2e import payload as payload_gen
from e2e.cli import main
from e2e.masking import secret_values
from e2e.preflight.engine import run_preflight

REFERENCE = Path(__file__).resolve().parents[3] / "fixtures" / "gitops"
NOT_SECRET = {"admin", "platform", "admin@example.com"}  # names in the payload, not secrets


@pytest.fixture
def flawed_payload(tmp_path) -> tuple[Path, list[str]]:
    """A generated payload with deliberate problems, so that every payload rule has something to say."""
    data = payload_gen.generate()
    data["fernetKey"] = "not-a-fernet-key-" + payload_gen.password(12)
    data["brokerUrl"] = payload_gen.broker_url(payload_gen.password())  # password differs from redisPassword
    data["metadataConnection"] = f"postgresql://airflow:{payload_gen.password(9)}@x@db:5432/airflow"
    ssh = data["extraSecrets"]["airflow-ssh-secret"]["data"]
    ssh["gitSshKey"] = ssh["gitSshKey"].rstrip("\n").replace("\n", "\r\n")
    data["jwtSecret"] = "replace-me-" + payload_gen.password(10)
    del data["apiSecretKey"]
    out = tmp_path / "payload.yaml"
    payload_gen.write(data, out)
    secrets = [v for v in secret_values(data) if v not in NOT_SECRET]
    return out, secrets


def _forms(value: str) -> set[str]:
    forms = {value, urllib.parse.quote(value, safe=""), base64.b64encode(value.encode()).decode()}
    forms |= {line.strip() for line in value.splitlines() if len(line.strip()) >= 8 and "-----" not in line}
    return {f for f in forms if len(f) >= 6}


def _leaked(text: str, secrets: list[str]) -> list[str]:
    return [f"<{len(f)} chars>" for v in secrets for f in _forms(v) if f in text]


def test_rule_messages_name_paths_not_values(flawed_payload):
    path, secrets = flawed_payload
    report = run_preflight(REFERENCE, path)
    payload_rules = {f.rule for f in report.findings}
    assert {"payload-fernet-key-invalid", "payload-broker-password-mismatch", "payload-metadata-connection-invalid",
            "payload-ssh-key-invalid", "payload-placeholder-value", "template-path-missing-in-payload"} <= payload_rules
    raw = "\n".join(f"{f.file} {f.object} {f.message} {f.hint}" for f in report.findings)
    assert _leaked(raw, secrets) == []


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_output_contains_no_payload_value(capsys, flawed_payload, fmt):
    path, secrets = flawed_payload
    code = main(["preflight", str(REFERENCE), "--payload", str(path), "--format", fmt])
    out, err = capsys.readouterr()
    assert code == 1
    assert _leaked(out + err, secrets) == []


def test_masker_would_hide_a_value_that_slipped_into_a_message(capsys, flawed_payload, monkeypatch):
    """The last line of defence works: a rule bug that quotes a value is still masked in the output."""
    path, secrets = flawed_payload
    fernet = next(s for s in secrets if s.startswith("not-a-fernet-key-"))
    from e2e.preflight import output

    original = output.to_text

    def leaky(report, masker):
        report.findings[0] = report.findings[0].__class__(
            **{**report.findings[0].as_dict(), "message": "leaked " + fernet})
        return original(report, masker)

    monkeypatch.setattr("e2e.commands.preflight.to_text", leaky)
    main(["preflight", str(REFERENCE), "--payload", str(path)])
    out = capsys.readouterr().out
    assert "leaked ***MASKED***" in out and fernet not in out
