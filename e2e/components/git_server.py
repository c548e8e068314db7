"""An ephemeral OpenSSH server with its own per-run host key, serving bare git repositories to one key.

Why real: git-sync's safety rests on OpenSSH's host-key check (`StrictHostKeyChecking=yes` with the chart's
known_hosts) and on the private key's exact bytes; only a real sshd and a real ssh client show
`Host key verification failed.` or `invalid format` the way a git-sync container does.

Who logs in (see identity.py): as root, the system account `airflow-e2e`; as a normal user, yourself.
Either way only the payload's public key is authorized, password and keyboard-interactive logins are off,
and the key is `restrict`ed to `git-shell`, so it opens git and nothing else. `/run/sshd` (privilege
separation) is created when we are root; `StrictModes no` because the files live under /tmp.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from e2e import safe_files
from e2e.components import binaries, identity, net
from e2e.components.ephemeral import EphemeralServer

PRIVSEP_DIR = Path("/run/sshd")


def git_env(home: Path) -> dict[str, str]:
    """A clean git environment: no user or system config, a throwaway HOME, a fixed author."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0",
        "GIT_AUTHOR_NAME": "airflow-e2e", "GIT_AUTHOR_EMAIL": "airflow-e2e@localhost",
        "GIT_COMMITTER_NAME": "airflow-e2e", "GIT_COMMITTER_EMAIL": "airflow-e2e@localhost",
    }


DAG_FILE_LIMIT = 64 * 1024 * 1024


def publishable_copy(content: Path, tree: Path) -> list[tuple[str, str]]:
    """Copy a DAG directory for a commit without following a link out of it (safe_files.walk): a link that
    stays inside is committed as the link it is (as git would), a link out, a FIFO or a device is left out and
    returned with why; regular files are read bounded. Hidden files (.airflowignore) are kept."""
    found = safe_files.walk(content, skip_hidden=False, skip_dirs=(".git", "__pycache__"))
    tree.mkdir(parents=True)
    for path in found.files:
        rel = path.relative_to(content)
        if rel.suffix == ".pyc":
            continue
        dest = tree / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():
            os.symlink(os.path.relpath(os.path.realpath(path), os.path.realpath(path.parent)), dest)
            continue
        dest.write_bytes(safe_files.read_bytes(path, limit=DAG_FILE_LIMIT, root=content))
        dest.chmod(0o755 if path.stat().st_mode & 0o111 else 0o644)
    return found.refused


class GitSshServer(EphemeralServer):
    name = title = "sshd"

    def __init__(self, authorized_public_key: str, *, startup_timeout: float = 30.0,
                 who: identity.Identity | None = None) -> None:
        super().__init__(startup_timeout=startup_timeout)
        self.authorized_public_key = authorized_public_key.strip()
        self.who = who
        self.refused: list[tuple[str, str]] = []  # what the last add_repository left out (path, why)

    # -- facts a client needs ----------------------------------------------------------------------------
    @property
    def user(self) -> str:
        assert self.who is not None
        return self.who.name

    @property
    def known_hosts_name(self) -> str:
        """How OpenSSH names this server in known_hosts: `[127.0.0.1]:port` for a port other than 22."""
        return f"[{self.host}]:{self.port}"

    @property
    def host_public_key(self) -> str:
        """`ssh-ed25519 AAAA...` of this run's host key (no comment)."""
        assert self.root is not None
        parts = (self.root / "ssh_host_ed25519_key.pub").read_text().split()
        return f"{parts[0]} {parts[1]}"

    def url(self, repo_path: str) -> str:
        assert self.root is not None
        return f"ssh://{self.user}@{self.host}:{self.port}{self.root / 'repos' / repo_path.strip('/')}"

    # -- lifecycle ---------------------------------------------------------------------------------------
    def start(self) -> GitSshServer:
        sshd, keygen = binaries.find("sshd"), binaries.find("ssh-keygen")
        binaries.find("git-shell")
        self.who = self.who or identity.unprivileged()
        if os.getuid() == 0:  # an unprivileged sshd does not use privilege separation
            PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
        self.make_root().chmod(0o755)  # the git user reads authorized_keys and the repositories below
        (self.root / "repos").mkdir()
        key = self.root / "ssh_host_ed25519_key"
        subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-C", "airflow-e2e-host", "-f", str(key)],
                       check=True, capture_output=True, timeout=30)
        authorized = self.root / "authorized_keys"
        authorized.write_text(f'restrict,command="git-shell -c \\"$SSH_ORIGINAL_COMMAND\\"" '
                              f"{self.authorized_public_key}\n")
        authorized.chmod(0o644)
        self.port = net.free_port()
        config = self.root / "sshd_config"
        config.write_text("\n".join([
            f"Port {self.port}", f"ListenAddress {self.host}", f"HostKey {key}",
            f"PidFile {self.root / 'sshd.pid'}", f"AuthorizedKeysFile {authorized}",
            "AuthenticationMethods publickey", "PubkeyAuthentication yes", "PasswordAuthentication no",
            "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no", f"AllowUsers {self.user}",
            "PermitRootLogin no", "AllowTcpForwarding no", "AllowAgentForwarding no", "X11Forwarding no",
            "PermitTTY no", "PrintMotd no", "LogLevel VERBOSE", "",
        ]))
        self.launch([sshd, "-D", "-e", "-f", str(config)], lambda: net.banner(self.port).startswith(b"SSH-"))
        return self

    # -- content -----------------------------------------------------------------------------------------
    def add_repository(self, repo_path: str, content: Path, branch: str = "main") -> str:
        """Publish a directory as one commit on `branch` of a bare repository; returns the commit id."""
        assert self.root is not None and self.who is not None
        git = binaries.find("git")
        work = Path(tempfile.mkdtemp(prefix="airflow-e2e-gitwork-"))
        try:
            env = git_env(work)
            tree = work / "tree"
            self.refused = publishable_copy(content, tree)
            for argv in (["init", "-q", "-b", branch], ["add", "-A"], ["commit", "-q", "-m", "DAGs for the e2e run"]):
                subprocess.run([git, *argv], cwd=tree, env=env, check=True, capture_output=True, timeout=60)
            bare = self.root / "repos" / repo_path.strip("/")
            bare.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run([git, "clone", "-q", "--bare", str(tree), str(bare)], env=env, check=True,
                           capture_output=True, timeout=60)
            commit = subprocess.run([git, "rev-parse", branch], cwd=bare, env=env, check=True,
                                    capture_output=True, text=True, timeout=30).stdout.strip()
        finally:
            shutil.rmtree(work, ignore_errors=True)
        self.who.own(self.root / "repos")
        return commit
