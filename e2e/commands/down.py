"""`airflow-e2e down`: remove what `up` created: the kind cluster it created, or only this run's labelled
objects (and its CoreDNS lines) on a reused or existing cluster. Exit 0 done, 2 no such run / no tools."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--run-id", default=None, help="default: the last run started by `up`")


def run(args: argparse.Namespace) -> int:
    from e2e.cluster import providers, tools
    from e2e.cluster.session import SavedRun
    from e2e.errors import UnusableInput

    saved = SavedRun(args.run_id)
    try:
        if saved.config.cluster == "kind" and saved.created_cluster:
            providers.KindProvider(saved.config, saved.workdir, saved.masker).delete()
        else:
            providers.delete_run_objects(saved.kube(), saved.config)
    except tools.ToolError as exc:
        raise UnusableInput(str(exc)) from None
    print(f"down: run {saved.config.run_id} removed")
    return 0
