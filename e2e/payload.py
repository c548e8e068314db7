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

from e2e.gitops.model import Repository, get_path
from e2e.install import find_install
from e2e.private_file import write_private

DEFAULT_DB_HOST = "postgresql.airflow-db.svc.cluster.local"
DEFAULT_REDIS_HOST = "airflow-redis"
SSH_SECRET = "airflow-ssh-secret"


def password(nbytes: int = 24) -> str:
    """Random and URL-safe, never starting with '-': the create-user Job passes it as `--password "$P"`, and
    Airflow's CLI (argparse) would read a leading '-' as an option (seen in the component tier)."""
    while True:
        candidate = secrets.token_urlsafe(nbytes)
        if candidate[0].isalnum():
            return candidate


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
             redis_port: int = 6379, db_password: str | None = None, ssh_secret: str = SSH_SECRET) -> dict[str, Any]:
    """A complete payload. Hosts and ports are parameters so the component tier can point at loopback;
    `ssh_secret` names the `extraSecrets` entry the repository's templates read (see shape_for)."""
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
        "extraSecrets": {ssh_secret: {"data": {"gitSshKey": private_key}}},
    }


def shape_for(repo: Repository) -> dict[str, str]:
    """The `generate` options a repository's own names call for: the `extraSecrets` entry that holds the
    SSH key (its payload example's, else the values' `dags.gitSync.sshKeySecret`) and the chart's Redis
    Service, `<release>-redis`. Why: a team's repository names these itself (release `af`, `dp-git-ssh`)."""
    shape: dict[str, str] = {}
    extra = get_path(repo.payload_example, "extraSecrets")
    for name, entry in (extra if isinstance(extra, dict) else {}).items():
        if isinstance(entry, dict) and get_path(entry, "data.gitSshKey") is not None:
            shape["ssh_secret"] = str(name)
            break
    inst = find_install(repo)
    if inst is not None:
        if "ssh_secret" not in shape and inst.git_sync.ssh_key_secret:
            shape["ssh_secret"] = inst.git_sync.ssh_key_secret
        shape["redis_host"] = inst.redis_host
    return shape


def git_ssh_key(payload: dict[str, Any]) -> str:
    """The git-sync private key, wherever the payload's `extraSecrets` keeps it (the entry is named after the
    repository's SSH Secret, so it is looked up by shape, not by name)."""
    for entry in (payload.get("extraSecrets") or {}).values():
        key = get_path(entry, "data.gitSshKey")
        if isinstance(key, str):
            return key
    return ""


def load_private_key(text: str) -> Any:
    """A private key in any format OpenSSH reads: `openssh-key-v1` (BEGIN OPENSSH PRIVATE KEY) or PEM through
    libcrypto (BEGIN RSA / EC / DSA PRIVATE KEY, PKCS#8 BEGIN PRIVATE KEY). TypeError when it is encrypted
    (git-sync cannot enter a passphrase), ValueError/UnsupportedAlgorithm when ssh could not read it either."""
    data = text.encode()
    if b"-----BEGIN OPENSSH PRIVATE KEY-----" in data:
        return serialization.load_ssh_private_key(data, password=None)
    return serialization.load_pem_private_key(data, password=None)


def public_key_of(private_key: str) -> str:
    """The public key line for a payload's private key (the git server's authorized_keys)."""
    key = load_private_key(private_key)
    return key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode()


def dumps(payload: dict[str, Any]) -> str:
    """The YAML text stored in Vault. Every key and string is double-quoted: ESO reads it with Go's YAML
    (sigs.k8s.io/yaml, YAML 1.1), which turns a plain `y`, `0o17` or `12345678` into another value than PyYAML
    does; a double-quoted scalar is a string, escapes included, for both (e2e.gitops.goyaml). Never folded."""
    return yaml.dump(payload, Dumper=_QuotingDumper, sort_keys=False, default_flow_style=False, width=1_000_000)


class _QuotingDumper(yaml.SafeDumper):
    """SafeDumper that writes every string double-quoted (numbers and booleans stay plain)."""


_QuotingDumper.add_representer(
    str, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"'))


def write(payload: dict[str, Any], out: Path, *, replace: bool = True) -> None:
    """Write 0600 from the first byte (never world-readable, not even briefly); never through a symlink.
    replace=False refuses any existing name (FileExistsError), a dangling symlink included."""
    write_private(out, dumps(payload), replace=replace)
