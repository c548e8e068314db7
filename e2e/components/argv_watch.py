"""Which secrets a running process tree puts on a command line, seen as `ps` sees it: /proc/<pid>/cmdline.

Why watch instead of trusting the script: every process on the host (and in the pod, `ps` in any container
sharing the PID namespace) can read any other's argv, so a password passed as `--password "$VAR"` is exposed
for as long as that process runs. A PID namespace does not hide it from the host (the parent namespace sees
every child's /proc), so the harness cannot make the team's script safe; it can only see the exposure and say so.
The watch polls the tree below one process (its children, recursively) until it is stopped.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from pathlib import Path

PROC = Path("/proc")
POLL_S = 0.02  # an `airflow` CLI process lives for seconds: 20 ms never misses one


def descendants(pid: int) -> list[int]:
    """pid and every process below it (via /proc/<pid>/task/<tid>/children; gone processes are skipped)."""
    seen, todo = [], [pid]
    while todo:
        current = todo.pop()
        seen.append(current)
        try:
            tasks = os.listdir(PROC / str(current) / "task")
        except OSError:
            continue
        for tid in tasks:
            try:
                todo += [int(c) for c in (PROC / str(current) / "task" / tid / "children").read_text().split()]
            except (OSError, ValueError):
                continue
    return seen


def argv_of(pid: int) -> list[str]:
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode("utf-8", "replace") for part in raw.split(b"\0") if part]


def program(argv: list[str]) -> str:
    """The command a user would name: `airflow` for `python /venv/bin/airflow users create ...`."""
    if not argv:
        return "?"
    first = os.path.basename(argv[0])
    if first.startswith("python") and len(argv) > 1 and not argv[1].startswith("-"):
        return os.path.basename(argv[1])
    return first


def exposed_in(argv: list[str], secrets: Mapping[str, str]) -> set[str]:
    """The names whose value is (part of) an argument."""
    return {name for name, value in secrets.items() if value and any(value in arg for arg in argv)}


class ArgvWatch:
    """`with ArgvWatch(pid, {"AIRFLOW_DEFAULT_PASSWORD": value}) as watch: ...`; then `watch.exposed` holds the
    names seen on a command line, each with the program (see `program`) that carried it."""

    def __init__(self, pid: int, secrets: Mapping[str, str]) -> None:
        self.pid = pid
        self.secrets = {k: v for k, v in secrets.items() if v}
        self.exposed: dict[str, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"argv-watch-{pid}")

    def __enter__(self) -> ArgvWatch:
        if self.secrets:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def scan(self) -> None:
        for pid in descendants(self.pid):
            argv = argv_of(pid)
            for name in exposed_in(argv, self.secrets):
                self.exposed.setdefault(name, program(argv))

    def _run(self) -> None:
        while True:
            self.scan()
            if self._stop.wait(POLL_S):
                return
