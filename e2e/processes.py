"""Every process a run started, found and ended: what makes a Ctrl-C leave nothing running.

Why a subreaper: the suites start servers that leave pytest's process group on purpose (pg_ctl detaches the
postmaster with setsid, the Airflow CLI and OpenBao run in their own sessions so a timeout can end their whole
group). Killing pytest's group alone would orphan them to init. With PR_SET_CHILD_SUBREAPER the orphans are
re-parented to this process instead, so "my descendants" (a walk over /proc) is every process of the run.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """Linux: adopt orphaned descendants. False where the call does not exist (the group kill still applies)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _parents() -> dict[int, int]:
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) >= 2:
            found[int(entry.name)] = int(fields[1])
    return found


def descendants(root: int) -> list[int]:
    """Every live process below `root` (children first found, then theirs)."""
    parents = _parents()
    below: list[int] = []
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        below += children
        frontier += children
    return below


def kill_all_below(root: int | None = None) -> list[int]:
    """SIGKILL every descendant of `root` (default: this process). Returns the pids killed; `reap` them once
    the Popen objects of direct children have been waited for (reaping first would steal their status)."""
    root = os.getpid() if root is None else root
    killed = descendants(root)
    for pid in killed:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    return killed


def signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)


def reap() -> None:
    """Collect exited children (adopted orphans included) so none stays a zombie."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def reap_adopted(keep: int) -> None:
    """Collect exited orphans the subreaper adopted, but not `keep` (a child a Popen still waits for)."""
    me = os.getpid()
    for pid, ppid in _parents().items():
        if ppid == me and pid != keep:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
