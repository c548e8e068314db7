"""An ephemeral Redis with `requirepass`, the way the chart's Redis runs with `redis.passwordSecretName`.

Why real: the broker check is "does the payload's broker URL authenticate against a Redis started with the
payload's redisPassword" (FAILURES.md 9); only a real Redis answers AUTH the way Celery's workers see it.
The password goes through a config file (mode 0600), never argv.
"""

from __future__ import annotations

import os

import redis

from e2e.components import binaries, net
from e2e.components.broker import NO_RETRY
from e2e.components.ephemeral import EphemeralServer


class RedisServer(EphemeralServer):
    name, title = "redis", "Redis"

    def __init__(self, password: str, *, startup_timeout: float = 30.0) -> None:
        super().__init__(startup_timeout=startup_timeout)
        self.password = password

    def start(self) -> RedisServer:
        server = binaries.find("redis-server")
        conf = self.make_root() / "redis.conf"
        self.port = net.free_port()
        fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(
                f"bind {self.host}\nport {self.port}\nprotected-mode yes\ndaemonize no\nsave \"\"\n"
                f"appendonly no\ndir {self.root}\nlogfile {self.log_file}\n"
                f"requirepass \"{_escape(self.password)}\"\n"
            )
        self.launch([server, str(conf)], self._pong)
        return self

    def _pong(self) -> bool:
        client = redis.Redis(host=self.host, port=self.port, password=self.password, socket_timeout=1,
                             socket_connect_timeout=1, retry=NO_RETRY)
        try:
            return bool(client.ping())
        finally:
            client.close()


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
