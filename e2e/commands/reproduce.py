"""`airflow-e2e reproduce BUNDLE [--dry-run]`: rerun a failed run's tests locally from its bundle.

Same chart version, node image, RunConfig knobs and test ids; new secrets of the same shape (the bundle has
no secret values). `--dry-run` only prints what would run, offline.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path

from e2e import payload as payload_mod
from e2e.ci import bundle as bundle_mod
from e2e.ci import bundle_schema
from e2e.ci.replay import plan_reproduction
from e2e.config import REPO_ROOT
from e2e.errors import UnusableInput


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("bundle", type=Path, help="the bundle.json a failed run wrote (artifacts/ci/bundle.json)")
    parser.add_argument("--dry-run", action="store_true", help="print the pytest command; write and run nothing")
    parser.add_argument("--gitops-dir", type=Path, default=None,
                        help="the GitOps repository to use (default: the path recorded in the bundle)")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="where the fresh payload and artifacts go (default artifacts/reproduce/<run-id>)")


def run(args: argparse.Namespace) -> int:
    bundle = bundle_mod.load_bundle(args.bundle)  # validated: run_id matches a safe pattern (bundle_schema)
    run_id = str(bundle["run_config"].get("run_id") or "bundle")
    reproduce_root = REPO_ROOT / "artifacts" / "reproduce"
    work_dir = args.work_dir or reproduce_root / run_id
    if args.work_dir is None and not bundle_schema.inside(work_dir, reproduce_root):
        raise UnusableInput(f"{args.bundle}: bundle run_id {run_id!r} leaves {reproduce_root}")
    plan = plan_reproduction(bundle, work_dir, gitops_dir=args.gitops_dir)
    if not args.dry_run and not plan.gitops_dir.is_dir():
        raise UnusableInput(f"{plan.gitops_dir}: the failed run's GitOps repository is not here; pass --gitops-dir")
    for warning in plan.warnings:
        print(f"airflow-e2e reproduce: warning: {warning}", file=sys.stderr)
    print(f"reproducing {len(plan.test_ids)} failing test(s) of run {run_id} "
          f"(chart {bundle['chart_version']}, node image {plan.node_image or 'default'})")
    if args.dry_run:
        print(f"payload: {plan.payload_path} (fresh values, the bundle's shape; written at run time)")
        print(shlex.join(plan.argv))
        return 0
    fresh = bundle_mod.payload_from_shape(bundle["payload_shape"])
    payload_mod.write(fresh, plan.payload_path)  # 0600, never through a link (e2e.private_file)
    print(f"wrote a fresh payload of the same shape to {plan.payload_path} (mode 0600; values not shown)")
    print(shlex.join(plan.argv), flush=True)
    return subprocess.run(plan.argv, cwd=bundle_schema.SUITES_ROOT, check=False).returncode
