"""Run pytest; if its only failures are infrastructure, run exactly those tests once more, in a new process.

Usage (CI): `python -m e2e.ci.rerun --ci-out DIR -- <pytest arguments>`.

Why a new process: the session-scoped cluster of a run whose kind creation or image pulls failed is cached
by pytest as failed; only a fresh session tries again. Why only when every failure is infrastructure: a
product or dependency-not-ready failure already makes the job red, and a rerun would only spend 10 minutes.
The rerun keeps the same arguments and adds `--e2e-only-ids rerun.txt`, so options and markers still apply.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from e2e.ci.classify import INFRASTRUCTURE
from e2e.ci.pytest_hooks import CI_OUT_ENV, FAILURES_FILE, RERUN_FILE

RERUN_ENV = "AIRFLOW_E2E_RERUN"


def infrastructure_only(failures: Sequence[dict]) -> bool:
    return bool(failures) and all(f.get("failure_class") == INFRASTRUCTURE for f in failures)


def should_rerun(exit_code: int, failures: Sequence[dict]) -> bool:
    """Exit code 1 (tests failed) and every failure classed infrastructure: rerun once. Nothing else."""
    return exit_code == 1 and infrastructure_only(failures)


def read_failures(ci_out: Path) -> list[dict]:
    try:
        return list(json.loads((ci_out / FAILURES_FILE).read_text()).get("failures", []))
    except (OSError, ValueError):
        return []


def _pytest(args: Sequence[str], ci_out: Path, extra_env: dict[str, str]) -> int:
    env = {**os.environ, CI_OUT_ENV: str(ci_out), **extra_env}
    return subprocess.run([sys.executable, "-m", "pytest", *args, "--e2e-ci-out", str(ci_out)], env=env,
                          check=False).returncode


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m e2e.ci.rerun", description=__doc__.splitlines()[0])
    parser.add_argument("--ci-out", type=Path, required=True, help="the first run's CI output directory")
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER, help="-- then the pytest arguments")
    args = parser.parse_args(argv)
    pytest_args = args.pytest_args[1:] if args.pytest_args[:1] == ["--"] else args.pytest_args
    first = _pytest(pytest_args, args.ci_out, {})
    failures = read_failures(args.ci_out)
    if not should_rerun(first, failures):
        return first
    rerun_dir = args.ci_out / "rerun"
    print(f"e2e.ci.rerun: {len(failures)} infrastructure failure(s); running them once more", flush=True)
    return _pytest([*pytest_args, "--e2e-only-ids", str(args.ci_out / RERUN_FILE), "--junitxml",
                    str(rerun_dir / "junit-rerun.xml")], rerun_dir, {RERUN_ENV: "1"})


if __name__ == "__main__":
    sys.exit(main())
