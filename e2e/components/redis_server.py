"""An ephemeral Redis with `requirepass`, the way the chart's Redis runs with `redis.passwordSecretName`.

Why real: the broker check is "does the payload's broker URL authenticate against a Redis started with the
payload's redisPassword" (FAILURES.md 9); only a real Redis answers AUTH the way Celery's workers see it.
The password goes through a config file (mode 0600), never argv.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from e2e.components import binaries, net
from e2e.components.ephemeral import EphemeralServer
from e2e.components.waiting import GaveUp, wait_until


class RedisServer(EphemeralServer):
    def __init__(self, password: str, *, startup_timeout: float = 30.0) -> None:
        self.password = password
        self.startup_timeout = startup_timeout
        self.host = net.LOOPBACK
        self.port = 0
        self.root: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def log_file(self) -> Path:
        assert self.root is not None
        return self.root / "redis.log"

    def start(self) -> RedisServer:
        server = binaries.find("redis-server")
        self.root = Path(tempfile.mkdtemp(prefix="airflow-e2e-redis-"))
        self.port = net.free_port()
        conf = self.root / "redis.conf"
        fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(
                f"bind {self.host}\nport {self.port}\nprotected-mode yes\ndaemonize no\nsave \"\"\n"
                f"appendonly no\ndir {self.root}\nlogfile {self.log_file}\n"
                f"requirepass \"{_escape(self.password)}\"\n"
            )
        self._proc = subprocess.Popen([server, str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                      cwd=self.root)
        wait_until(self._pong, timeout=self.startup_timeout, what=f"Redis on port {self.port}")
        return self

    def _pong(self) -> bool:
        assert self._proc is not None
        if self._proc.poll() is not None:
            raise GaveUp(f"redis-server exited ({self._proc.returncode}): {self.last_log_line()}")
        client = redis.Redis(host=self.host, port=self.port, password=self.password, socket_timeout=1,
                             socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))
        try:
            return bool(client.ping())
        finally:
            client.close()


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
