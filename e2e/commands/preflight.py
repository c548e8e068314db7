"""`airflow-e2e preflight DIR [--payload FILE] [--format text|json]`: static checks of a GitOps repository.

Exit 0: no errors (warnings and info allowed); 1: errors found; 2: unusable input (one line on stderr).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from e2e.masking import Masker
from e2e.preflight.engine import run_preflight
from e2e.preflight.output import to_json, to_text

EXIT_CLEAN, EXIT_ERRORS = 0, 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", type=Path, metavar="DIR", help="the GitOps repository to check")
    parser.add_argument("--payload", type=Path, metavar="FILE",
                        help="the real Vault payload (YAML mapping) to check as well; its values are never printed")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")


def run(args: argparse.Namespace) -> int:
    report = run_preflight(args.directory, args.payload)
    masker = Masker(report.secrets)
    print(to_json(report, masker) if args.format == "json" else to_text(report, masker))
    return EXIT_ERRORS if report.errors else EXIT_CLEAN
