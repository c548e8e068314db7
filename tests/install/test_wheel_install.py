"""A team installs the harness from a wheel and runs it from its own directory (issue 11's must-show).

The wheel is built from the tracked files of this checkout (copied to a temp dir, as a fresh clone would be),
installed into a fresh virtual environment, and run in an empty directory outside the checkout:
`--tier preflight` and `--tier components` pass on the bundled reference repository, `--tier cluster` without
Docker exits 2 with one sentence, `--tier preflight` passes on a copy of fixtures/variants/team-repo.
Cost kept down: the venv gets the wheel without resolving its dependencies again (they are read from this
environment through a path entry; `pip check` proves the wheel's requirements are met by them), and the
component tier reuses the cached Airflow venv (~/.cache/airflow-gitops-e2e).

This test is where `make test` runs the shipped component suite (e2e/suites/components): through the
installed command, as a team would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from e2e.config import REPO_ROOT

pytestmark = pytest.mark.components
VARIANT = REPO_ROOT / "fixtures" / "variants" / "team-repo"


def _tracked_copy(dest: Path) -> Path:
    files = subprocess.run(["git", "-C", str(REPO_ROOT), "ls-files", "-co", "--exclude-standard", "-z"],
                           capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        source = REPO_ROOT / name
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        elif source.is_file():
            shutil.copy2(source, target)
    return dest


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bin/ of a fresh venv holding the harness built as a wheel from a copy of the tracked files."""
    work = tmp_path_factory.mktemp("wheel")
    source = _tracked_copy(work / "src")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work / "dist"),
                            str(source)], capture_output=True, text=True, timeout=600, check=False)
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((work / "dist").glob("airflow_gitops_e2e-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()"
                                "['purelib'])"], capture_output=True, text=True, check=True).stdout.strip())
    (site / "zz-harness-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
                         capture_output=True, text=True, timeout=600, check=False)
    assert pip.returncode == 0, pip.stderr[-2000:]
    return venv / "bin"


def _run(bin_dir: Path, cwd: Path, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_E2E_", "PYTHONPATH"))}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run([str(bin_dir / "airflow-e2e"), "test", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env, check=False)


def _empty_dir(tmp_path: Path) -> Path:
    here = tmp_path / "team"
    here.mkdir()
    assert REPO_ROOT not in here.resolve().parents
    return here


def test_the_installed_harness_is_the_wheel_with_its_suites_and_reference(installed):
    where = subprocess.run([str(installed / "python"), "-c", "import e2e, e2e.config as c, e2e.suites as s; "
                            "print(e2e.__file__, c.DEFAULT_GITOPS_DIR, s.COMPONENTS, sep='\\n')"],
                           capture_output=True, text=True, check=True, cwd="/").stdout.split()
    assert all(str(installed.parent) in line for line in where), where
    assert (Path(where[1]) / "apps").is_dir() and (Path(where[2]) / "test_broker.py").is_file()
    check = subprocess.run([str(installed / "python"), "-m", "pip", "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


def test_preflight_passes_on_the_bundled_reference_from_an_empty_directory(installed, tmp_path):
    here = _empty_dir(tmp_path)
    done = _run(installed, here, "--tier", "preflight")
    assert done.returncode == 0, done.stdout[-1500:] + done.stderr
    assert (here / "artifacts" / "junit" / "preflight.xml").is_file() and (here / "artifacts" / "report.html").is_file()


def test_preflight_passes_on_a_copy_of_a_teams_repository(installed, tmp_path):
    here = _empty_dir(tmp_path)
    shutil.copytree(VARIANT, here / "k8s-infra")
    done = _run(installed, here, "k8s-infra", "--tier", "preflight")
    assert done.returncode == 0, done.stdout[-1500:] + done.stderr
    assert json.loads((here / "artifacts" / "summary.json").read_text())["chart_version"] == "1.22.0"


def test_the_cluster_tier_without_docker_exits_2_with_one_sentence(installed, tmp_path):
    from e2e.cluster.fixtures import unavailable_reason
    from e2e.config import RunConfig

    if unavailable_reason(RunConfig()) is None:
        pytest.skip("a cluster can be had here: this test is about machines without one")
    here = _empty_dir(tmp_path)
    done = _run(installed, here, "--tier", "cluster", timeout=300)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == "" and done.stderr.count("\n") == 1
    assert "the cluster tier cannot run here" in done.stderr and "Traceback" not in done.stderr


def test_the_component_tier_passes_on_the_bundled_reference_from_an_empty_directory(installed, tmp_path):
    here = _empty_dir(tmp_path)
    done = _run(installed, here, "--tier", "components")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1500:]
    junit = ET.parse(here / "artifacts" / "junit" / "components.xml").getroot()
    cases = list(junit.iter("testcase"))
    assert len(cases) >= 20 and not [c for c in cases if c.find("skipped") is not None]
    assert "== components: passed" in done.stdout
    assert {p.name for p in here.iterdir()} == {"artifacts"}  # nothing else written where the team runs it
