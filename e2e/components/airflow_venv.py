"""An isolated, cached venv with the real Airflow CLI at the version the chart ships (e2e/versions.py).

Why cached and locked: `pip install apache-airflow[postgres]` takes about a minute; it is built once per
(Airflow version, Python version) under ~/.cache/airflow-gitops-e2e/venvs/, behind a file lock (two runs never
build the same venv at once) and a completion marker (a half-built venv is never reused: it is removed and
rebuilt). pip installs from the configured index (PyPI) without a constraints URL (GitHub may be unreachable).
Only a one-line progress message reaches the terminal; pip's output goes to a log file beside the venv.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from e2e import versions

CACHE_ENV = "AIRFLOW_E2E_CACHE"
MARKER = ".airflow-e2e-complete"


def cache_root() -> Path:
    base = os.environ.get(CACHE_ENV) or os.path.join(os.environ.get("XDG_CACHE_HOME") or
                                                     os.path.expanduser("~/.cache"), "airflow-gitops-e2e")
    return Path(base) / "venvs"


def requirements(airflow_version: str) -> list[str]:
    reqs = [f"apache-airflow[postgres]=={airflow_version}"]
    if versions.is_airflow3(airflow_version):
        fab = versions.AIRFLOW_FAB_PROVIDER.get(airflow_version)
        reqs.append(f"apache-airflow-providers-fab=={fab}" if fab else "apache-airflow-providers-fab")
    return reqs


class VenvBuildFailed(Exception):
    """One line: what failed and where the full pip log is."""


@dataclass(frozen=True)
class AirflowVenv:
    path: Path
    airflow_version: str
    built_now: bool
    build_seconds: float

    @property
    def bin(self) -> Path:
        return self.path / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    @property
    def airflow(self) -> Path:
        return self.bin / "airflow"


def ensure(airflow_version: str, *, python: str = sys.executable,
           progress: Callable[[str], None] | None = None) -> AirflowVenv:
    """The venv for this Airflow version, built if missing or incomplete."""
    progress = progress or (lambda line: print(line, file=sys.stderr, flush=True))
    py_ver = subprocess.run([python, "-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"],
                            capture_output=True, text=True, check=True).stdout.strip()
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"airflow-{airflow_version}-py{py_ver}"
    spec = {"requirements": requirements(airflow_version), "python": py_ver}
    with open(root / f"{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second process waits here until the first finished the build
        if _complete(path, spec):
            return AirflowVenv(path, airflow_version, False, 0.0)
        return _build(path, spec, python, progress, airflow_version)


def _complete(path: Path, spec: dict) -> bool:
    try:
        return json.loads((path / MARKER).read_text()) == spec and (path / "bin" / "airflow").exists()
    except (OSError, ValueError):
        return False


def _build(path: Path, spec: dict, python: str, progress: Callable[[str], None], version: str) -> AirflowVenv:
    start = time.monotonic()
    shutil.rmtree(path, ignore_errors=True)
    log_path = path.parent / f"{path.name}.build.log"
    progress(f"airflow venv: building Airflow {version} in {path} (one-time, log: {log_path})")
    with open(log_path, "w") as log:
        steps = [[python, "-m", "venv", str(path)],
                 [str(path / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check",
                  "--no-input", *spec["requirements"]]]
        for argv in steps:
            log.write(f"$ {' '.join(argv)}\n")
            log.flush()
            result = subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT, check=False,
                                    stdin=subprocess.DEVNULL)
            if result.returncode != 0:
                shutil.rmtree(path, ignore_errors=True)
                raise VenvBuildFailed(f"building the Airflow {version} venv failed at `{' '.join(argv[-2:])}` "
                                      f"(exit {result.returncode}); see {log_path}")
    (path / MARKER).write_text(json.dumps(spec))
    seconds = time.monotonic() - start
    progress(f"airflow venv: Airflow {version} ready in {seconds:.0f} s")
    return AirflowVenv(path, version, True, seconds)
