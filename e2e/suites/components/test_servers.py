"""The ephemeral servers are real, run unprivileged, need their passwords and leave nothing behind."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
import redis

from e2e.components import inputs
from e2e.components.broker import NO_RETRY
from e2e.components.postgres import PostgresServer
from e2e.components.redis_server import RedisServer

pytestmark = pytest.mark.components


def test_postgres_accepts_the_payload_login_and_refuses_a_wrong_password(postgres_server, component_stack):
    login = inputs.db_login(component_stack.payload)
    assert postgres_server.can_login(login.user, login.password, login.database)
    assert not postgres_server.can_login(login.user, login.password + "x", login.database)


def test_postgres_runs_as_an_unprivileged_user(postgres_server):
    pid = int((postgres_server.data_dir / "postmaster.pid").read_text().split()[0])
    assert os.stat(f"/proc/{pid}").st_uid != 0


def test_redis_refuses_a_client_without_the_password(redis_server):
    client = redis.Redis(host=redis_server.host, port=redis_server.port, socket_timeout=5, retry=NO_RETRY)
    with pytest.raises(redis.exceptions.AuthenticationError):
        client.ping()


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_servers_are_stopped_and_removed_even_when_the_body_fails():
    seen: dict[str, tuple[Path, int]] = {}
    with (pytest.raises(RuntimeError, match="the test body failed"), PostgresServer() as pg,
          RedisServer("a-password-for-this-test") as rd):
        seen = {"postgres": (pg.root, pg.port), "redis": (rd.root, rd.port)}
        raise RuntimeError("the test body failed")
    for root, port in seen.values():
        assert not root.exists()
        assert not _listening(port)
