"""Long-running Airflow components (api-server, scheduler, dag-processor, triggerer, Celery worker) as real
processes on loopback, each in its own process group with its own log file.

Why process groups: `airflow celery worker` forks pool processes and every task runs under a supervisor
subprocess; stopping only the parent leaves them behind. `stop_all()` signals every whole group (SIGTERM, then
SIGKILL after one grace period shared by all groups), and the pytest fixture and the CLI call it on pass, failure
and Ctrl-C alike.
A component's output reaches its log file only through a relay that masks every line (FAB logs the admin's
names, for one), so no payload value is ever on disk, not even in the run's temp dir while it runs.
"""

from __future__ import annotations

import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

from e2e.components.airflow_cli import AirflowRunner
from e2e.components.ephemeral import stop_groups
from e2e.components.waiting import GaveUp
from e2e.masking import Masker

STOP_GRACE_SECONDS = 10.0  # for all the groups together


@dataclass
class AirflowProcess:
    name: str  # "api-server", "scheduler", ...: the chart's component name
    argv: list[str]
    runner: AirflowRunner
    extra_env: dict[str, str] = field(default_factory=dict)
    masker: Masker | None = None
    proc: subprocess.Popen[str] | None = None
    log_path: Path | None = None
    _relay: threading.Thread | None = None

    def start(self) -> AirflowProcess:
        self.log_path = self.runner.workdir / f"{self.name}.log"
        self.log_path.touch()
        self.proc = subprocess.Popen([str(self.runner.venv.airflow), *self.argv],
                                     env=self.runner.environment(self.extra_env), cwd=self.runner.workdir,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     text=True, errors="replace", start_new_session=True)
        self._relay = threading.Thread(target=self._copy, args=(self.proc,), daemon=True,
                                       name=f"log-{self.name}")
        self._relay.start()
        return self

    def _copy(self, proc: subprocess.Popen[str]) -> None:
        """Every output line, masked, appended to the log file (until the process closes its output)."""
        assert proc.stdout is not None and self.log_path is not None
        mask = self.masker.mask if self.masker is not None else (lambda text: text)
        with open(self.log_path, "a", encoding="utf-8") as log:
            for line in proc.stdout:
                log.write(mask(line))
                log.flush()

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace") if self.log_path else ""
        except OSError:
            return ""

    def ensure_running(self) -> None:
        """Raise GaveUp (stop waiting now) when the component exited: its last log line says why."""
        if self.proc is not None and self.proc.poll() is not None:
            tail = [line for line in self.log_text().strip().splitlines() if line.strip()][-3:]
            raise GaveUp(f"{self.name} exited ({self.proc.returncode}): {' | '.join(tail) or 'no output'}")

    def stop(self) -> None:
        stop_all([self])


def stop_all(processes: list[AirflowProcess]) -> None:
    """Every group SIGTERMed at once and waited for against ONE deadline, then SIGKILLed if anything is left
    (ephemeral.stop_groups): the teardown takes one grace period, not one per component (a Ctrl-C's runner gives
    the whole suite 20 s). Then each log relay has copied the last output."""
    stop_groups([p.proc for p in processes if p.proc is not None], STOP_GRACE_SECONDS)
    for process in processes:
        if process._relay is not None:
            process._relay.join(timeout=STOP_GRACE_SECONDS)
        process.proc = None
