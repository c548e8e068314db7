"""Find the real binaries the component tier runs, or say in one line what is missing and how to get it.

Why: the tier must never fall back to a fake; a machine without PostgreSQL gets a clear reason (and CI, where
nothing of this tier may be skipped, fails on it).
"""

from __future__ import annotations

import glob
import os
import shutil

COMPONENT_TIER = ("initdb", "pg_ctl", "pg_isready", "psql", "redis-server", "sshd", "ssh", "ssh-keygen", "git",
                  "git-shell")  # what the component tier's servers and clones run
INSTALL_HINT = "run `make setup` (installs postgresql redis-server openssh-server git via apt-get)"
PACKAGE_OF = {
    "initdb": "postgresql", "pg_ctl": "postgresql", "pg_isready": "postgresql", "psql": "postgresql-client",
    "redis-server": "redis-server", "sshd": "openssh-server", "ssh": "openssh-client",
    "ssh-keygen": "openssh-client", "git": "git", "git-shell": "git", "git-upload-pack": "git",
}


class MissingBinary(Exception):
    """One line: which binary, which Debian package, how to install."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"{name} not found (Debian package {PACKAGE_OF.get(name, name)}); {INSTALL_HINT}")


def postgres_bin_dir() -> str | None:
    """The newest /usr/lib/postgresql/<major>/bin (Debian keeps initdb and pg_ctl off PATH)."""
    dirs = [d for d in glob.glob("/usr/lib/postgresql/*/bin") if os.path.isfile(os.path.join(d, "initdb"))]
    dirs.sort(key=lambda d: int(d.split("/")[-2]) if d.split("/")[-2].isdigit() else 0)
    return dirs[-1] if dirs else None


def find(name: str) -> str:
    """Absolute path of a binary, or MissingBinary."""
    pg = postgres_bin_dir()
    candidates = []
    if pg and name in ("initdb", "pg_ctl", "pg_isready", "psql", "postgres"):
        candidates.append(os.path.join(pg, name))
    if name == "sshd":
        candidates.append("/usr/sbin/sshd")
    if name in ("git-shell", "git-upload-pack"):
        candidates += [f"/usr/bin/{name}", f"/usr/lib/git-core/{name}"]
    found = shutil.which(name)
    if found:
        candidates.append(found)
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise MissingBinary(name)


def missing(names: tuple[str, ...]) -> list[str]:
    """One reason line per missing binary (empty when all are present)."""
    reasons = []
    for name in names:
        try:
            find(name)
        except MissingBinary as exc:
            reasons.append(str(exc))
    return reasons
