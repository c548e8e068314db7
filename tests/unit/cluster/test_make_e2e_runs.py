"""`make e2e` runs the mission checks first, alone; the recovery scenarios only when asked, in their own pytest
run after a green main run (as the nightly's jobs do). Driven through scripts/e2e.sh with stand-ins for
docker, curl and python on PATH that record what they were asked to do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from e2e.config import REPO_ROOT

pytestmark = pytest.mark.unit


def _run(tmp_path: Path, pytest_exit: int = 0, **env: str) -> tuple[int, list[list[str]]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "calls"
    (bin_dir / "docker").write_text("#!/bin/sh\necho 29.0.0\n")
    (bin_dir / "curl").write_text("#!/bin/sh\nprintf 200\n")
    (bin_dir / "python").write_text(f"#!/bin/sh\nprintf '%s\\037' \"$@\" >> {log}\necho >> {log}\nexit {pytest_exit}\n")
    for stub in bin_dir.iterdir():
        stub.chmod(0o755)
    result = subprocess.run(["bash", str(REPO_ROOT / "scripts" / "e2e.sh")], capture_output=True, text=True,
                            timeout=60, check=False, cwd=REPO_ROOT,
                            env={"PATH": f"{bin_dir}:/usr/bin:/bin", "AIRFLOW_E2E_PYTHON": str(bin_dir / "python"),
                                 "AIRFLOW_E2E_TOOLS_INSTALLED": "1", "HOME": str(tmp_path), **env})
    calls = [line.split("\x1f")[:-1] for line in log.read_text().splitlines()] if log.exists() else []
    return result.returncode, calls


def _marker(call: list[str]) -> str:
    """The marker expression `airflow-e2e test` hands the suite (`--pytest-arg=-m --pytest-arg=EXPR`)."""
    return call[call.index("--pytest-arg=-m") + 1].removeprefix("--pytest-arg=")


def test_make_e2e_runs_only_the_mission_checks_by_default(tmp_path):
    code, calls = _run(tmp_path)
    assert code == 0 and len(calls) == 1
    assert calls[0][:5] == ["-m", "e2e.cli", "test", "fixtures/gitops", "--tier"] and calls[0][5] == "cluster"
    assert _marker(calls[0]) == "cluster and not recovery and not upgrade"


def test_scenarios_run_in_their_own_pytest_run_after_the_mission_checks(tmp_path):
    code, calls = _run(tmp_path, SCENARIOS="1")
    assert code == 0 and [_marker(c) for c in calls] == ["cluster and not recovery and not upgrade", "recovery"]


def test_a_red_main_run_stops_before_the_scenarios(tmp_path):
    code, calls = _run(tmp_path, pytest_exit=1, SCENARIOS="1")
    assert code == 1 and len(calls) == 1


def test_the_main_run_excludes_every_scenario_and_the_upgrade():
    """The marker expression really deselects them (collected, not run)."""
    result = subprocess.run([sys.executable, "-m", "pytest",
                             "e2e/suites/cluster", "-m", "cluster and not recovery and not upgrade",
                             "--collect-only", "-q", "-p", "no:cacheprovider"],
                            capture_output=True, text=True, timeout=120, check=False, cwd=REPO_ROOT)
    assert "test_scenarios.py" not in result.stdout and "test_upgrade.py" not in result.stdout
    assert "test_bringup.py" in result.stdout and "test_secrets.py" in result.stdout
