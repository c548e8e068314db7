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
import os
import sys
from pathlib import Path

from e2e.components.results import table
from e2e.components.run import run_components
from e2e.components.stack import StackOptions
from e2e.components.suite import CHECKS, SELECTORS
from e2e.config import DEFAULT_DAGS_DIR, DEFAULT_GITOPS_DIR, new_run_id

EXIT_PASSED, EXIT_FAILED = 0, 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_GITOPS_DIR, metavar="DIR",
                        help="the GitOps repository (default: the bundled fixtures/gitops)")
    parser.add_argument("--payload", type=Path, metavar="FILE",
                        help="a Vault payload to use (default: a fresh one); in-cluster hosts are pointed at the "
                             "local servers; its values are never printed")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output (default table)")
    parser.add_argument("--chart-version", default=os.environ.get("AIRFLOW_E2E_CHART_VERSION"),
                        help="Airflow chart version (default: the Application's targetRevision)")
    parser.add_argument("--airflow-version", default=os.environ.get("AIRFLOW_E2E_AIRFLOW_VERSION"),
                        help="Airflow version to install (default: what the chart version ships)")
    parser.add_argument("--upgrade-from", default=None, metavar="CHART",
                        help="also run chart-upgrade: migrate and create the user with this older chart's Airflow, "
                             "then upgrade to --chart-version's (e.g. --upgrade-from 1.21.0)")
    parser.add_argument("--only", default=None, metavar="CHECKS",
                        help=f"comma-separated checks or groups ({', '.join(sorted(SELECTORS))})")
    parser.add_argument("--dags", type=Path, default=DEFAULT_DAGS_DIR, metavar="DIR",
                        help="the DAG repository content the git server serves (default fixtures/dags)")
    parser.add_argument("--artifacts", type=Path, default=None, metavar="DIR",
                        help="where results.json and masked logs go (default artifacts/components/<run id>)")
    parser.epilog = "checks: " + ", ".join(CHECKS)


def run(args: argparse.Namespace) -> int:
    artifacts = args.artifacts or Path("artifacts") / "components" / new_run_id()
    options = StackOptions(gitops_dir=args.directory, dags_dir=args.dags, payload_file=args.payload,
                           chart_version=args.chart_version, airflow_version=args.airflow_version,
                           artifacts=artifacts)
    only = [x.strip() for x in args.only.split(",") if x.strip()] if args.only else None
    outcome = run_components(options, only, upgrade_from=args.upgrade_from)
    if args.format == "json":
        print(json.dumps(outcome.document, indent=2))
    else:
        doc = outcome.document
        print(f"Airflow {doc['airflow_version']} ({doc['airflow_version_source']})")
        for note in doc["notes"]:
            print(f"note: {note}")
        print(table(outcome.results))
        counts = doc["summary"]
        print(f"{counts['pass']} passed, {counts['fail']} failed, {counts['error']} errors in {doc['seconds']} s; "
              f"results and masked logs: {outcome.artifacts}")
    sys.stdout.flush()
    return EXIT_PASSED if all(r.outcome == "pass" for r in outcome.results) else EXIT_FAILED
