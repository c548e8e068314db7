"""GitServerRemote against a real OpenSSH server and real git on loopback (the port-forward replaced by the
local port): pushes, reads and commits with the host key verified, and a wrong host key refused."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from e2e.cluster import tools
from e2e.cluster.gitremote import GitServerRemote
from e2e.config import DEFAULT_GITOPS_DIR, RunConfig
from e2e.gitops.loader import load_repository
from e2e.masking import Masker
from e2e.stack import gitserver

pytestmark = pytest.mark.components

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _LocalKube:
    """Stands in for KubeClient where only the port-forward matters: it forwards to the local sshd."""

    def __init__(self, port: int) -> None:
        self.port, self.masker = port, Masker()

    @contextmanager
    def port_forward(self, namespace, target, remote_port, timeout=60):
        yield self.port


@pytest.fixture
def sshd(tmp_path):
    if os.geteuid() != 0 or not Path(SSHD).exists() or shutil.which("git") is None:
        pytest.skip("needs root, OpenSSH server and git on this machine")
    host = gitserver.new_keypair()
    client = gitserver.new_keypair()
    keydir = tmp_path / "keys"
    tools.write_private(keydir / "hk", host.private_openssh)
    (keydir / "authorized_keys").write_text(client.public_line + "\n")
    config = (gitserver.SSHD_CONFIG.replace("/etc/ssh/keys/ssh_host_ed25519_key", str(keydir / "hk"))
              .replace("AllowUsers git", "AllowUsers root")
              .replace("PermitRootLogin no", "PermitRootLogin prohibit-password")
              .replace("AuthorizedKeysFile .ssh/authorized_keys", f"AuthorizedKeysFile {keydir}/authorized_keys")
              .replace("StrictModes yes", "StrictModes no"))
    (tmp_path / "sshd_config").write_text(config)
    Path("/run/sshd").mkdir(exist_ok=True)
    port = _free_port()
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(tmp_path / "sshd_config"), "-p", str(port)],
                            stderr=subprocess.PIPE, text=True)
    listening = threading.Event()
    log: list[str] = []

    def read() -> None:
        for line in proc.stderr:
            log.append(line)
            if "Server listening" in line:
                listening.set()

    threading.Thread(target=read, daemon=True).start()
    if not listening.wait(10):
        proc.terminate()
        pytest.fail("sshd did not start listening within 10s: " + "".join(log[-3:]))
    bare = tmp_path / "srv" / "platform" / "k8s-infra.git"
    subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=main", str(bare)], check=True)
    yield port, host, client, bare, tmp_path
    proc.terminate()
    proc.wait(timeout=10)


def _remote(port, host_public, client, tmp_path):
    repo = load_repository(DEFAULT_GITOPS_DIR)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    remote = GitServerRemote(_LocalKube(port), RunConfig(run_id="r"), repo, host_public, client, work)
    remote.user = "root"
    return remote


def test_push_read_and_commit_with_the_host_key_verified(sshd):
    port, host, client, bare, tmp_path = sshd
    remote = _remote(port, host.public_line, client, tmp_path)
    first = remote.push_tree(str(bare), {"apps/a.yaml": "a: 1\n", "README.md": "hello\n"}, "initial")
    assert remote.head(str(bare)) == first
    assert remote.read(str(bare), "apps/a.yaml") == "a: 1\n"
    second = remote.commit(str(bare), {"apps/a.yaml": "a: 2\n", "README.md": None}, "change a, drop readme")
    assert second != first and remote.head(str(bare)) == second
    assert remote.read(str(bare), "apps/a.yaml") == "a: 2\n" and remote.read(str(bare), "README.md") is None


def test_a_server_with_another_host_key_is_refused(sshd):
    port, _host, client, bare, tmp_path = sshd
    remote = _remote(port, gitserver.new_keypair().public_line, client, tmp_path)
    with pytest.raises(tools.ToolError, match=r"Host key verification failed\."):
        remote.push_tree(str(bare), {"a": "b"}, "never lands")
