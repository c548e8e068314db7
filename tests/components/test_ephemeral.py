"""A loopback server started by EphemeralServer.launch runs in its own process group and stops with it."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from e2e.components import net
from e2e.components.ephemeral import EphemeralServer
from e2e.components.waiting import GaveUp

pytestmark = pytest.mark.components


class ForkingServer(EphemeralServer):
    """A real HTTP server on loopback whose shell parent also leaves a child behind (as sshd forks)."""

    name, title = "forking", "forking server"

    def __init__(self, script: str) -> None:
        super().__init__(startup_timeout=30)
        self.script = script

    def start(self) -> ForkingServer:
        self.make_root()
        self.port = net.free_port()
        self.launch(["sh", "-c", self.script.format(python=sys.executable, port=self.port)], self._answers)
        return self

    def _answers(self) -> bool:
        with socket.create_connection((net.LOOPBACK, self.port), timeout=1):  # refused until it listens
            return True


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its new parent to reap it has been ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


@pytest.mark.parametrize("child", [
    "sleep 300",
    # a child that takes a while to honour SIGTERM (as a server's worker under load): gone when stop returns
    "sh -c \"trap 'sleep 1; exit 0' TERM; while :; do sleep 0.1; done\"",
], ids=["child", "child-ending-after-the-leader"])
def test_stop_ends_the_whole_process_group_and_removes_the_root(child):
    with ForkingServer(child + " & echo $! > child.pid; exec {python} -m http.server -b 127.0.0.1 {port}") as srv:
        root, leader = srv.root, srv._proc.pid
        member = int((root / "child.pid").read_text())
        assert os.getpgid(member) == os.getpgid(leader) == leader and _alive(member)
    assert not root.exists()
    assert not _alive(member) and not _alive(leader)


def test_a_server_that_exits_while_awaited_fails_at_once_with_its_last_log_line():
    with pytest.raises(GaveUp, match=r"forking server exited \(3\): port already taken"), \
            ForkingServer("echo 'port already taken'; exit 3"):
        pass
