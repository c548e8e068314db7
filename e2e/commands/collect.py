"""`airflow-e2e collect`: masked diagnostics of a running stack (events, describe, logs including init,
previous and git-sync containers, Argo CD operation state, ESO conditions, Vault status) into a folder.
Exit 0 written, 2 no such run / cluster unreachable."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--run-id", default=None, help="default: the last run started by `up`")
    parser.add_argument("--output", type=Path, default=None, help="default: artifacts/<run-id>/collect")


def run(args: argparse.Namespace) -> int:
    from e2e.cluster import diagnostics, tools
    from e2e.cluster.session import SavedRun
    from e2e.errors import UnusableInput

    saved = SavedRun(args.run_id)
    out = args.output or saved.config.artifacts_dir / saved.config.run_id / "collect"
    try:
        written = diagnostics.collect_run(saved.kube(), saved.config, out, saved.masker)
    except tools.ToolError as exc:
        raise UnusableInput(str(exc)) from None
    print(f"collect: {len(written)} files -> {out}")
    return 0
