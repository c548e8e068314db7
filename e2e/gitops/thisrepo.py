"""Which Git URL is "this" repository, so a source in another repository is never resolved against local files.

Why: an Application often reads a chart, values or manifests from a second repository (`repoURL` of another
team, a shared config repo). Looking those paths up in the directory being checked gives findings about files
that are not what Argo CD reads. "This" comes from `--repo-url` (repeatable), else from `git remote` when DIR
is the top of a clone; with neither, every Git source is taken as this repository (the layout's contract).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/\[\]]+):(?!//)(?P<path>.*)$")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/]+@)?(?P<host>\[[^\]]+\]|[^:/]+)(?::\d+)?(?P<path>/.*)?$", re.I)
GIT_TIMEOUT_S = 5


def canonical_git_url(url: str) -> str:
    """`git@host:org/repo.git`, `ssh://git@host:2222/org/repo`, `https://host/org/repo.git/` -> `host/org/repo`.

    User, scheme, port, a trailing `.git` and `/`, and letter case are not part of which repository it is.
    """
    text = url.strip()
    match = _URL.match(text) or (None if "://" in text else _SCP_LIKE.match(text))
    if match is None:
        return text.rstrip("/").removesuffix(".git").lower()
    path = (match.group("path") or "").strip("/").removesuffix(".git").rstrip("/")
    return f"{match.group('host').lower()}/{path.lower()}"


@dataclass
class ThisRepository:
    urls: list[str] = field(default_factory=list)  # as given or as `git remote` prints them
    how: str = "unknown"  # "option", "git remote" or "unknown"

    @property
    def known(self) -> bool:
        return bool(self.urls)

    def is_this(self, repo_url: str | None) -> bool:
        """True when repo_url names this repository, or when which repository this is is not known."""
        if not self.known or not repo_url:
            return True
        wanted = canonical_git_url(repo_url)
        return any(canonical_git_url(u) == wanted for u in self.urls)


def git_remote_urls(root: Path) -> list[str]:
    """The remote URLs of the clone whose top-level directory is root; [] for anything else."""
    try:
        top = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel"], capture_output=True,
                             text=True, timeout=GIT_TIMEOUT_S, check=False)
        if top.returncode != 0 or Path(top.stdout.strip()).resolve() != root.resolve():
            return []
        remotes = subprocess.run(["git", "-C", str(root), "config", "--get-regexp", r"^remote\..*\.url$"],
                                 capture_output=True, text=True, timeout=GIT_TIMEOUT_S, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.split(None, 1)[1] for line in remotes.stdout.splitlines() if len(line.split(None, 1)) == 2]


def this_repository(root: Path, given: list[str] | tuple[str, ...] = ()) -> ThisRepository:
    if given:
        return ThisRepository(list(given), "option")
    remotes = git_remote_urls(root) if (root / ".git").exists() else []
    return ThisRepository(remotes, "git remote" if remotes else "unknown")
