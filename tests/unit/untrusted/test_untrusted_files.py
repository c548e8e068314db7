"""Repository trees and output files from untrusted hands: no link out of the repository is followed, no
special file is read, reads are bounded, and sensitive output is 0600 from the first byte, never written
through a symlink."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from e2e.config import DEFAULT_GITOPS_DIR
from e2e.errors import UnusableInput
from e2e.gitops.loader import load_repository
from e2e.private_file import write_private
from e2e.safe_files import read_bytes, walk

pytestmark = pytest.mark.unit
SECRET = "SECRET-OUTSIDE-THE-REPOSITORY-1234"


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "e2e.cli", *args], capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture
def hostile_repo(tmp_path: Path) -> Path:
    """The reference repository plus a link to a file outside it, a link to a directory outside it and a FIFO."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "shadow").write_text(SECRET + "\n")
    (outside / "values.yaml").write_text(f"leak: {SECRET}\n")
    repo = tmp_path / "repo"
    shutil.copytree(DEFAULT_GITOPS_DIR, repo)
    (repo / "NOTES").symlink_to(outside / "shadow")
    (repo / "apps" / "stolen.yaml").symlink_to(outside / "values.yaml")
    (repo / "elsewhere").symlink_to(outside, target_is_directory=True)
    os.mkfifo(repo / "apps" / "pipe.yaml")
    return repo


def test_plan_never_copies_a_file_through_a_link_out_of_the_repository(hostile_repo, tmp_path):
    out = tmp_path / "plan"
    result = cli("plan", "--gitops-dir", str(hostile_repo), "--output", str(out))
    assert result.returncode == 0, result.stderr
    leaked = [p for p in out.rglob("*") if p.is_file() and SECRET in p.read_text(errors="replace")]
    assert leaked == []
    assert not (out / "repositories" / "gitops" / "NOTES").exists()
    modes = {stat.S_IMODE(p.stat().st_mode) for p in out.rglob("*") if p.is_file()}
    assert modes == {0o600}, "plan output can hold anything a repository holds: owner-only"


def test_preflight_reports_each_refused_file_and_reads_none_of_them(hostile_repo):
    result = cli("preflight", str(hostile_repo), "--format", "json")
    assert SECRET not in result.stdout + result.stderr
    findings = json.loads(result.stdout)["findings"]
    refused = {f["file"]: f["message"] for f in findings if f["rule"] == "file-not-read"}
    assert set(refused) == {"NOTES", "apps/stolen.yaml", "apps/pipe.yaml", "elsewhere"}
    assert "leaves the repository" in refused["NOTES"] and "FIFO" in refused["apps/pipe.yaml"]
    assert result.returncode == 1


def test_a_link_inside_the_repository_is_still_read(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(DEFAULT_GITOPS_DIR, repo)
    (repo / "docs-link.yaml").symlink_to(repo / "vault" / "payload.example.yaml")
    loaded = load_repository(repo)
    assert "docs-link.yaml" in loaded.data_files and loaded.refused_files == []


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/null", "fifo"])
def test_special_files_are_refused_at_once_not_read(tmp_path, special):
    path = Path(special)
    if special == "fifo":
        path = tmp_path / "fifo"
        os.mkfifo(path)
    with pytest.raises(UnusableInput, match="not a regular file"):
        read_bytes(path)


def test_proc_files_that_report_size_zero_are_still_bounded(tmp_path):
    big = tmp_path / "big"
    big.write_bytes(b"x" * 5000)
    with pytest.raises(UnusableInput, match="more than the 4096 bytes"):
        read_bytes(big, limit=4096)
    with pytest.raises(UnusableInput, match="leaves"):
        read_bytes("/proc/self/environ", root=tmp_path)


def test_walk_refuses_dangling_and_outward_links_and_lists_the_rest(tmp_path):
    (tmp_path / "a.yaml").write_text("a: 1\n")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "etc").symlink_to("/etc/hostname")
    tree = walk(tmp_path)
    assert [p.name for p in tree.files] == ["a.yaml"]
    assert {rel for rel, _ in tree.refused} == {"dangling", "etc"}


# --- payload --out -------------------------------------------------------------------------------------------

def test_payload_out_refuses_a_dangling_symlink_without_force(tmp_path):
    target = tmp_path / "created-through-the-link"
    link = tmp_path / "payload.yaml"
    link.symlink_to(target)
    result = cli("payload", "--out", str(link))
    assert result.returncode == 2 and "already exists" in result.stderr
    assert not target.exists()


def test_payload_out_with_force_replaces_the_link_and_never_touches_its_target(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("keep me\n")
    victim.chmod(0o644)
    link = tmp_path / "payload.yaml"
    link.symlink_to(victim)
    result = cli("payload", "--out", str(link), "--force")
    assert result.returncode == 0, result.stderr
    assert victim.read_text() == "keep me\n" and stat.S_IMODE(victim.stat().st_mode) == 0o644
    assert not link.is_symlink() and stat.S_IMODE(link.stat().st_mode) == 0o600


def test_payload_out_with_force_does_not_reuse_another_owners_file(tmp_path):
    """A file that existed (e.g. another user's, mode 0666) is replaced by a new inode, not opened and chmod-ed."""
    out = tmp_path / "payload.yaml"
    out.write_text("theirs")
    out.chmod(0o666)
    old_inode = out.stat().st_ino
    assert cli("payload", "--out", str(out), "--force").returncode == 0
    assert out.stat().st_ino != old_inode and stat.S_IMODE(out.stat().st_mode) == 0o600


def test_a_private_file_is_never_readable_by_others_even_with_an_open_umask(tmp_path):
    old = os.umask(0)
    try:
        path = write_private(tmp_path / "key", "secret", replace=False)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(FileExistsError):
        write_private(path, "again", replace=False)
    assert [p.name for p in tmp_path.iterdir()] == ["key"], "no temporary file is left behind"


# --- the component tier's git server -----------------------------------------------------------------------------

def test_the_git_server_publishes_dags_without_following_a_link_out_of_them(tmp_path):
    from e2e.components.git_server import publishable_copy

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "shadow").write_text(SECRET)
    dags = tmp_path / "dags"
    (dags / "sub").mkdir(parents=True)
    (dags / "hello.py").write_text("print('dag')\n")
    (dags / ".airflowignore").write_text("sub/skip.py\n")
    (dags / "sub" / "same.py").symlink_to(dags / "hello.py")
    (dags / "NOTES").symlink_to(outside / "shadow")
    (dags / "etc").symlink_to(outside, target_is_directory=True)
    os.mkfifo(dags / "pipe.py")
    tree = tmp_path / "tree"
    refused = dict(publishable_copy(dags, tree))  # a FIFO would block shutil.copytree forever
    assert set(refused) == {"NOTES", "etc", "pipe.py"}
    published = {p.relative_to(tree).as_posix() for p in tree.rglob("*") if not p.is_dir()}
    assert published == {"hello.py", ".airflowignore", "sub/same.py"}
    assert os.readlink(tree / "sub" / "same.py") == "../hello.py"  # committed as the link git would store
    assert all(SECRET not in p.read_text() for p in tree.rglob("*") if p.is_file())
