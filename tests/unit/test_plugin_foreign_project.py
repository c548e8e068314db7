"""The plugin stays out of a foreign project's way: a real pytest project in a temp dir runs with the harness
installed exactly as it runs with the plugin blocked (`-p no:airflow_e2e`): same output, same JUnit, same files.

The project is chosen to collide with what the plugin used to register: its own `--cluster` and `--artifacts`
options, a test asking for a `stack` fixture it does not define, a failing test whose JUnit must not gain a
failure class, and nothing may appear in the harness's artifacts folder.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from e2e.config import REPO_ROOT

pytestmark = pytest.mark.unit

CONFTEST = '''
import pytest

def pytest_addoption(parser):
    parser.addoption("--cluster", default="prod")
    parser.addoption("--artifacts", default="out")

@pytest.fixture
def cluster(request):
    return request.config.getoption("--cluster")
'''
TESTS = '''
import pytest

def test_their_cluster_option_is_theirs(cluster):
    assert cluster == "prod"

def test_a_product_looking_failure():
    raise RuntimeError("SecretSyncedError: ImagePullBackOff toomanyrequests")

def test_asks_for_a_stack_it_never_defined(stack):
    pass

@pytest.mark.cluster
def test_their_own_marker():
    pass
'''
PYPROJECT = '''
[tool.pytest.ini_options]
markers = ["cluster: their own meaning"]
addopts = "--strict-markers"
'''


def _project(root: Path) -> Path:
    root.mkdir()
    (root / "conftest.py").write_text(CONFTEST)
    (root / "test_theirs.py").write_text(TESTS)
    (root / "pyproject.toml").write_text(PYPROJECT)
    return root


def _run(project: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    junit = project.parent / f"{project.name}.xml"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_E2E_", "PYTEST_"))}
    done = subprocess.run([sys.executable, "-m", "pytest", "-rA", f"--junitxml={junit}", *extra], cwd=project,
                          capture_output=True, text=True, timeout=120, env=env, check=False)
    return done, junit


def _normal_output(text: str, project: Path) -> str:
    text = text.replace(str(project.parent), "<tmp>").replace(project.name, "<project>")
    text = re.sub(r"in \d+\.\d+s(?: \(\d+:\d\d:\d\d\))?", "in <t>", text)  # over 60 s pytest adds (h:mm:ss)
    return "\n".join(line for line in text.splitlines() if not line.startswith(("plugins:", "rootdir:")))


def _normal_junit(path: Path) -> str:
    root = ET.parse(path).getroot()
    for element in root.iter():
        for attribute in ("time", "timestamp", "hostname"):
            element.attrib.pop(attribute, None)
    return ET.tostring(root, encoding="unicode")


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if "__pycache__" not in p.parts}


def _harness_files_naming(marker: str) -> list[str]:
    """Files under the harness's own artifacts folder that mention the foreign project (other test runs may
    write there meanwhile; none may be about this project)."""
    folder = REPO_ROOT / "artifacts"
    found = []
    for path in folder.rglob("*") if folder.is_dir() else []:
        try:
            if path.is_file() and path.stat().st_size < 5_000_000 and marker in path.read_text(errors="replace"):
                found.append(str(path))
        except OSError:
            continue
    return found


def test_a_foreign_project_runs_the_same_with_the_plugin_installed(tmp_path):
    with_plugin, junit_with = _run(_project(tmp_path / "installed"))
    without, junit_without = _run(_project(tmp_path / "blocked"), "-p", "no:airflow_e2e")

    assert with_plugin.returncode == without.returncode == 1, with_plugin.stdout[-800:] + with_plugin.stderr
    assert "fixture 'stack' not found" in with_plugin.stdout
    assert _normal_output(with_plugin.stdout, tmp_path / "installed") == \
        _normal_output(without.stdout, tmp_path / "blocked")
    assert with_plugin.stderr == without.stderr == ""
    assert "failure_class" not in junit_with.read_text()
    assert _normal_junit(junit_with) == _normal_junit(junit_without).replace("blocked", "installed")
    assert _files(tmp_path / "installed") == _files(tmp_path / "blocked")
    assert not (tmp_path / "installed" / "artifacts").exists()
    assert _harness_files_naming(str(tmp_path)) == []


def test_the_plugin_offers_only_prefixed_options_in_a_foreign_project(tmp_path):
    project = _project(tmp_path / "help")
    done, _ = _run(project, "--help")
    assert done.returncode == 0, done.stderr
    harness = done.stdout[done.stdout.index("airflow-e2e harness"):]
    harness = harness[:harness.index("\n\n")] if "\n\n" in harness else harness
    flags = re.findall(r"^  (--[\w-]+)", harness, flags=re.MULTILINE)
    assert flags and all(flag.startswith("--e2e-") for flag in flags), flags
