"""`airflow-e2e test [DIR] --tier preflight|components|cluster|all`: the harness's suites on a repository.

DIR defaults to the bundled reference repository. Each phase prints its progress and its verdict; JUnit, the
HTML report, summary.json and masked diagnostics go under --artifacts (default ./artifacts).
Exit 0: every phase passed; 1: a check failed (or a test was skipped: a skip is never a pass); 2: unusable
input, or a tier that cannot run on this machine (one sentence); 130: interrupted (Ctrl-C stops at once, a
second Ctrl-C ends everything now; summary.json says what was decided).
"""

from __future__ import annotations

import argparse

from e2e import options as table
from e2e import tiers
from e2e.commands import options
from e2e.config import RunConfig

RUN_OPTIONS = ("payload_file", "chart_version", "upgrade_from", "airflow_version", "dags_dir", *table.CLUSTER,
               "node_image", "registry_mirror", "timeout_multiplier", "artifacts_dir")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", nargs="?", default=None, metavar="DIR",
                        help="the GitOps repository (default: the bundled reference repository)")
    parser.add_argument("--tier", choices=tuple(tiers.TIERS), default="all",
                        help="what to run: preflight (static), components (real servers on loopback), cluster "
                             "(kind or --cluster existing), all (the three in order; default)")
    options.add(parser, RUN_OPTIONS)
    parser.add_argument("--pytest-arg", action="append", default=[], metavar="ARG",
                        help="an extra pytest argument for the suites (repeatable), e.g. --pytest-arg=-x")


def run(args: argparse.Namespace) -> int:
    given = table.cli_values(args, RUN_OPTIONS)
    if args.directory is not None:
        given["gitops_dir"] = args.directory
    config = RunConfig.resolve(given, spellings={"gitops_dir": "DIR"})
    if args.tier in ("cluster", "all") and config.cluster == "kind":
        config = config.with_(require_cluster=True)  # a cluster tier asked for must never skip to green
    return tiers.run_tier(config, args.tier, extra=args.pytest_arg)
