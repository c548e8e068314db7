"""An isolated, cached venv with the real Airflow CLI at the version the chart ships (e2e/versions.py).

Why cached and locked: `pip install apache-airflow[postgres]` takes about a minute; it is built once per
(Airflow version, Python version) under ~/.cache/airflow-gitops-e2e/venvs/, behind a file lock (two runs never
build the same venv at once) and a completion marker (a half-built venv is never reused: it is removed and
rebuilt). pip installs from the configured index (PyPI) with the libraries that decide behaviour here pinned, as
a pip constraints file, to what that Airflow release's published constraints name (e2e.versions.AIRFLOW_CONSTRAINTS;
the constraints URL itself is on GitHub, which may be unreachable). Requirements and pins are the cache key: a
changed pin builds a new venv. Only a one-line progress message reaches the terminal; pip's output goes to a log
file beside the venv.
"""

from __future__ import annotations

import fcntl
import hashlib
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
    """CeleryExecutor needs the celery extra (the provider, celery, kombu, redis); the metadata DB the postgres one."""
    reqs = [f"apache-airflow[celery,postgres]=={airflow_version}"]
    if versions.is_airflow3(airflow_version):
        fab = versions.AIRFLOW_FAB_PROVIDER.get(airflow_version)
        reqs.append(f"apache-airflow-providers-fab=={fab}" if fab else "apache-airflow-providers-fab")
    return reqs


def constraints(airflow_version: str) -> list[str]:
    """`name==version` lines for pip's --constraint file; empty for a version without pins."""
    return [f"{name}=={version}" for name, version in sorted(versions.AIRFLOW_CONSTRAINTS.get(airflow_version,
                                                                                          {}).items())]


def spec_for(airflow_version: str, py_ver: str) -> dict:
    """What a venv is built from; a complete venv is reused only when its marker holds exactly this."""
    return {"requirements": requirements(airflow_version), "constraints": constraints(airflow_version),
            "python": py_ver}


def venv_dir(root: Path, airflow_version: str, spec: dict) -> Path:
    """One directory per spec: a changed pin never reuses (or destroys) the venv of the old pins."""
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:10]
    return root / f"airflow-{airflow_version}-py{spec['python']}-{digest}"


def installed(venv_python: Path, names: list[str]) -> dict[str, str]:
    """Distribution name -> installed version in that venv (for checking the pins held)."""
    code = ("import json, sys\nfrom importlib import metadata\nout = {}\nfor n in sys.argv[1:]:\n"
            "    try:\n        out[n] = metadata.version(n)\n    except metadata.PackageNotFoundError:\n"
            "        out[n] = ''\nprint(json.dumps(out))")
    result = subprocess.run([str(venv_python), "-c", code, *names], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


class VenvBuildFailed(Exception):
    """One line: what failed and where the full pip log is."""


@dataclass(frozen=True)
class AirflowVenv:
    path: Path
    airflow_version: str

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
    spec = spec_for(airflow_version, py_ver)
    path = venv_dir(root, airflow_version, spec)
    with open(root / f"{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second process waits here until the first finished the build
        if _complete(path, spec):
            return AirflowVenv(path, airflow_version)
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
    pins = path.parent / f"{path.name}.constraints.txt"
    pins.write_text("".join(line + "\n" for line in spec["constraints"]), encoding="utf-8")
    with open(log_path, "w") as log:
        steps = [[python, "-m", "venv", str(path)],
                 [str(path / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check",
                  "--no-input", "--constraint", str(pins), *spec["requirements"]]]
        for argv in steps:
            log.write(f"$ {' '.join(argv)}\n")
            log.flush()
            result = subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT, check=False,
                                    stdin=subprocess.DEVNULL)
            if result.returncode != 0:
                shutil.rmtree(path, ignore_errors=True)
                raise VenvBuildFailed(f"building the Airflow {version} venv failed at `{' '.join(argv[-2:])}` "
                                      f"(exit {result.returncode}); see {log_path}")
    wanted = dict(line.split("==", 1) for line in spec["constraints"])
    got = installed(path / "bin" / "python", sorted(wanted))
    wrong = {name: got[name] for name in wanted if got[name] != wanted[name]}
    if wrong:
        shutil.rmtree(path, ignore_errors=True)
        raise VenvBuildFailed(f"the Airflow {version} venv does not hold its pins ({wrong}); see {log_path}")
    (path / MARKER).write_text(json.dumps(spec))
    progress(f"airflow venv: Airflow {version} ready in {time.monotonic() - start:.0f} s")
    return AirflowVenv(path, version)
