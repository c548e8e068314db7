"""The harness's side of Vault: hvac over TLS through a port-forward, verifying the run's CA.

Implements e2e.contract.VaultAdmin. `localhost` is one of the certificate's SANs, so the CA check is
a real hostname check; verification is never turned off.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from e2e.cluster.kube import KubeClient
from e2e.config import RunConfig
from e2e.gitops import esovault
from e2e.gitops.model import Repository
from e2e.install import payload_location
from e2e.stack import vault
from e2e.stack.names import vault_store


class HvacVault:
    def __init__(self, kube: KubeClient, config: RunConfig, repo: Repository, token: str, ca_pem: str,
                 workdir: Path) -> None:
        self.kube, self.config, self.repo, self._token = kube, config, repo, token
        self._ca_file = workdir / "vault-ca.pem"
        self.reload_ca(ca_pem)

    def reload_ca(self, ca_pem: str) -> None:
        """Trust a restarted dev Vault's new CA from now on (its data, auth and CA are lost on restart)."""
        self.ca_pem = ca_pem
        self._ca_file.write_text(ca_pem, encoding="utf-8")

    @contextmanager
    def client(self) -> Iterator[Any]:
        import hvac

        with self.kube.port_forward(self.config.vault_namespace, f"svc/{vault.RELEASE}",
                                    vault.service_port(self.repo)) as port:
            yield hvac.Client(url=f"https://localhost:{port}", token=self._token, verify=str(self._ca_file))

    def write_payload(self, payload: Mapping[str, Any], path: str | None = None) -> None:
        """Where ESO reads remote key `path`; None: where the repository's ExternalSecrets read it."""
        ops = [op for op in vault.seed_plan(self.repo, dict(payload), payload_path=path) if op.op == "payload"]
        with self.client() as c:
            vault.apply_seed(c, ops)

    def read_payload(self, path: str | None = None) -> dict[str, Any]:
        """Where ESO reads remote key `path` (None: the repository's remote key), the property it names."""
        prop = payload_location(self.repo)[1]
        where = esovault.read_location(vault_store(self.repo), path or vault.payload_key(self.repo))
        with self.client() as c:
            data = c.secrets.kv.v2.read_secret_version(path=where.path, mount_point=where.mount,
                                                        raise_on_deleted_version=True)
        return yaml.safe_load(data["data"]["data"][prop])

    def write_policy(self, name: str, text: str) -> None:
        with self.client() as c:
            c.sys.create_or_update_policy(name=name, policy=text)

    def seed(self, repo: Repository, payload: Mapping[str, Any]) -> None:
        with self.client() as c:
            vault.apply_seed(c, vault.seed_plan(repo, dict(payload)))

    def health(self) -> dict[str, Any]:
        with self.client() as c:
            result = c.sys.read_health_status(method="GET")
        return result if isinstance(result, dict) else dict(result.json())
