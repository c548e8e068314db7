"""`airflow-e2e scenario NAME [--dry-run] [--format text|json]` and `airflow-e2e scenario --list`.

Reproduce one reported failure (FAILURES.md) on a cluster and watch it recover; `--dry-run` prints, offline,
what the scenario will change (with the exact diff of its commits against --gitops-dir) and what it will wait
for. A live run is a thin spelling of `airflow-e2e test --tier cluster` with the scenario's `recovery` test
(e2e/suites/cluster/test_scenarios.py) selected: the same pytest suite, JUnit, report and diagnostics under
--artifacts, and exit codes: 0 recovered (or plan/list printed), 1 the scenario failed or could not run (a skip
is never a pass), 2 unusable input (unknown scenario, no cluster, an edit that does not apply to the
repository): one line on stderr; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json

from e2e import versions
from e2e.commands import options
from e2e.config import RunConfig
from e2e.errors import UnusableInput
from e2e.gitops import load_repository
from e2e.install import usable
from e2e.scenarios import registry
from e2e.scenarios.plan import build_plan, format_plan

TEST_NAME = "test_scenario_recovers"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", metavar="NAME", help="the scenario (see --list)")
    parser.add_argument("--list", action="store_true", help="list every scenario with its FAILURES.md entry")
    parser.add_argument("--dry-run", action="store_true",
                        help="print what the scenario will change and wait for; needs no cluster")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    options.add(parser, ("gitops_dir", "upgrade_to", "timeout_multiplier", "cluster", "kubeconfig", "context",
                         "keep_cluster", "artifacts_dir"),
                gitops_dir="the GitOps repository the scenario edits (default: the bundled reference)",
                upgrade_to="for chart-upgrade: the chart version to upgrade to, in the plan and the live run "
                           f"(default {versions.LATEST_CHART}; --chart-version is the older spelling)",
                cluster="where to run (default existing: the stack `airflow-e2e up` brought up)")
    parser.add_argument("--chart-version", dest="upgrade_to", default=None, metavar="VERSION",
                        help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    if args.list:
        return _list(args.format)
    if not args.name:
        raise UnusableInput("name a scenario, or pass --list to see them")
    config = options.run_config(args, cluster=None if args.cluster else "existing")
    repo = usable(load_repository(config.gitops_dir))
    scenario = registry.get(args.name, repo, upgrade_to=config.upgrade_to or versions.LATEST_CHART, config=config)
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
    """`airflow-e2e test --tier cluster` with the scenario's recovery test selected: same exit codes, artifacts."""
    from e2e import tiers
    from e2e.cluster.fixtures import unavailable_reason

    reason = unavailable_reason(config)
    if reason:
        raise UnusableInput(f"no cluster to run {args.name} on ({reason}); `--dry-run` shows the plan without one")
    return tiers.run_tier(config, "cluster", select=[selection(args.name)])


def selection(name: str) -> str:
    """The scenario's test inside the cluster suite (e2e/suites/cluster/test_scenarios.py)."""
    from e2e.suites import CLUSTER, SCENARIO_TESTS

    return f"{SCENARIO_TESTS.relative_to(CLUSTER)}::{TEST_NAME}[{name}]"
