"""Unusable input: exit 2, one clear line on stderr, never a traceback (in-process and as a real process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from e2e.cli import main
from e2e.gitops.yamlio import MAX_FILE_BYTES

REFERENCE = Path(__file__).resolve().parents[3] / "fixtures" / "gitops"


def _broken_yaml(d: Path) -> None:
    (d / "app.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n")


def _binary(d: Path) -> None:
    (d / "app.yaml").write_bytes(b"apiVersion: v1\x00\x01\x02kind")


def _huge(d: Path) -> None:
    (d / "app.yaml").write_text("# padding\n" * (MAX_FILE_BYTES // 10 + 1))


def _not_utf8(d: Path) -> None:
    (d / "app.yaml").write_bytes("name: caf\u00e9\n".encode("latin-1"))


def _broken_hcl(d: Path) -> None:
    (d / "vault" / "policies").mkdir(parents=True)
    (d / "vault" / "policies" / "p.hcl").write_text('path "secret/data/x/*" {\n  capabilities = ["read"\n')
    (d / "app.yaml").write_text("a: 1\n")


BAD_REPOS = {"broken-yaml": _broken_yaml, "binary": _binary, "huge": _huge, "not-utf8": _not_utf8,
             "broken-hcl": _broken_hcl, "empty": lambda d: None}


def assert_one_clean_line(code: int, err: str) -> None:
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("airflow-e2e preflight: error: "), err
    assert "Traceback" not in err


@pytest.mark.parametrize("case", sorted(BAD_REPOS))
def test_unusable_repository_exits_2_with_one_line(capsys, tmp_path, case):
    BAD_REPOS[case](tmp_path)
    code = main(["preflight", str(tmp_path)])
    out, err = capsys.readouterr()
    assert_one_clean_line(code, err)
    assert out == ""


def test_missing_directory(capsys, tmp_path):
    code = main(["preflight", str(tmp_path / "nope")])
    assert_one_clean_line(code, capsys.readouterr().err)


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "a: 1\n---\nb: 2\n", "key: [unclosed\n", ""])
def test_payload_that_is_not_one_mapping(capsys, tmp_path, text):
    payload = tmp_path / "payload.yaml"
    payload.write_text(text)
    code = main(["preflight", str(REFERENCE), "--payload", str(payload)])
    assert_one_clean_line(code, capsys.readouterr().err)


def test_missing_payload_file(capsys, tmp_path):
    code = main(["preflight", str(REFERENCE), "--payload", str(tmp_path / "absent.yaml")])
    assert_one_clean_line(code, capsys.readouterr().err)


def test_broken_payload_message_names_no_value(capsys, tmp_path):
    payload = tmp_path / "payload.yaml"
    payload.write_text("fernetKey: s3cr3t-value-xyz\n  bad: [indent\n")
    code = main(["preflight", str(REFERENCE), "--payload", str(payload)])
    err = capsys.readouterr().err
    assert_one_clean_line(code, err)
    assert "s3cr3t-value-xyz" not in err


def test_real_process_prints_no_traceback(tmp_path):
    _broken_yaml(tmp_path)
    result = subprocess.run([sys.executable, "-m", "e2e.cli", "preflight", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert_one_clean_line(result.returncode, result.stderr)
