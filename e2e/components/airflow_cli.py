"""Run the real Airflow CLI (or a Job's script) from the isolated venv with exactly the Job's environment.

Why a clean environment: the Job's container sees only what the chart gives it, so nothing from the calling
shell (a stray AIRFLOW__* variable, a personal airflow.cfg) may make a broken configuration pass here.
Output is captured (never streamed) and returned unmasked to the caller, which masks before showing it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from e2e.components.airflow_venv import AirflowVenv
from e2e.components.argv_watch import ArgvWatch

SECRET_WORDS = ("PASSWORD", "SECRET", "TOKEN", "KEY")  # an extra env var so named is watched on argv too


@dataclass
class CommandResult:
    what: str
    returncode: int
    output: str
    seconds: float
    timed_out: bool = False
    argv_exposed: dict[str, str] = field(default_factory=dict)  # env var -> the program whose argv showed its value

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


class AirflowRunner:
    def __init__(self, venv: AirflowVenv, job_env: dict[str, str], workdir: Path,
                 secret_env: tuple[str, ...] = ()) -> None:
        self.venv = venv
        self.job_env = dict(job_env)
        self.secret_env = secret_env  # the env vars holding secrets: watched on every command line while it runs
        self.workdir = workdir
        (workdir / "home").mkdir(parents=True, exist_ok=True)
        (workdir / "tmp").mkdir(parents=True, exist_ok=True)
        Path(job_env.get("AIRFLOW_HOME", workdir / "airflow-home")).mkdir(parents=True, exist_ok=True)

    def environment(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        # TMPDIR inside the run's workdir: what Airflow and its tasks write to temp files goes with the workdir
        base = {"PATH": f"{self.venv.bin}:/usr/local/bin:/usr/bin:/bin", "HOME": str(self.workdir / "home"),
                "TMPDIR": str(self.workdir / "tmp"),
                "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
        return {**base, **self.job_env, **(extra or {})}

    def run(self, argv: list[str], *, timeout: float, what: str | None = None,
            extra_env: dict[str, str] | None = None) -> CommandResult:
        """Run argv (e.g. ["airflow", "db", "migrate"] or a Job's ["bash", "-ec", script])."""
        start = time.monotonic()
        env = self.environment(extra_env)
        proc = subprocess.Popen(argv, env=env, cwd=self.workdir, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                                start_new_session=True)
        watched = [*self.secret_env, *(k for k in extra_env or {} if any(w in k for w in SECRET_WORDS))]
        with ArgvWatch(proc.pid, {name: env[name] for name in watched if env.get(name)}) as watch:
            try:
                output, _ = proc.communicate(timeout=timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)  # the whole group: bash and the airflow it started
                output, _ = proc.communicate()
                timed_out = True
        return CommandResult(what or " ".join(argv[:3]), proc.returncode, output or "",
                             time.monotonic() - start, timed_out, dict(watch.exposed))

    def airflow(self, *args: str, timeout: float, extra_env: dict[str, str] | None = None) -> CommandResult:
        return self.run([str(self.venv.airflow), *args], timeout=timeout, what="airflow " + " ".join(args[:2]),
                        extra_env=extra_env)

    def python(self, script: Path, *, timeout: float, extra_env: dict[str, str] | None = None) -> CommandResult:
        return self.run([str(self.venv.python), str(script)], timeout=timeout, what=script.stem,
                        extra_env=extra_env)
