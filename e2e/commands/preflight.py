"""`airflow-e2e preflight DIR [--payload FILE] [--format text|json] [--include/--exclude GLOB] [--repo-url URL]`:
static checks of a GitOps repository.

Exit 0: no errors (warnings and info allowed); 1: errors found; 2: unusable input (one line on stderr).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from e2e.errors import EXIT_FAILED, EXIT_OK
from e2e.masking import Masker
from e2e.preflight.engine import run_preflight
from e2e.preflight.output import to_json, to_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", type=Path, metavar="DIR", help="the GitOps repository to check")
    parser.add_argument("--payload", type=Path, metavar="FILE",
                        help="the real Vault payload (YAML mapping) to check as well; its values are never printed")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    parser.add_argument("--include", action="append", default=[], metavar="GLOB",
                        help="read only paths matching GLOB, relative to DIR (repeatable; a plain path = that "
                             "subtree, `*` crosses /)")
    parser.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                        help="do not read paths matching GLOB (repeatable; applied after --include)")
    parser.add_argument("--repo-url", action="append", default=[], metavar="URL",
                        help="the Git URL of this repository (repeatable); default: `git remote` when DIR is "
                             "the top of a clone. Git sources with another repoURL are reported, not checked")
    parser.add_argument("--chart-schema", type=Path, metavar="FILE|DIR",
                        help="the Airflow chart's values.schema.json (a file, or a folder with <chart version>/"
                             "values.schema.json); default: the user cache, filled once by `helm pull` of the "
                             "pinned chart. Without one, values keys are not checked (one note)")
    parser.add_argument("--offline", action="store_true",
                        help="never run helm to download the chart schema (also: AIRFLOW_E2E_OFFLINE=1)")
    parser.add_argument("--existing-secret", action="append", default=[], metavar="[NAMESPACE/]NAME",
                        help="a Secret made outside Git (by hand, by another pipeline): the values may name it "
                             "without an ExternalSecret (repeatable)")


def run(args: argparse.Namespace) -> int:
    report = run_preflight(args.directory, args.payload, include=args.include, exclude=args.exclude,
                           repo_urls=args.repo_url, existing_secrets=args.existing_secret,
                           chart_schema=args.chart_schema, download=not args.offline)
    masker = Masker(report.secrets)
    print(to_json(report, masker) if args.format == "json" else to_text(report, masker))
    if args.format == "text":
        for note in report.notes:  # on stderr: the text contract is findings lines, then the summary line
            print(f"airflow-e2e preflight: note: {masker.mask(note)}", file=sys.stderr)
    return EXIT_FAILED if report.errors else EXIT_OK
