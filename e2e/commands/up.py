"""`airflow-e2e up`: bring the whole stack up for local reproduction, and leave it running.

Exit codes: 0 up and both Applications Synced/Healthy; 1 bring-up failed (diagnostics in artifacts/<run-id>/);
2 unusable input or no Docker engine / tools (one sentence); 130 interrupted (torn down unless --keep-cluster
always).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from e2e import versions
from e2e.commands import options
from e2e.config import RunConfig
from e2e.errors import UnusableInput


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cluster", choices=["kind", "existing"], default="kind",
                        help="create a kind cluster (default) or use an existing one from --kubeconfig")
    parser.add_argument("--kubeconfig", type=Path, default=None, help="kubeconfig of the existing cluster")
    parser.add_argument("--context", default=None, help="kubeconfig context (default: current)")
    options.add_repository_options(parser)
    parser.add_argument("--payload", type=Path, default=None,
                        help="Vault payload to seed (default: a fresh one); its values are never printed")
    options.add_image_options(parser)
    parser.add_argument("--keep-cluster", choices=["always", "on-failure", "never"], default="on-failure",
                        help="what to keep when bring-up fails (a successful `up` always keeps the stack)")
    parser.add_argument("--timeout-multiplier", type=float, default=None, metavar="X",
                        help="scale every wait (default 1.0, or env AIRFLOW_E2E_TIMEOUT_MULTIPLIER)")
    parser.add_argument("--artifacts", type=Path, default=None, metavar="DIR",
                        help="where masked diagnostics go on failure (default: artifacts/)")


def config_from_args(args: argparse.Namespace) -> RunConfig:
    return RunConfig.from_env(
        cluster=args.cluster, kubeconfig=args.kubeconfig, context=args.context, gitops_dir=args.gitops_dir,
        dags_dir=args.dags_dir, chart_version=args.chart_version, payload_file=args.payload,
        node_image=versions.node_image(args.kubernetes) if args.kubernetes else None,
        registry_mirror=args.registry_mirror, keep_cluster=args.keep_cluster,
        timeout_multiplier=args.timeout_multiplier, artifacts_dir=args.artifacts)


def run(args: argparse.Namespace) -> int:
    from e2e.cluster.fixtures import unavailable_reason

    config = config_from_args(args)
    reason = unavailable_reason(config)
    if reason:
        raise UnusableInput(reason)
    from e2e.cluster.session import Session

    session = Session(config)
    try:
        session.start_cluster()
        session.bring_up()
    except KeyboardInterrupt:
        raise
    except Exception as exc:
        out = config.artifacts_dir / config.run_id / "bring-up"
        try:
            session.collect(out)
        except Exception as collect_exc:  # diagnostics are best effort; the bring-up error is what matters
            session.progress.say(f"diagnostics incomplete: {type(collect_exc).__name__}")
        session.progress.say(f"bring-up failed: {exc}")
        session.finish(failed=True)
        return 1
    session.progress.say(f"up: run {config.run_id}; `airflow-e2e status` to look, `airflow-e2e down` to remove")
    return 0
