"""What every ephemeral server of the component tier shares: a temp root, a log file, a process group, a stop.

Why one place: OpenBao, Redis, sshd and PostgreSQL each start a real process on loopback under a throwaway
directory, wait for a real probe with a deadline, must be torn down even when `start()` fails half-way (a
port taken, a binary missing), and must say why they died with the last line of their own log. `launch`
starts the process in its own process group and waits; `stop` ends the whole group (a server's children go
with it) and removes the root. Only how a server is configured and probed (and, for PostgreSQL, stopped)
differs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Self

from e2e.components import net
from e2e.components.waiting import GaveUp, NotReady, wait_until

STOP_GRACE_SECONDS = 10


def live_members(pgid: int) -> list[int]:
    """Pids of the group's processes that still run (zombies are ended: only a reap is left to their parent)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _ppid, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError, ValueError):
            continue  # gone while we looked
        if int(group) == pgid and state != "Z":
            pids.append(int(stat.parent.name))
    return pids


def stop_groups(procs: list[subprocess.Popen], grace: float = STOP_GRACE_SECONDS) -> None:
    """SIGTERM to every process group one of `procs` leads, SIGKILL to them all if any member is still there
    after ONE grace period shared by all groups (a teardown takes one grace period, not one per group: a
    Ctrl-C's runner gives the whole suite 20 s).

    Waits for every member, not only the leaders: a server's child gets the same SIGTERM but may exit later
    (seen under load), and a caller that removes the root next must not race it.
    """
    def ended() -> bool:
        return all(proc.poll() is not None for proc in procs) and not any(live_members(p.pid) for p in procs)

    for sig in (signal.SIGTERM, signal.SIGKILL):
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
        try:
            wait_until(ended, timeout=grace, what=f"process groups {[p.pid for p in procs]} to end")
            return
        except NotReady:
            continue


class EphemeralServer:
    """Base for a loopback server living in `root` (a temp dir) and logging to `log_file`; a context manager."""

    name = "server"  # the temp dir's and log file's name ("redis", "sshd", ...)
    title = "server"  # how messages name it ("Redis", "sshd", ...)
    root: Path | None = None
    _proc: subprocess.Popen[bytes] | None = None

    def __init__(self, *, startup_timeout: float) -> None:
        self.startup_timeout = startup_timeout
        self.host = net.LOOPBACK
        self.port = 0
        self.root = None
        self._proc = None

    def start(self) -> Self:
        raise NotImplementedError

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def log_file(self) -> Path:
        assert self.root is not None
        return self.root / f"{self.name}.log"

    def make_root(self) -> Path:
        self.root = Path(tempfile.mkdtemp(prefix=f"airflow-e2e-{self.name}-"))
        return self.root

    def launch(self, argv: list[str], ready: Callable[[], bool], *, env: dict[str, str] | None = None) -> None:
        """Start `argv` in `root`, in its own process group, and wait until `ready()` (or the process exits)."""
        assert self.root is not None
        with open(self.log_file, "ab") as log:
            self._proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                          env=env, cwd=self.root, start_new_session=True)
        wait_until(lambda: self.ensure_running() or ready(), timeout=self.startup_timeout,
                   what=f"{self.title} on port {self.port}")

    def ensure_running(self) -> None:
        """Raise GaveUp (stop waiting now) when the server process exited; its log's last line says why."""
        if self._proc is not None and self._proc.poll() is not None:
            raise GaveUp(f"{self.title} exited ({self._proc.returncode}): {self.last_log_line()}")

    def stop(self) -> None:
        """Stop the process group and remove the root; safe after a failed start and when called twice."""
        proc, self._proc = self._proc, None
        if proc is not None:
            stop_groups([proc])
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def log_text(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")
        except (OSError, AssertionError):
            return ""

    def last_log_line(self) -> str:
        """The server's own last word, for "exited" messages ("no log" when it wrote nothing)."""
        return (self.log_text().strip().splitlines() or ["no log"])[-1]
