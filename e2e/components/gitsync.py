"""Clone the way git-sync v4 does over SSH, with the chart's files: the key and known_hosts, byte for byte.

Why: git-sync runs `git` with GIT_SSH_COMMAND="ssh -i <key> -o StrictHostKeyChecking=yes -o
UserKnownHostsFile=<file>" (kubernetes/git-sync main.go). The chart mounts the key (Secret data `gitSshKey`)
and writes known_hosts from `dags.gitSync.knownHosts` with `|-` (no trailing newline, docs/facts.md). HOME is a
throwaway directory, so no personal ssh config, key or agent can help the clone succeed.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from e2e.components import binaries
from e2e.components.git_server import git_env
from e2e.private_file import write_private


@dataclass
class CloneResult:
    returncode: int
    output: str  # stderr + stdout of git/ssh (unmasked: callers mask before showing)
    commit: str | None
    files: list[str]
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and self.commit is not None


def chart_known_hosts(known_hosts_value: str | None) -> str:
    """The ConfigMap's `known_hosts` text: the value rendered with `|-`, so trailing newlines are dropped."""
    return (known_hosts_value or "").rstrip("\n")


def clone(url: str, *, private_key: str, known_hosts: str, branch: str, timeout: float = 60.0,
          dest: Path | None = None) -> CloneResult:
    """Clone as git-sync does; into `dest` (kept, as git-sync's worktree) or a throwaway directory."""
    git = binaries.find("git")
    binaries.find("ssh")
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="airflow-e2e-gitsync-") as tmp:
        root = Path(tmp)
        (root / "home").mkdir()
        key, hosts = root / "ssh", root / "known_hosts"
        write_private(key, private_key)
        hosts.write_text(known_hosts, encoding="utf-8", newline="")
        env = git_env(root / "home")
        env["GIT_SSH_COMMAND"] = f"ssh -i {key} -o StrictHostKeyChecking=yes -o UserKnownHostsFile={hosts}"
        dest = dest or root / "repo"
        result = subprocess.run([git, "clone", "-q", "--depth", "1", "--branch", branch, url, str(dest)],
                                env=env, capture_output=True, text=True, check=False, timeout=timeout,
                                stdin=subprocess.DEVNULL)
        commit, files = None, []
        if result.returncode == 0:
            commit = subprocess.run([git, "rev-parse", "HEAD"], cwd=dest, env=env, capture_output=True, text=True,
                                    check=False, timeout=30).stdout.strip() or None
            files = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*")
                           if p.is_file() and ".git" not in p.relative_to(dest).parts)
        output = (result.stderr + result.stdout).strip()
    return CloneResult(result.returncode, output, commit, files, time.monotonic() - start)
