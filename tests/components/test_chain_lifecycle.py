"""The local chain leaves nothing behind: after a pass, a failure and a real Ctrl-C (SIGINT) while Airflow runs,
no process it started, no port it listened on and no temp dir it made remains, and the run exits 0, 1 or 130.

Each case runs the real chain (servers, OpenBao, migrations, the create-user Job, five Airflow components) under
`airflow-e2e test`'s own runner (e2e.tiers.run_tier) in a separate process group, with a private TMPDIR. The
runner's safety net (kill every descendant after the suite exited) is recorded: it must have found nothing, so
what ended the processes is the chain's own teardown, not the net.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from e2e.components import binaries
from e2e.components.fixtures import unavailable

pytestmark = pytest.mark.components

SUITE = '''
import os, time
from e2e.components import chain

def test_the_chain_then_as_told(component_suite, local_chain):
    mode = os.environ["E2E_LIFECYCLE_MODE"]
    if mode == "fail":
        assert local_chain.start() is None  # Airflow is up
        raise AssertionError("deliberate failure while Airflow runs")
    result = component_suite.result(chain.NAME_RUN)
    assert result.outcome == "pass", result.summary
    while mode == "ctrl-c":  # the SIGINT normally lands before this, during the DAG run
        time.sleep(1)
'''
DRIVER = textwrap.dedent('''
    import json, os, sys
    from pathlib import Path
    from e2e import processes
    from e2e.config import RunConfig
    from e2e.tiers import run_tier

    original, record = processes.kill_all_below, Path(sys.argv[3])

    def recording(root=None):
        """The safety net, recorded: which live (non-zombie) processes it had to kill."""
        live = []
        for pid in processes.descendants(root or os.getpid()):
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\\0", b" ").decode()[:200]
            except OSError:
                continue
            if state != "Z":
                live.append(cmd)
        if live:
            record.write_text(json.dumps(json.loads(record.read_text() or "[]") + live))
        return original(root)

    processes.kill_all_below = recording
    record.write_text("[]")
    config = RunConfig(artifacts_dir=Path(sys.argv[2]))
    sys.exit(run_tier(config, "components", suites={"components": Path(sys.argv[1])},
                      extra=["--basetemp", sys.argv[4]]))
''')
EXIT = {"pass": 0, "fail": 1, "ctrl-c": 130}
UP_SECONDS = 900.0  # a cold machine: venv, migrations, the create-user Job, Airflow's bring-up


def _proc_state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return None


def _processes_under(root: Path) -> list[str]:
    """Live processes whose working directory or command line lies under `root`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or _proc_state(int(entry.name)) in (None, "Z"):
            continue
        try:
            cwd = os.readlink(entry / "cwd")
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if cwd.startswith(str(root)) or str(root) in cmd:
            found.append(f"{entry.name}: {cmd[:160]}")
    return found


def _listening(ports: list[int]) -> list[int]:
    """Which of these loopback TCP ports have a listening socket (/proc/net/tcp, state 0A)."""
    open_ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 3 and fields[3] == "0A":
                open_ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return sorted(set(ports) & open_ports)


def _api_healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=3) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def started():
    """The driver's process group and the chain's (by their ids), ended when the test is over, whatever it found:
    the driver first gets a Ctrl-C and time for its own clean-up."""
    groups: list[int] = []
    yield groups
    if groups and _proc_state(groups[0]) not in (None, "Z"):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(groups[0], signal.SIGINT)
        deadline = time.monotonic() + 60
        while _proc_state(groups[0]) not in (None, "Z") and time.monotonic() < deadline:
            time.sleep(0.5)
    for pgid in groups:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="processes and ports read from /proc (Linux)")
@pytest.mark.parametrize("mode", ["pass", "fail", "ctrl-c"])
def test_nothing_of_the_chain_is_left_after(mode, tmp_path, started, request):
    missing = binaries.missing(binaries.COMPONENT_TIER)
    if missing:
        unavailable(missing[0])  # skips on a laptop, fails in CI
    suite = tmp_path / "suite"
    suite.mkdir()
    # the servers run as an unprivileged account when we are root: their TMPDIR must be reachable (pytest's
    # tmp_path is 0700), so a private, traversable one directly under /tmp
    private_tmp = Path(tempfile.mkdtemp(prefix="airflow-e2e-lifecycle-"))
    private_tmp.chmod(0o755)
    request.addfinalizer(lambda: shutil.rmtree(private_tmp, ignore_errors=True))
    (suite / "test_chain_then_as_told.py").write_text(SUITE)
    pidfile, record = tmp_path / "chain.json", tmp_path / "safety-net.json"
    env = {**os.environ, "TMPDIR": str(private_tmp), "E2E_LIFECYCLE_MODE": mode,
           "AIRFLOW_E2E_CHAIN_PIDFILE": str(pidfile)}
    run = subprocess.Popen([sys.executable, "-c", DRIVER, str(suite), str(tmp_path / "artifacts"), str(record),
                            str(tmp_path / "basetemp")], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, start_new_session=True)
    started.append(run.pid)
    deadline = time.monotonic() + UP_SECONDS
    chain = None
    while chain is None and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
        with contextlib.suppress(OSError, ValueError):
            chain = json.loads(pidfile.read_text())
    if chain is None:
        out, err = run.communicate(timeout=120) if run.poll() is not None else ("", "")
        raise AssertionError(f"the chain never started Airflow (exit {run.poll()}): {out[-1500:]} {err[-1500:]}")
    started.extend(chain["pids"])
    if mode == "ctrl-c":
        while not _api_healthy(chain["api_port"]) and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _api_healthy(chain["api_port"]) and chain["api_port"] in _listening(chain["ports"])
        assert all(_proc_state(pid) not in (None, "Z") for pid in chain["pids"])  # Airflow runs
        os.killpg(run.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the foreground process group
    out, err = run.communicate(timeout=UP_SECONDS if mode != "ctrl-c" else 120)
    assert run.returncode == EXIT[mode], f"{out[-2000:]}\n{err[-2000:]}"
    assert json.loads(record.read_text()) == [], "the safety net had to kill what the chain left"
    assert [pid for pid in chain["pids"] if _proc_state(pid) not in (None, "Z")] == []
    assert _processes_under(private_tmp) == []
    assert _listening(chain["ports"]) == []
    assert sorted(p.name for p in private_tmp.iterdir()) == []
    assert not Path(chain["workdir"]).exists()
