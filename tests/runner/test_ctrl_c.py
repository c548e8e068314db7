"""Ctrl-C on `airflow-e2e test` (issue 15 item 12), with a real SIGINT to a real run: it stops at once, ends
every process the suite started (also one that left the process group, as pg_ctl's postmaster does), writes
what was decided to summary.json and exits 130; a second Ctrl-C ends a suite that ignores the first."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process tree read from /proc (Linux)")
SUITE = '''
import os, pathlib, signal, subprocess, sys, time

def test_a_long_check_with_a_detached_server():
    server = subprocess.Popen([sys.executable, "-c", "import time\\nwhile True: time.sleep(1)"],
                              start_new_session=True)
    if os.environ.get("IGNORE_FIRST_CTRL_C"):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    pathlib.Path(os.environ["PIDFILE"]).write_text(f"{os.getpid()} {server.pid}")
    while True:
        time.sleep(1)
'''
DRIVER = textwrap.dedent('''
    import sys
    from pathlib import Path
    from e2e.config import RunConfig
    from e2e.tiers import run_tier
    config = RunConfig(artifacts_dir=Path(sys.argv[2]))
    sys.exit(run_tier(config, "components", suites={"components": Path(sys.argv[1])}))
''')


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(path: Path, deadline_s: float) -> str:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if path.is_file() and path.read_text().strip():
            return path.read_text()
        time.sleep(0.1)
    raise AssertionError(f"{path} was not written within {deadline_s} s")


@pytest.fixture
def started():
    """The processes a test started, ended by their ids when it is over (whatever the test found)."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


def _start(tmp_path: Path, ignore_first: bool, started: list[int]) -> tuple[subprocess.Popen[str], list[int], Path]:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_long.py").write_text(SUITE)
    pidfile, artifacts = tmp_path / "pids", tmp_path / "artifacts"
    env = {**os.environ, "PIDFILE": str(pidfile), **({"IGNORE_FIRST_CTRL_C": "1"} if ignore_first else {})}
    run = subprocess.Popen([sys.executable, "-c", DRIVER, str(suite), str(artifacts)], env=env, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    started.append(run.pid)
    pids = [int(p) for p in _wait_for(pidfile, 120).split()]
    started.extend(pids)
    return run, pids, artifacts


def test_ctrl_c_stops_the_run_ends_its_processes_and_writes_what_was_decided(tmp_path, started):
    run, (pytest_pid, server_pid), artifacts = _start(tmp_path, False, started)
    sent = time.monotonic()
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130, err
    assert time.monotonic() - sent < 15  # at once: the suite's teardown, not the test's end
    assert "interrupted" in err and "nothing left running" in err
    assert not _alive(pytest_pid) and not _alive(server_pid)
    summary = json.loads((artifacts / "summary.json").read_text())
    assert summary["interrupted"] is True and summary["exit_code"] == 130
    assert summary["phases"][0]["name"] == "components" and summary["phases"][0]["outcome"] == "interrupted"


def test_a_second_ctrl_c_leaves_nothing_running_even_when_the_suite_ignores_the_first(tmp_path, started):
    run, (pytest_pid, server_pid), artifacts = _start(tmp_path, True, started)
    run.send_signal(signal.SIGINT)
    with pytest.raises(subprocess.TimeoutExpired):
        run.wait(timeout=1)  # the suite ignores it: still running (within the grace period)
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=30)
    assert run.returncode == 130, err
    assert not _alive(pytest_pid) and not _alive(server_pid)
    assert json.loads((artifacts / "summary.json").read_text())["phases"][0]["outcome"] == "interrupted"
