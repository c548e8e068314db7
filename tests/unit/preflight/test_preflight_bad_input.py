"""Unusable input: exit 2, one clear line on stderr, never a traceback (in-process and as a real process)."""

from __future__ import annotations

import json
import shutil
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
    (d / "vault" / "policies" / "p.hcl").write_text('path "secret/data/x/*" {\n  capabilities = ["read"\n')


BAD_FILES = {"broken-yaml": (_broken_yaml, "app.yaml"), "binary": (_binary, "app.yaml"),
             "huge": (_huge, "app.yaml"), "not-utf8": (_not_utf8, "app.yaml"),
             "broken-hcl": (_broken_hcl, "vault/policies/p.hcl")}


def assert_one_clean_line(code: int, err: str) -> None:
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("airflow-e2e preflight: error: "), err
    assert "Traceback" not in err


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_one_unreadable_file_is_a_finding_in_that_file_and_the_rest_is_checked(capsys, tmp_path, case):
    repo = tmp_path / "gitops"
    shutil.copytree(REFERENCE, repo)
    make, bad_file = BAD_FILES[case]
    make(repo)
    code = main(["preflight", str(repo), "--format", "json"])
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert code == 1 and err == ""
    assert [(f["rule"], f["file"]) for f in report["findings"]] == [("file-unreadable", bad_file)]
    clean = json.loads(_json_run(REFERENCE, capsys))
    assert report["summary"]["files_read"] == clean["summary"]["files_read"]  # every other file was read


def _json_run(directory: Path, capsys) -> str:
    main(["preflight", str(directory), "--format", "json"])
    return capsys.readouterr().out


def test_broken_yaml_finding_names_its_line(tmp_path):
    from e2e.preflight.engine import run_preflight

    _broken_yaml(tmp_path)
    (tmp_path / "ok.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\n")
    [finding] = run_preflight(tmp_path).findings
    assert (finding.rule, finding.file, finding.line) == ("file-unreadable", "app.yaml", 4)  # where libyaml stopped
    assert "broken YAML" in finding.message


UNUSABLE_ARGUMENTS = {"a directory without YAML": ["{tmp}/empty"], "a file, not a directory": ["{tmp}/app.yaml"],
                      "no such directory": ["{tmp}/nope"],
                      "no such payload file": [str(REFERENCE), "--payload", "{tmp}/absent.yaml"]}


@pytest.mark.parametrize("args", UNUSABLE_ARGUMENTS.values(), ids=list(UNUSABLE_ARGUMENTS))
def test_unusable_arguments_exit_2(capsys, tmp_path, args):
    (tmp_path / "empty").mkdir()
    (tmp_path / "app.yaml").write_text("a: 1\n")
    code = main(["preflight", *(a.format(tmp=tmp_path) for a in args)])
    out, err = capsys.readouterr()
    assert_one_clean_line(code, err)
    assert out == ""


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "a: 1\n---\nb: 2\n", "key: [unclosed\n", ""])
def test_payload_that_is_not_one_mapping(capsys, tmp_path, text):
    payload = tmp_path / "payload.yaml"
    payload.write_text(text)
    code = main(["preflight", str(REFERENCE), "--payload", str(payload)])
    assert_one_clean_line(code, capsys.readouterr().err)


def test_broken_payload_message_names_no_value(capsys, tmp_path):
    payload = tmp_path / "payload.yaml"
    payload.write_text("fernetKey: s3cr3t-value-xyz\n  bad: [indent\n")
    code = main(["preflight", str(REFERENCE), "--payload", str(payload)])
    err = capsys.readouterr().err
    assert_one_clean_line(code, err)
    assert "s3cr3t-value-xyz" not in err


def test_real_process_prints_no_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "e2e.cli", "preflight", str(tmp_path / "absent")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert_one_clean_line(result.returncode, result.stderr)
