"""`airflow-e2e plan`: every manifest and command the cluster tier would run, offline and masked.

Why: these machines (and reviewers) have no cluster; the plan shows exactly what a run applies, in which
order and which steps run in parallel, with a fresh in-memory payload whose values never reach the files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from e2e.cluster import plan as plan_mod
from e2e.commands import options
from e2e.errors import UnusableInput


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", required=True, type=Path, help="directory to write the plan into")
    options.add_repository_options(parser)
    options.add(parser, ("cluster",), cluster="plan for a new kind cluster (default) or an existing kubeconfig cluster")
    options.add_image_options(parser)


def run(args: argparse.Namespace) -> int:
    config = options.run_config(args)
    try:
        plan, material, _repo = plan_mod.prepare(config)
    except ValueError as exc:
        raise UnusableInput(str(exc).splitlines()[0]) from None
    written = plan_mod.write(plan, args.output, material.masker())
    steps = len(plan.steps())
    print(f"plan {config.run_id}: {len(written)} files, {len(plan.phases)} phases, {steps} steps -> {args.output}")
    return 0
