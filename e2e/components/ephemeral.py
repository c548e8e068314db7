"""What every ephemeral server of the component tier shares: a temp root, a log file, a clean stop.

Why one place: PostgreSQL, Redis and sshd each start a real process under a throwaway directory, and each must
be torn down even when `start()` fails half-way (a port taken, a binary missing), and must say why it died with
the last line of its own log. Only how a server starts, probes and (for PostgreSQL) stops differs.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Self

STOP_GRACE_SECONDS = 10


def terminate(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if the process is still there after the grace period."""
    proc.terminate()
    try:
        proc.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=STOP_GRACE_SECONDS)


class EphemeralServer:
    """Base for a server living in `root` (a temp dir) and logging to `log_file`; a context manager."""

    root: Path | None = None
    _proc: subprocess.Popen[bytes] | None = None

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
        raise NotImplementedError

    def stop(self) -> None:
        """Stop the process and remove the root; safe after a failed start and when called twice."""
        if self._proc is not None:
            terminate(self._proc)
            self._proc = None
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def log_text(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")
        except OSError:
            return ""

    def last_log_line(self) -> str:
        """The server's own last word, for "exited" messages ("no log" when it wrote nothing)."""
        return (self.log_text().strip().splitlines() or ["no log"])[-1]
