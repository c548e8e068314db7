"""`airflow-e2e payload --out FILE`: a fresh, valid Vault payload for the reference repository."""

from __future__ import annotations

import argparse
from pathlib import Path

from e2e import payload
from e2e.errors import UnusableInput


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path, help="file to write (mode 0600)")
    parser.add_argument("--db-host", default=payload.DEFAULT_DB_HOST, help="metadata database host")
    parser.add_argument("--db-port", type=int, default=5432)
    parser.add_argument("--redis-host", default=payload.DEFAULT_REDIS_HOST, help="Redis host in the broker URL")
    parser.add_argument("--redis-port", type=int, default=6379)
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")


def run(args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.exists() and not args.force:
        raise UnusableInput(f"{out}: already exists; pass --force to replace it (the old payload would be lost)")
    if out.is_dir():
        raise UnusableInput(f"{out}: is a directory")
    data = payload.generate(db_host=args.db_host, db_port=args.db_port,
                            redis_host=args.redis_host, redis_port=args.redis_port)
    try:
        payload.write(data, out)
    except OSError as exc:
        raise UnusableInput(f"{out}: cannot write: {exc.strerror or exc}") from None
    print(f"wrote a fresh payload to {out} (mode 0600; values not shown)")
    print(f"store it with: vault kv put secret/airflow/config config=@{out}")
    return 0
