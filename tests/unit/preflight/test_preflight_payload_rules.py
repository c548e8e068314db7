"""Rules over the real payload (`--payload`): a fresh generated payload passes; each deliberate flaw is found."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from e2e import payload as payload_gen
from e2e.preflight.rules import all_rules
from e2e.preflight.rules.payload import connection_problem

PAYLOAD_RULES = sorted(r.id for r in all_rules() if r.needs_payload)


def _write(tmp_path: Path, data: dict) -> Path:
    out = tmp_path / "payload.yaml"
    payload_gen.write(data, out)
    return out


def _bad_fernet(p):
    p["fernetKey"] = "deadbeef"


def _broker_mismatch(p):
    p["brokerUrl"] = payload_gen.broker_url("another-password-entirely")


def _raw_at_in_db_password(p):
    p["metadataConnection"] = "postgresql://airflow:p@ss@db.example:5432/airflow"


def _key_without_newline(p):
    data = p["extraSecrets"]["airflow-ssh-secret"]["data"]
    data["gitSshKey"] = data["gitSshKey"].rstrip("\n")


def _placeholder(p):
    p["jwtSecret"] = "replace-with-jwt-secret"


def _missing_path(p):
    del p["apiSecretKey"]


def _password_like_an_option(p):
    p["createUserJob"]["defaultUser"]["password"] = "-starts-with-a-dash-" + payload_gen.password()


def _plain_octal_password(p):
    """Written by hand, not by the harness: PyYAML leaves `0o1234567` plain, Go's YAML reads an integer."""
    p["redisPassword"] = "0o1234567"
    return yaml.safe_dump(p, sort_keys=False)


def _infinite_value(p):
    """PyYAML reads `.inf` as a float; Go's YAML->JSON cannot carry it, so fromYaml fails for every template."""
    return payload_gen.dumps(p) + "webserverSecretKeyOld: .inf\n"


def _dollar_in_broker_password(p):
    p["redisPassword"] = "pa$HOME-" + payload_gen.password()
    p["brokerUrl"] = f"redis://:{p['redisPassword']}@airflow-redis:6379/0"


FLAWS: dict[str, Callable] = {
    "payload-value-retyped-by-go-yaml": _plain_octal_password,
    "template-fails-on-payload": _infinite_value,
    "payload-url-dollar-expanded": _dollar_in_broker_password,
    "payload-fernet-key-invalid": _bad_fernet,
    "payload-broker-password-mismatch": _broker_mismatch,
    "payload-metadata-connection-invalid": _raw_at_in_db_password,
    "payload-ssh-key-invalid": _key_without_newline,
    "payload-placeholder-value": _placeholder,
    "template-path-missing-in-payload": _missing_path,
    "payload-job-argument-looks-like-option": _password_like_an_option,
}


def test_every_payload_rule_has_a_flaw_case():
    assert sorted(FLAWS) == PAYLOAD_RULES


def test_fresh_generated_payload_passes_on_the_reference(repo_copy, tmp_path):
    report = repo_copy.run(_write(tmp_path, payload_gen.generate()))
    assert [f.rule for f in report.findings] == []
    assert report.rules_run == len(all_rules())


def test_payload_rules_do_not_run_without_a_payload(reference_report):
    assert reference_report.rules_run == len(all_rules()) - len(PAYLOAD_RULES)


@pytest.mark.parametrize("rule_id", sorted(FLAWS))
def test_payload_flaw_is_found(repo_copy, tmp_path, rule_id):
    data = payload_gen.generate()
    text = FLAWS[rule_id](data)
    out = _write(tmp_path, data)
    if isinstance(text, str):
        out.write_text(text, encoding="utf-8")
    findings = [f for f in repo_copy.run(out).findings if f.rule == rule_id]
    assert findings and all(f.severity == "error" and f.hint for f in findings)


def test_crlf_private_key_is_found(repo_copy, tmp_path):
    data = payload_gen.generate()
    key = data["extraSecrets"]["airflow-ssh-secret"]["data"]
    key["gitSshKey"] = key["gitSshKey"].replace("\n", "\r\n")
    findings = [f for f in repo_copy.run(_write(tmp_path, data)).findings if f.rule == "payload-ssh-key-invalid"]
    assert "CRLF" in findings[0].message


def test_payload_findings_point_at_the_payload_line(repo_copy, tmp_path):
    data = payload_gen.generate()
    _bad_fernet(data)
    path = _write(tmp_path, data)
    finding = next(f for f in repo_copy.run(path).findings if f.rule == "payload-fernet-key-invalid")
    line = path.read_text().splitlines()[finding.line - 1]
    assert (finding.file, line.split(":")[0].strip("\"")) == (str(path), "fernetKey")


@pytest.mark.parametrize("url,problem", [
    ("postgresql://airflow:pa%40ss@db:5432/airflow", None),
    ("postgresql://airflow:p@ss@db:5432/airflow", "'@'"),
    ("postgresql://airflow:pa/ss@db:5432/airflow", "parse"),
    ("postgresql://airflow:pa:ss@db:5432/airflow", "':'"),
    ("postgresql://airflow:pa#ss@db:5432/airflow", "parse"),
    ("postgresql://airflow:pa%zzss@db:5432/airflow", "%"),
    ("not a url", "not a URL"),
    ("postgresql:///airflow", "no host"),
])
def test_connection_strings(url, problem):
    found = connection_problem(url)
    assert (found is None) if problem is None else (problem in found)


def test_payload_inside_the_repository_is_shown_relative_to_it(repo_copy):
    data = payload_gen.generate()
    _bad_fernet(data)
    payload_gen.write(data, repo_copy.root / "vault" / "real-payload.yaml")
    report = repo_copy.run(repo_copy.root / "vault" / "real-payload.yaml")
    assert {f.file for f in report.findings if f.rule == "payload-fernet-key-invalid"} == {"vault/real-payload.yaml"}


def test_generated_passwords_never_start_with_a_dash():
    """2,000 draws: token_urlsafe alone starts with '-' about once in 64, so this fails without the guard."""
    assert not [p for p in (payload_gen.password() for _ in range(2000)) if not p[0].isalnum()]
