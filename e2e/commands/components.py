"""`airflow-e2e components [DIR] [--payload FILE] [--format table|json] [--only CHECKS]`: the component tier.

A thin spelling of `airflow-e2e test DIR --tier components`: the same pytest suite (e2e/suites/components), the
same exit codes (0 passed, 1 a check failed, 2 unusable input, 130 interrupted), JUnit, report.html and masked
diagnostics under --artifacts. What it adds: `--only` (the tests of the named checks or groups) and the checks'
results as one document, `<artifacts>/results.json` (schema airflow-e2e/components/v1), printed with
`--format json` (pytest's progress then goes to stderr, so stdout is the document alone).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from e2e import options as table
from e2e import tiers
from e2e.commands import options
from e2e.components import chain, fernet_stability, upgrade_path
from e2e.components.results import merge, write_json
from e2e.components.suite import CHECKS
from e2e.config import RunConfig
from e2e.errors import UnusableInput

# `--only` selectors: a group (a check name's prefix) and the suite module holding its tests
MODULES = {"migration": "test_migration.py", "user-job": "test_user_job.py", "broker": "test_broker.py",
           "git-sync": "test_gitsync.py", fernet_stability.NAME: "test_fernet_stability.py",
           upgrade_path.NAME: "test_upgrade_path.py", "chain": "test_chain.py", "vault": "test_vault_leg.py"}
ALWAYS = "test_no_leaks.py"  # whatever ran is scanned for payload values


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", nargs="?", default=None, metavar="DIR",
                        help="the GitOps repository (default: the bundled reference repository)")
    options.add(parser, ("payload_file",), payload_file="a Vault payload to use (default: a fresh one); in-cluster "
                "hosts are pointed at the local servers; its values are never printed")
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="table: the suite's progress and verdict (default); json: the results document")
    options.add(parser, ("chart_version", "airflow_version", "upgrade_from"),
                upgrade_from="chart-upgrade from this older chart's Airflow to --chart-version's (e.g. "
                "--upgrade-from 1.21.0; default: the pinned chart to the latest)")
    parser.add_argument("--only", default=None, metavar="CHECKS",
                        help=f"comma-separated checks or groups ({', '.join(sorted(MODULES))}): their tests only")
    table.add_cli_options(parser, ("dags_dir",), aliases={"dags_dir": ("--dags",)})
    options.add(parser, ("artifacts_dir",),
                artifacts_dir="where results.json, JUnit, report.html and masked logs go (default ./artifacts)")
    parser.add_argument("--pytest-arg", action="append", default=[], metavar="ARG",
                        help="an extra pytest argument for the suite (repeatable), e.g. --pytest-arg=-x")
    parser.epilog = "checks: " + ", ".join((*CHECKS, *chain.CHECKS))


def selected_modules(text: str | None) -> list[str]:
    """`--only a,b`: the suite modules of the named checks or groups (plus the leak scan); [] = the whole suite."""
    if text is None:
        return []
    names = [x.strip() for x in text.split(",") if x.strip()]
    unknown = [n for n in names if n.split(".", 1)[0] not in MODULES]
    if not names or unknown:
        what = f"no such check or group: {', '.join(unknown)}" if unknown else "names no check"
        raise UnusableInput(f"--only {text!r}: {what} (choose from {', '.join(sorted(MODULES))})")
    return [*dict.fromkeys(MODULES[n.split(".", 1)[0]] for n in names), ALWAYS]


def results_document(config: RunConfig, seconds: float | None) -> dict:
    """The sessions' results.json files (one per xdist worker, the upgrade's), merged, for this run id."""
    folder = config.artifacts_dir / "components"
    documents = [json.loads(p.read_text(encoding="utf-8"))
                 for p in sorted(folder.glob(f"{config.run_id}*/results*.json"))]
    document = merge(documents, (*CHECKS, *chain.CHECKS))
    document.update({"gitops_dir": str(config.gitops_dir), "artifacts": str(config.artifacts_dir),
                     **({"upgrade_from": config.upgrade_from} if config.upgrade_from else {}),
                     **({"seconds": seconds} if seconds is not None else {})})
    return document


def run(args: argparse.Namespace) -> int:
    select = selected_modules(args.only)
    given = table.cli_values(args)
    if args.directory is not None:
        given["gitops_dir"] = args.directory
    config = RunConfig.resolve(given, spellings={"gitops_dir": "DIR"})
    as_json = args.format == "json"
    say = (lambda line: print(line, file=sys.stderr)) if as_json else print
    sys.stdout.flush()
    code = tiers.run_tier(config, "components", say=say, extra=args.pytest_arg, select=select,
                          stdout=sys.stderr if as_json else None)
    summary = config.artifacts_dir / "summary.json"
    phases = json.loads(summary.read_text())["phases"] if summary.is_file() else []
    document = results_document(config, phases[0]["seconds"] if phases else None)
    write_json(Path(config.artifacts_dir) / "results.json", document)
    if as_json:
        print(json.dumps(document, indent=2))
    else:
        print(f"Airflow {document.get('airflow_version')} ({document.get('airflow_version_source')})")
        for note in document["notes"]:
            print(f"note: {note}")
        counts = document["summary"]
        print(f"checks: {counts['pass']} passed, {counts['fail']} failed, {counts['error']} errors; "
              f"results: {config.artifacts_dir / 'results.json'}")
    sys.stdout.flush()
    return code
