"""Who the servers run as: PostgreSQL refuses root, and sshd needs a key-only account to log in to.

Why one place: the same rule serves both machines the tier runs on.
- As root (CI containers, this machine): a system account `airflow-e2e` (no home, no password login: `*`)
  is created once with `useradd --system`; PostgreSQL runs as it through `setpriv`, and it is the git user
  sshd lets in with the payload's key only.
- As a normal user (a laptop): everything runs as you; sshd (unprivileged) can only log you in, and the
  authorized key is restricted to `git-shell`, so the payload key opens git and nothing else.
"""

from __future__ import annotations

import os
import pwd
import subprocess
from dataclasses import dataclass
from pathlib import Path

SYSTEM_USER = "airflow-e2e"


@dataclass(frozen=True)
class Identity:
    name: str
    uid: int
    gid: int

    @property
    def is_self(self) -> bool:
        return self.uid == os.getuid()

    def command(self, argv: list[str]) -> list[str]:
        """argv run as this identity (setpriv: no PAM, no login shell, environment kept as given)."""
        if self.is_self:
            return argv
        return ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups", "--", *argv]

    def own(self, path: Path) -> None:
        """Give a temp tree to this identity (no-op when it is us)."""
        if self.is_self:
            return
        for root, dirs, files in os.walk(path):
            os.chown(root, self.uid, self.gid)
            for name in dirs + files:
                os.chown(os.path.join(root, name), self.uid, self.gid, follow_symlinks=False)


def unprivileged() -> Identity:
    """The account servers run as: ourselves unless we are root, then the system account (created if needed)."""
    if os.getuid() != 0:
        entry = pwd.getpwuid(os.getuid())
        return Identity(entry.pw_name, entry.pw_uid, entry.pw_gid)
    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        result = subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
             "--shell", "/bin/sh", "--password", "*", "--comment", "airflow-gitops-e2e test servers",
             SYSTEM_USER],
            capture_output=True, text=True, check=False,
        )
        if result.returncode not in (0, 9):  # 9: created meanwhile by a parallel run
            reason = (result.stderr.strip().splitlines() or ["useradd failed"])[0]
            raise RuntimeError(f"cannot create system user {SYSTEM_USER}: {reason}") from None
        entry = pwd.getpwnam(SYSTEM_USER)
    return Identity(entry.pw_name, entry.pw_uid, entry.pw_gid)
