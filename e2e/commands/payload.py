"""`airflow-e2e payload --out FILE [--gitops-dir DIR]`: a fresh, valid Vault payload, shaped for the reference
repository or for the one given (its SSH Secret entry, its chart release's Redis host, its Vault location)."""

from __future__ import annotations

import argparse
from pathlib import Path

from e2e import payload
from e2e.errors import UnusableInput
from e2e.gitops.loader import load_repository
from e2e.install import (
    DEFAULT_KV_MOUNT,
    DEFAULT_PAYLOAD_KEY,
    DEFAULT_PAYLOAD_PROPERTY,
    payload_kv,
    payload_location,
    usable,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path, help="file to write (mode 0600)")
    parser.add_argument("--db-host", default=payload.DEFAULT_DB_HOST,
                        help="metadata database host (default %(default)s)")
    parser.add_argument("--db-port", type=int, default=5432, help="metadata database port (default 5432)")
    parser.add_argument("--redis-host", default=payload.DEFAULT_REDIS_HOST,
                        help="Redis host in the broker URL (default: --gitops-dir's <release>-redis, else %(default)s)")
    parser.add_argument("--redis-port", type=int, default=6379, help="Redis port in the broker URL (default 6379)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    parser.add_argument("--gitops-dir", type=Path, default=None,
                        help="shape the payload for this GitOps repository (default: the reference's names)")


def run(args: argparse.Namespace) -> int:
    out: Path = args.out
    exists = f"{out}: already exists; pass --force to replace it (the old payload would be lost)"
    if out.is_dir() and not out.is_symlink():
        raise UnusableInput(f"{out}: is a directory")
    if (out.exists() or out.is_symlink()) and not args.force:
        raise UnusableInput(exists)
    (key, prop), mount = (DEFAULT_PAYLOAD_KEY, DEFAULT_PAYLOAD_PROPERTY), DEFAULT_KV_MOUNT
    shape: dict[str, str] = {}
    if args.gitops_dir is not None:
        repo = usable(load_repository(args.gitops_dir))
        shape = payload.shape_for(repo)
        prop = payload_location(repo)[1]
        mount, key = payload_kv(repo)
    redis_host = shape.get("redis_host", args.redis_host) if args.redis_host == payload.DEFAULT_REDIS_HOST \
        else args.redis_host
    data = payload.generate(db_host=args.db_host, db_port=args.db_port, redis_host=redis_host,
                            redis_port=args.redis_port, ssh_secret=shape.get("ssh_secret", payload.SSH_SECRET))
    try:
        payload.write(data, out, replace=args.force)
    except FileExistsError:
        raise UnusableInput(exists) from None
    except OSError as exc:
        raise UnusableInput(f"{out}: cannot write: {exc.strerror or exc}") from None
    print(f"wrote a fresh payload to {out} (mode 0600; values not shown)")
    print(f"store it with: vault kv put -mount={mount} {key} {prop}=@{out}")
    return 0
