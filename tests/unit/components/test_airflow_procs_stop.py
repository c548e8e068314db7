"""Stopping the chain's Airflow process groups takes one grace period for all of them, not one per group: a
Ctrl-C's runner waits only so long for the suite's teardown. Real processes that ignore SIGTERM stand in for a
component slow to shut down (the `airflow` of a stand-in venv is a Python script)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from e2e.components import airflow_procs
from e2e.components.airflow_cli import AirflowRunner
from e2e.components.airflow_venv import AirflowVenv
from e2e.components.ephemeral import live_members

IGNORES_SIGTERM = """#!{python}
import os, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
if os.fork() == 0:  # a child in the same group, as Celery's pool processes are
    while True:
        time.sleep(1)
print("ready", flush=True)
while True:
    time.sleep(1)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_groups_that_ignore_sigterm_are_all_killed_after_one_shared_grace_period(tmp_path, monkeypatch):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "airflow").write_text(IGNORES_SIGTERM.format(python=sys.executable))
    (venv / "bin" / "airflow").chmod(0o755)
    runner = AirflowRunner(AirflowVenv(venv, "3.2.1"), {}, tmp_path / "work")
    monkeypatch.setattr(airflow_procs, "STOP_GRACE_SECONDS", 3.0)  # one per group: 12 s; one for all: 3 s
    processes = [airflow_procs.AirflowProcess(f"component-{n}", [], runner).start() for n in range(4)]
    for process in processes:
        deadline = time.monotonic() + 30
        while "ready" not in process.log_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "ready" in process.log_text(), process.name
    members = [pid for process in processes for pid in live_members(process.pid)]
    begun = time.monotonic()
    airflow_procs.stop_all(processes)
    took = time.monotonic() - begun
    assert took < 3 * 3.0, f"{took:.1f} s: one grace period per group, not one for all"
    assert all(process.proc is None for process in processes)
    gone = time.monotonic() + 5  # SIGKILL was sent to every group: the kernel ends its members soon after
    while any(_alive(pid) for pid in members) and time.monotonic() < gone:
        time.sleep(0.05)
    assert [pid for pid in members if _alive(pid)] == []
    assert len(members) == 8 or not Path("/proc").exists()  # each group's leader and its forked child
