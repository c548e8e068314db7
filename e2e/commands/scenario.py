"""`airflow-e2e scenario NAME [--dry-run] [--format text|json]` and `airflow-e2e scenario --list`.

Reproduce one reported failure (FAILURES.md) on a cluster and watch it recover; `--dry-run` prints, offline,
what the scenario will change (with the exact diff of its commits against --gitops-dir) and what it will wait
for. A live run needs a cluster: it runs the scenario's `recovery` test (tests/cluster/test_scenarios.py) with
the cluster options given here, so the CLI and pytest share one implementation.
Exit codes: 0 recovered (or plan/list printed), 1 the scenario failed or could not run, 2 unusable input
(unknown scenario, no cluster, an edit that does not apply to the repository): one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from e2e import versions
from e2e.config import DEFAULT_GITOPS_DIR, REPO_ROOT, RunConfig
from e2e.errors import UnusableInput
from e2e.gitops import load_repository
from e2e.scenarios import registry
from e2e.scenarios.plan import build_plan, format_plan

SCENARIO_TESTS = REPO_ROOT / "tests" / "cluster" / "test_scenarios.py"
TEST_NAME = "test_scenario_recovers"
UPGRADE_TO_ENV = "AIRFLOW_E2E_UPGRADE_TO"  # the chart-upgrade scenario's target in a live run


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", metavar="NAME", help="the scenario (see --list)")
    parser.add_argument("--list", action="store_true", help="list every scenario with its FAILURES.md entry")
    parser.add_argument("--dry-run", action="store_true",
                        help="print what the scenario will change and wait for; needs no cluster")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    parser.add_argument("--gitops-dir", type=Path, default=DEFAULT_GITOPS_DIR,
                        help="the GitOps repository the scenario edits (default: the bundled reference)")
    parser.add_argument("--chart-version", default=versions.LATEST_CHART,
                        help="for chart-upgrade: the chart version to upgrade to, in the plan and the live run "
                             "(default %(default)s)")
    parser.add_argument("--timeout-multiplier", type=float, default=1.0, help="scale every wait (slow machines)")
    parser.add_argument("--cluster", choices=("kind", "existing"), default="existing",
                        help="where to run (default existing: the stack `airflow-e2e up` brought up)")
    parser.add_argument("--kubeconfig", type=Path, default=Path(os.environ["KUBECONFIG"]) if os.environ.get(
        "KUBECONFIG") else None, help="kubeconfig of the cluster (with --cluster existing; default $KUBECONFIG)")
    parser.add_argument("--context", help="kubeconfig context")
    parser.add_argument("--keep-cluster", choices=("always", "on-failure", "never"), default="on-failure",
                        help="what to keep after the run, as for `up` (default on-failure)")


def run(args: argparse.Namespace) -> int:
    if args.list:
        return _list(args.format)
    if not args.name:
        raise UnusableInput("name a scenario, or pass --list to see them")
    if args.timeout_multiplier <= 0:
        raise UnusableInput("--timeout-multiplier must be positive")
    if not args.gitops_dir.is_dir():
        raise UnusableInput(f"{args.gitops_dir}: not a directory")
    repo = load_repository(args.gitops_dir)
    config = RunConfig.from_env(gitops_dir=args.gitops_dir, timeout_multiplier=args.timeout_multiplier,
                                cluster=args.cluster, kubeconfig=args.kubeconfig, context=args.context,
                                keep_cluster=args.keep_cluster)
    scenario = registry.get(args.name, repo, upgrade_to=args.chart_version, config=config)
    if args.dry_run:
        plan = build_plan(scenario, config)
        print(json.dumps(plan, indent=2) if args.format == "json" else format_plan(plan))
        return 0
    return _run_live(args, config)


def _list(fmt: str) -> int:
    rows = [{"name": s.name, "entry": s.entry, "title": s.title, "reproduces": s.reproduces,
             "caught_earlier_by": list(s.counterparts)} for s in registry.REGISTRY.values()]
    if fmt == "json":
        print(json.dumps({"scenarios": rows}, indent=2))
        return 0
    width = max(len(r["name"]) for r in rows)
    print(f"{'SCENARIO':<{width}}  ENTRY  TITLE")
    for r in rows:
        print(f"{r['name']:<{width}}  {r['entry']:>5}  {r['title']}")
    print(f"\n{len(rows)} scenarios; `airflow-e2e scenario NAME --dry-run` shows what one will do.")
    return 0


def _run_live(args: argparse.Namespace, config: RunConfig) -> int:
    from e2e.cluster.fixtures import unavailable_reason

    reason = unavailable_reason(config)
    if reason:
        raise UnusableInput(f"no cluster to run {args.name} on ({reason}); `--dry-run` shows the plan without one")
    if not SCENARIO_TESTS.is_file():
        raise UnusableInput(f"{SCENARIO_TESTS} not found: run live scenarios from a checkout of the harness")
    import pytest

    outcomes = _Outcomes()
    argv = [f"{SCENARIO_TESTS}::{TEST_NAME}[{args.name}]", "-p", "no:cacheprovider", "-q",
            "--cluster", args.cluster, "--gitops-dir", str(args.gitops_dir),
            "--timeout-multiplier", str(args.timeout_multiplier),
            "--keep-cluster", args.keep_cluster]
    argv += ["--kubeconfig", str(args.kubeconfig)] if args.kubeconfig else []
    argv += ["--context", args.context] if args.context else []
    os.environ[UPGRADE_TO_ENV] = args.chart_version
    code = pytest.main(argv, plugins=[outcomes])
    if outcomes.skipped:
        print(f"airflow-e2e scenario: {args.name} did not run: {outcomes.skipped[0]}", file=sys.stderr)
        return 1
    return 0 if code == 0 and outcomes.passed else 1


class _Outcomes:
    """Collects the scenario test's outcome: a skip is never reported as a pass."""

    def __init__(self) -> None:
        self.passed = False
        self.skipped: list[str] = []

    def pytest_runtest_logreport(self, report) -> None:
        if report.when == "call" and report.passed:
            self.passed = True
        if report.skipped:
            longrepr = report.longrepr
            self.skipped.append(str(longrepr[2] if isinstance(longrepr, tuple) else longrepr))
