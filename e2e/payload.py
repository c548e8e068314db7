"""Generate the Vault payload (the one YAML document at secret/airflow/config, field `config`).

Why: a fresh, valid payload makes every run self-contained and nothing real ever enters Git. Values are
random per call; the shape is the seed's. The file is written 0600 and its content is never printed.
"""

from __future__ import annotations

import secrets
import urllib.parse
from pathlib import Path
from typing import Any

import yaml
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from e2e.private_file import write_private

DEFAULT_DB_HOST = "postgresql.airflow-db.svc.cluster.local"
DEFAULT_REDIS_HOST = "airflow-redis"
SSH_SECRET = "airflow-ssh-secret"


def password(nbytes: int = 24) -> str:
    return secrets.token_urlsafe(nbytes)


def ssh_keypair() -> tuple[str, str]:
    """A new ed25519 key pair: (OpenSSH private key with its trailing newline, public key line)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return (private if private.endswith("\n") else private + "\n"), public.decode()


def broker_url(redis_password: str, host: str = DEFAULT_REDIS_HOST, port: int = 6379, db: int = 0) -> str:
    return f"redis://:{urllib.parse.quote(redis_password, safe='')}@{host}:{port}/{db}"


def metadata_connection(db_password: str, host: str = DEFAULT_DB_HOST, port: int = 5432,
                        user: str = "airflow", database: str = "airflow") -> str:
    quoted = urllib.parse.quote(db_password, safe="")
    return f"postgresql://{user}:{quoted}@{host}:{port}/{database}?sslmode=disable"


def generate(*, db_host: str = DEFAULT_DB_HOST, db_port: int = 5432, redis_host: str = DEFAULT_REDIS_HOST,
             redis_port: int = 6379, db_password: str | None = None) -> dict[str, Any]:
    """A complete payload. Hosts and ports are parameters so the component tier can point at loopback."""
    redis_password = password()
    private_key, _public = ssh_keypair()
    return {
        "createUserJob": {
            "defaultUser": {
                "username": "admin",
                "password": password(18),
                "email": "admin@example.com",
                "firstName": "platform",
                "lastName": "admin",
            }
        },
        "fernetKey": Fernet.generate_key().decode(),
        "apiSecretKey": password(),
        "jwtSecret": password(32),
        "metadataConnection": metadata_connection(db_password or password(), db_host, db_port),
        "brokerUrl": broker_url(redis_password, redis_host, redis_port),
        "redisPassword": redis_password,
        "webserverSecretKey": password(),
        "extraSecrets": {SSH_SECRET: {"data": {"gitSshKey": private_key}}},
    }


def public_key_of(private_openssh: str) -> str:
    """The public key line for a payload's private key (the git server's authorized_keys)."""
    key = serialization.load_ssh_private_key(private_openssh.encode(), password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode()


def dumps(payload: dict[str, Any]) -> str:
    """The YAML text stored in Vault. Block style keeps the private key's newlines exact."""
    return yaml.safe_dump(payload, sort_keys=False, default_flow_style=False, width=1_000_000)


def write(payload: dict[str, Any], out: Path) -> None:
    """Write 0600 from the first byte (never world-readable, not even briefly)."""
    write_private(out, dumps(payload))


def secret_values(payload: Any) -> list[str]:
    """Every leaf string of a payload: what masking must hide everywhere."""
    found: list[str] = []
    if isinstance(payload, dict):
        for value in payload.values():
            found += secret_values(value)
    elif isinstance(payload, list):
        for value in payload:
            found += secret_values(value)
    elif isinstance(payload, str) and payload:
        found.append(payload)
    return found
