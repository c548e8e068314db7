"""Loopback ports and probes."""

from __future__ import annotations

import socket

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A port nobody listens on right now (the server binds it next; a lost race shows as a start failure)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def banner(port: int, timeout: float = 1.0) -> bytes:
    """The first bytes a server sends on connect (sshd: `SSH-2.0-...`)."""
    with socket.create_connection((LOOPBACK, port), timeout=timeout) as sock:
        return sock.recv(64)
