"""The command's contract (ARCHITECTURE.md): JSON shape, text lines, exit codes 0/1/2 through e2e.cli.main."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from e2e.cli import main
from e2e.preflight.rules import all_rules

ROOT = Path(__file__).resolve().parents[3]
REFERENCE, SEED = ROOT / "fixtures" / "gitops", ROOT / "fixtures" / "seed-as-written"

FINDING_KEYS = {"rule", "severity", "file", "line", "object", "message", "hint"}
TEXT_LINE = re.compile(r"^(ERROR|WARNING|INFO) [a-z0-9-]+ \S+(:\d+)? \S+: .+ \(hint: .+\)$")
RULE_IDS = {r.id for r in all_rules()}


def run_cli(capsys, *args):
    code = main(["preflight", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_reference_exits_0(capsys):
    code, out, _ = run_cli(capsys, REFERENCE)
    assert code == 0 and out.startswith("preflight: 0 error(s)")


def test_info_alone_exits_0(capsys, repo_copy):
    repo_copy.edit("argocd/apps/airflow.yaml", "targetRevision: 1.21.0", "targetRevision: 1.99.0")
    code, out, _ = run_cli(capsys, repo_copy.root)
    assert code == 0 and "INFO chart-version-unknown" in out and "nearest known chart 1.22.0" in out


def test_json_shape(capsys):
    code, out, _ = run_cli(capsys, SEED, "--format", "json")
    data = json.loads(out)
    assert code == 1 and set(data) == {"findings", "summary"}
    assert data["findings"], "the seed has findings"
    order = [f["severity"] for f in data["findings"]]
    assert order == sorted(order, key=["error", "warning", "info"].index), "errors come first"
    for finding in data["findings"]:
        assert set(finding) == FINDING_KEYS
        assert finding["rule"] in RULE_IDS
        assert finding["severity"] in ("error", "warning", "info")
        assert not finding["file"].startswith("/") and (SEED / finding["file"]).is_file()
        assert finding["line"] is None or (isinstance(finding["line"], int) and finding["line"] >= 1)
        assert all(isinstance(finding[k], str) and finding[k] for k in ("object", "message", "hint"))
    summary = data["summary"]
    assert {"error", "warning", "info", "rules_run", "files_read", "duration_ms"} <= set(summary)
    for severity in ("error", "warning", "info"):
        assert summary[severity] == sum(1 for f in data["findings"] if f["severity"] == severity)
    assert summary["files_read"] == len([p for p in SEED.rglob("*") if p.suffix in (".yaml", ".hcl")])


def test_text_lines_and_summary(capsys):
    code, out, _ = run_cli(capsys, SEED)
    assert code == 1, "the seed as written exits 1"
    *lines, summary = out.rstrip("\n").split("\n")
    assert lines and all(TEXT_LINE.match(line) for line in lines), [ln for ln in lines if not TEXT_LINE.match(ln)]
    assert re.match(r"^preflight: \d+ error\(s\), \d+ warning\(s\), \d+ info; \d+ rules over \d+ files in [\d.]+ ms$",
                    summary)


SCHEMAS = Path(__file__).resolve().parent / "schemas"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_nothing_on_stderr_for_a_good_run(capsys, fmt):
    _, _, err = run_cli(capsys, REFERENCE, "--format", fmt, "--chart-schema", str(SCHEMAS))
    assert err == ""


def test_a_good_run_without_a_chart_schema_has_only_its_note_on_stderr(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("AIRFLOW_E2E_CACHE_DIR", str(tmp_path / "empty"))
    code, _, err = run_cli(capsys, REFERENCE)
    assert code == 0 and err.count("\n") == 1 and err.startswith("airflow-e2e preflight: note: ")


def test_docs_describe_every_rule():
    docs = (ROOT / "docs" / "preflight.md").read_text()
    assert sorted(r for r in RULE_IDS if f"`{r}`" not in docs) == []
