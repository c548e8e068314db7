"""Where ESO's Vault provider reads a remote key, and where it connects: one derivation for every tier.

Why one place: the seeding writes the payload, preflight checks the policy, the local chain reads it "as ESO
would" and the cluster stack exposes the Service port; if any of them guessed differently, the payload would be
written where ESO never looks. The rules follow ESO's `providers/v1/vault/client_get.go` (`buildPath`):
- the store sets `path` (the mount): a key that already starts with `<path>/` loses that prefix (and on KV v2
  a following `data/`); the read is `<path>[/data]/<rest>`;
- no `path`, KV v2: a key without `/data/` is `<first segment>/data/<rest>`; a key with `/data/` is read as is;
- no `path`, KV v1: the key is read as is.
The connection is the store's `server` URL: its host, and its port (default by scheme) is the port ESO dials.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from e2e.gitops.model import VaultStore

DATA = "data"


@dataclass(frozen=True)
class VaultLocation:
    """A KV read as ESO makes it: `api_path` is the logical path (`secret/data/airflow/config`); `mount` and
    `path` are the same place as a client library names it (hvac `mount_point`, `path`)."""

    mount: str
    path: str
    api_path: str
    version: str


def read_location(store: VaultStore, key: str) -> VaultLocation:
    """The Vault location ESO reads for `remoteRef.key` / `extract.key` through this store."""
    version = store.version or "v2"
    v2 = version == "v2"
    if store.path is not None:
        mount, rest = store.path, key
        if rest.startswith(mount + "/"):
            rest = rest[len(mount) + 1:]
            if v2 and rest.startswith(DATA + "/"):
                rest = rest[len(DATA) + 1:]
        return VaultLocation(mount, rest, "/".join([mount, *([DATA] if v2 else []), rest]), version)
    if v2 and "/data/" not in key:
        first, *rest_parts = key.split("/")
        return VaultLocation(first, "/".join(rest_parts), "/".join([first, DATA, *rest_parts]), version)
    if v2:
        mount, _, rest = key.partition("/data/")
        return VaultLocation(mount, rest, key, version)
    first, _, rest = key.partition("/")
    return VaultLocation(first, rest, key, version)


def server_address(store: VaultStore) -> tuple[str, int]:
    """(host, port) ESO dials for this store: the URL's port, else 443 for https and 80 for http."""
    parsed = urllib.parse.urlsplit(store.server)
    try:
        port = parsed.port
    except ValueError:
        port = None
    return parsed.hostname or "", port or (443 if parsed.scheme == "https" else 80)
