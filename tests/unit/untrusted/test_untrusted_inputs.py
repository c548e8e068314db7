"""Hostile input files for every command that reads one: alias bombs (item 6), FIFOs and /dev/zero (item 7),
and the exit-3 sites the fuzzer found (item 9), each refused at the edge in one line with exit 2."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from e2e.config import DEFAULT_GITOPS_DIR, REPO_ROOT
from e2e.errors import UnusableInput
from e2e.gitops.yamlio import load_documents, safe_load

pytestmark = pytest.mark.unit
TIMELINE = REPO_ROOT / "fixtures" / "timelines" / "good-run.json"


def bomb(levels: int = 9) -> str:
    """340 bytes that expand to 9**levels nodes: took more than 60 s to walk at 9 levels."""
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "e2e.cli", *args], capture_output=True, text=True,
                          timeout=timeout, check=False)


def one_line_exit_2(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr[-500:])
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.mark.parametrize("reader", [lambda t: load_documents(t, "x.yaml"), lambda t: safe_load(t, "x.yaml")])
def test_an_alias_bomb_is_refused_without_being_walked(reader):
    started = time.process_time()
    with pytest.raises(UnusableInput, match="alias"):
        reader(bomb())
    assert time.process_time() - started < 5, "measured once per distinct node, not expanded"


def test_shared_aliases_of_a_real_size_still_load():
    assert safe_load("base: &b {a: 1}\nx: *b\ny: *b\n", "x.yaml") == {"base": {"a": 1}, "x": {"a": 1}, "y": {"a": 1}}


@pytest.mark.parametrize("command", ["preflight", "report"])
def test_an_alias_bomb_payload_is_refused(tmp_path, command):
    payload = tmp_path / "payload.yaml"
    payload.write_text(bomb())
    argv = {"preflight": ["preflight", str(DEFAULT_GITOPS_DIR)],
            "report": ["report", str(TIMELINE), "--out", str(tmp_path / "r.html")]}[command]
    one_line_exit_2(cli(*argv, "--payload", str(payload)), "alias")


@pytest.mark.parametrize("special", ["fifo", "/dev/zero"])
@pytest.mark.parametrize("command", ["report", "preflight-payload", "reproduce", "report-payload"])
def test_fifos_and_dev_zero_are_refused_not_waited_on(tmp_path, special, command):
    path = Path(special)
    if special == "fifo":
        path = tmp_path / "input"
        os.mkfifo(path)
    argv = {"report": ["report", str(path), "--out", str(tmp_path / "r.html")],
            "preflight-payload": ["preflight", str(DEFAULT_GITOPS_DIR), "--payload", str(path)],
            "reproduce": ["reproduce", str(path), "--dry-run"],
            "report-payload": ["report", str(TIMELINE), "--out", str(tmp_path / "r.html"), "--payload", str(path)],
            }[command]
    result = cli(*argv, timeout=60)
    one_line_exit_2(result)
    assert "not a regular file" in result.stderr or "is not a file" in result.stderr, result.stderr


@pytest.mark.parametrize("change, named", [
    (lambda d: d["events"][0].update(time=float("nan")), "not a finite time"),
    (lambda d: d["events"][0].update(time=float("inf")), "not a finite time"),
    (lambda d: d["events"][0].update(time=1e300), "events.0.time"),
    (lambda d: d["events"][0].update(detail={"labels": 5}), "events.0.detail.labels"),
    (lambda d: d["events"][0].update(detail={"container": ["x"]}), "events.0.detail.container"),
    (lambda d: d["events"][0].update(detail={"exit_code": "1"}), "events.0.detail.exit_code"),
    (lambda d: d["metadata"].update(chart=["1.21.0"]), "metadata.chart"),
    (lambda d: d["metadata"].update(verdicts=[{"name": 1, "ok": "yes"}]), "metadata.verdicts.0"),
    (lambda d: d["events"][0].pop("lane"), "lane"),
])
def test_a_wrong_typed_timeline_field_is_one_line_naming_it(tmp_path, change, named):
    data = json.loads(TIMELINE.read_text())
    change(data)
    path = tmp_path / "t.json"
    path.write_text(json.dumps(data))
    one_line_exit_2(cli("report", str(path), "--out", str(tmp_path / "r.html")), named)


@pytest.mark.parametrize("text", ['{"events": [{"time": ' + "9" * 5000 + "}]}", "[" * 100_000 + "]" * 100_000])
def test_huge_integers_and_deep_nesting_in_a_timeline_are_one_line(tmp_path, text):
    path = tmp_path / "t.json"
    path.write_text(text)
    one_line_exit_2(cli("report", str(path), "--out", str(tmp_path / "r.html")), "not a readable JSON timeline")


def test_report_out_a_directory_is_one_line(tmp_path):
    one_line_exit_2(cli("report", str(TIMELINE), "--out", str(tmp_path)), "is a directory")


def test_a_5000_digit_integer_in_a_repository_file_is_one_line(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(DEFAULT_GITOPS_DIR, repo)
    (repo / "apps" / "airflow" / "airflow-values.yaml").write_text("x: " + "9" * 5000 + "\n")
    result = cli("preflight", str(repo), "--format", "json")
    assert result.returncode in (1, 2) and "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_run_state_without_config_is_one_line(tmp_path, monkeypatch):
    from e2e.cli import main
    from e2e.cluster import bringup

    monkeypatch.setattr(bringup, "STATE_ROOT", tmp_path)
    (tmp_path / "e2e-x").mkdir()
    (tmp_path / "e2e-x" / "state.json").write_text("{}")
    (tmp_path / "e2e-x" / "secrets.yaml").write_text(bomb())
    assert main(["status", "--run-id", "e2e-x"]) == 2
