"""`airflow-e2e components [DIR] [--payload FILE] [--format table|json]`: the component tier.

Real PostgreSQL, Redis, sshd+git and the Airflow CLI on loopback answer: does the createUserJob script in
these values work against this Airflow version, do migrations gate it, does the broker URL authenticate, and
does git-sync's host-key check accept the right server and refuse every other, does another Fernet key fail
to read what the Job's key stored, and (with --upgrade-from) does the database survive the chart upgrade?
Exit 0: every check passed; 1: a check failed or errored; 2: unusable input (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from e2e import options as table
from e2e.commands import options
from e2e.components.results import table as results_table
from e2e.components.run import run_components
from e2e.components.stack import StackOptions
from e2e.components.suite import CHECKS, SELECTORS
from e2e.config import RunConfig
from e2e.errors import UnusableInput

EXIT_PASSED, EXIT_FAILED = 0, 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", nargs="?", default=None, metavar="DIR",
                        help="the GitOps repository (default: the bundled reference repository)")
    options.add(parser, ("payload_file",), payload_file="a Vault payload to use (default: a fresh one); in-cluster "
                "hosts are pointed at the local servers; its values are never printed")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output (default table)")
    options.add(parser, ("chart_version", "airflow_version", "upgrade_from"),
                upgrade_from="also run chart-upgrade: migrate and create the user with this older chart's Airflow, "
                "then upgrade to --chart-version's (e.g. --upgrade-from 1.21.0)")
    parser.add_argument("--only", default=None, metavar="CHECKS",
                        help=f"comma-separated checks or groups ({', '.join(sorted(SELECTORS))})")
    table.add_cli_options(parser, ("dags_dir",), aliases={"dags_dir": ("--dags",)})
    options.add(parser, ("artifacts_dir",),
                artifacts_dir="where results.json and masked logs go (default artifacts/components/<run id>)")
    parser.epilog = "checks: " + ", ".join(CHECKS)


def only_checks(text: str | None) -> list[str] | None:
    """`--only a,b`: the named checks or groups; an empty list names nothing and is refused."""
    if text is None:
        return None
    names = [x.strip() for x in text.split(",") if x.strip()]
    if not names:
        raise UnusableInput(f"--only {text!r}: names no check (choose from {', '.join(sorted(SELECTORS))})")
    return names


def run(args: argparse.Namespace) -> int:
    only = only_checks(args.only)
    given = table.cli_values(args)
    if args.directory is not None:
        given["gitops_dir"] = args.directory
    config = RunConfig.resolve(given, spellings={"gitops_dir": "DIR"})
    artifacts = config.artifacts_dir if args.artifacts else Path("artifacts") / "components" / config.run_id
    stack_options = StackOptions(gitops_dir=config.gitops_dir, dags_dir=config.dags_dir,
                                 payload_file=config.payload_file, chart_version=config.chart_version,
                                 airflow_version=config.airflow_version, artifacts=artifacts)
    outcome = run_components(stack_options, only, upgrade_from=config.upgrade_from)
    if args.format == "json":
        print(json.dumps(outcome.document, indent=2))
    else:
        doc = outcome.document
        print(f"Airflow {doc['airflow_version']} ({doc['airflow_version_source']})")
        for note in doc["notes"]:
            print(f"note: {note}")
        print(results_table(outcome.results))
        counts = doc["summary"]
        print(f"{counts['pass']} passed, {counts['fail']} failed, {counts['error']} errors in {doc['seconds']} s; "
              f"results and masked logs: {outcome.artifacts}")
    sys.stdout.flush()
    return EXIT_PASSED if all(r.outcome == "pass" for r in outcome.results) else EXIT_FAILED
