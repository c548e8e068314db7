"""`airflow-e2e sweep [--dry-run] [--now T]`: delete kept kind clusters and namespaces whose expiry has passed.

Only objects carrying the harness's run-id or created-by label are considered; the selection is
e2e.ci.sweep (pure); this module only asks kind and kubectl and deletes what it selected.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from e2e.ci.sweep import Decision, cluster_decisions, expired, namespace_decisions, parse_now, read_listing
from e2e.cluster import tools
from e2e.cluster.providers import delete_cluster_argv, existing_cluster_names
from e2e.cluster.tools import ToolError
from e2e.config import EXPIRES_LABEL
from e2e.errors import UnusableInput

COMMAND_TIMEOUT = 120.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="list what would be deleted; delete nothing")
    parser.add_argument("--now", default=None, metavar="T",
                        help="pretend it is T (epoch seconds or RFC 3339, e.g. 2026-11-24T06:00:00Z)")
    parser.add_argument("--kubeconfig", type=Path, default=None, help="kubeconfig for the namespace sweep")
    parser.add_argument("--context", default=None, help="kubeconfig context for the namespace sweep (default: current)")
    parser.add_argument("--no-clusters", action="store_true", help="do not look at kind clusters")
    parser.add_argument("--no-namespaces", action="store_true", help="do not look at namespaces")


def _call(argv: list[str]) -> str:
    """The tool's stdout; a failure is ToolError naming the call and the tool's LAST stderr line (its reason)."""
    done = tools.run(argv, timeout=COMMAND_TIMEOUT, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise ToolError(f"{argv[0]} {' '.join(argv[1:3])}: {last}")
    return done.stdout


def _listing(argv: list[str]) -> list[dict[str, Any]]:
    try:
        return read_listing(_call(argv))
    except ValueError as exc:
        raise ToolError(f"{argv[0]} {' '.join(a for a in argv[1:] if a in ('get', 'nodes', 'namespaces'))}"
                        f": {exc}") from None


def list_cluster_nodes() -> dict[str, list[dict[str, Any]]]:
    """Each kind cluster's Node objects, read through the kubeconfig kind gives for it."""
    clusters: dict[str, list[dict[str, Any]]] = {}
    for name in existing_cluster_names(_call(["kind", "get", "clusters"])):
        with tempfile.TemporaryDirectory() as tmp:
            kubeconfig = Path(tmp) / "kubeconfig"
            kubeconfig.write_text(_call(["kind", "get", "kubeconfig", "--name", name]))
            kubeconfig.chmod(0o600)
            try:
                nodes = _listing([*tools.kubectl_base(kubeconfig), "get", "nodes", "-o", "json"])
            except ToolError as exc:
                print(f"airflow-e2e sweep: cluster {name}: cannot read its nodes ({exc}); kept", file=sys.stderr)
                continue
        clusters[name] = nodes
    return clusters


def list_namespaces(base: list[str]) -> list[dict[str, Any]]:
    return _listing([*base, "get", "namespaces", "-l", EXPIRES_LABEL, "-o", "json"])


def _show(decisions: list[Decision], dry_run: bool) -> None:
    for d in decisions:
        verb = ("would delete" if dry_run else "deleting") if d.expired else "keeping"
        run = f" (run {d.run_id})" if d.run_id else ""
        print(f"{verb} {d.kind} {d.name}{run}: {d.reason}")


def run(args: argparse.Namespace) -> int:
    try:
        now = parse_now(args.now) if args.now else time.time()
    except ValueError as exc:
        raise UnusableInput(str(exc)) from None
    if tools.find("kubectl") is None:
        raise UnusableInput("kubectl not found (looked in .bin/ and PATH): nothing can be swept; "
                            "install it with scripts/install-tools.sh")
    problems = 0
    decisions: list[Decision] = []
    if not args.no_clusters:
        if tools.find("kind") is None:
            print("airflow-e2e sweep: kind not found (looked in .bin/ and PATH): kind clusters not swept",
                  file=sys.stderr)
        else:
            try:
                decisions += cluster_decisions(list_cluster_nodes(), now)
            except ToolError as exc:
                print(f"airflow-e2e sweep: cannot list kind clusters: {exc}", file=sys.stderr)
                problems += 1
    base = tools.kubectl_base(args.kubeconfig, args.context)
    if not args.no_namespaces:
        try:
            decisions += namespace_decisions(list_namespaces(base), now)
        except ToolError as exc:
            print(f"airflow-e2e sweep: cannot list namespaces: {exc}", file=sys.stderr)
            problems += 1
    _show(decisions, args.dry_run)
    doomed = expired(decisions)
    if not args.dry_run:
        for d in doomed:
            argv = (delete_cluster_argv(d.name) if d.kind == "cluster"
                    else [*base, "delete", "namespace", d.name, "--wait=false"])
            try:
                _call(argv)
            except ToolError as exc:
                print(f"airflow-e2e sweep: {d.kind} {d.name}: delete failed: {exc}", file=sys.stderr)
                problems += 1
    action = "would delete" if args.dry_run else "deleted"
    print(f"{action} {len(doomed)} of {len(decisions)} kept object(s)"
          + (f"; {problems} problem(s)" if problems else ""))
    return 1 if problems else 0
