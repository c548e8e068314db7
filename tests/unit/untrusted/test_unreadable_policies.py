"""Vault policies that cannot be read give one clear finding, never false policy errors (issue 16 item 10).

Root reads a chmod 000 directory, so that case drops privileges (to nobody) in a child process after the
harness is imported, and reads a repository nobody may traverse to but not list inside."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from e2e.config import DEFAULT_GITOPS_DIR, REPO_ROOT

pytestmark = pytest.mark.unit
POLICY = "vault/policies/airflow-secret-read.hcl"
AS_NOBODY = """
import contextlib, io, os, sys
os.environ["AIRFLOW_E2E_CACHE_DIR"] = sys.argv[2]
from e2e.cli import main
with contextlib.redirect_stdout(io.StringIO()):  # every import the run needs, while still root
    main(["preflight", sys.argv[3], "--format", "json", "--offline"])
os.setgid(65534)
os.setuid(65534)
sys.exit(main(["preflight", sys.argv[1], "--format", "json", "--offline"]))
"""


@pytest.fixture
def world(tmp_path):
    """A directory others may enter (pytest's tmp_path is the owner's only)."""
    root = Path(tempfile.mkdtemp(prefix="airflow-e2e-policies-"))
    root.chmod(0o755)
    yield root
    for path in root.rglob("*"):
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(root, ignore_errors=True)


def _repo(world: Path) -> Path:
    repo = world / "repo"
    shutil.copytree(DEFAULT_GITOPS_DIR, repo)
    for path in [repo, *repo.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
    return repo


def _findings(result: subprocess.CompletedProcess[str]) -> list[tuple[str, str, str]]:
    assert "Traceback" not in result.stderr, result.stderr[-1000:]
    return [(f["rule"], f["file"], f["message"]) for f in json.loads(result.stdout)["findings"]]


def _preflight(repo: Path, world: Path, *, as_nobody: bool = False) -> subprocess.CompletedProcess[str]:
    if as_nobody:
        cache = world / "cache"
        cache.mkdir(mode=0o777)
        cache.chmod(0o777)
        argv = [sys.executable, "-c", AS_NOBODY, str(repo), str(cache), str(DEFAULT_GITOPS_DIR)]
    else:
        argv = [sys.executable, "-m", "e2e.cli", "preflight", str(repo), "--format", "json", "--offline"]
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=REPO_ROOT, check=False)


def _only_one_clear_finding(found, where):
    assert len(found) == 1, found
    rule, file, message = found[0]
    assert rule == "file-not-read" and file == where and "policy and role checks were not run" in message


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop to nobody")
def test_an_unlistable_policies_directory_is_one_finding_not_false_policy_errors(world):
    repo = _repo(world)
    (repo / "vault" / "policies").chmod(0o000)
    _only_one_clear_finding(_findings(_preflight(repo, world, as_nobody=True)), "vault/policies")


def test_a_policy_that_is_a_fifo_is_one_finding(world):
    repo = _repo(world)
    (repo / POLICY).unlink()
    os.mkfifo(repo / POLICY)
    _only_one_clear_finding(_findings(_preflight(repo, world)), POLICY)


def test_a_policies_directory_linked_out_of_the_repository_is_one_finding(world):
    repo = _repo(world)
    shutil.move(repo / "vault" / "policies", world / "elsewhere")
    (repo / "vault" / "policies").symlink_to(world / "elsewhere", target_is_directory=True)
    _only_one_clear_finding(_findings(_preflight(repo, world)), "vault/policies")


def test_a_really_missing_grant_is_still_an_error(world):
    repo = _repo(world)
    text = (repo / POLICY).read_text()
    (repo / POLICY).write_text(text.replace('"read"', '"list"'))
    assert any(rule == "vault-policy-missing-read" for rule, _, _ in _findings(_preflight(repo, world)))
