"""`airflow-e2e up`: bring the whole stack up for local reproduction, and leave it running.

Exit codes: 0 up and both Applications Synced/Healthy; 1 bring-up failed (diagnostics in artifacts/<run-id>/);
2 unusable input or no Docker engine / tools (one sentence); 130 interrupted (torn down unless --keep-cluster
always).
"""

from __future__ import annotations

import argparse

from e2e import options as table
from e2e.commands import options
from e2e.errors import UnusableInput


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.add(parser, ("cluster", "kubeconfig", "context", *table.REPOSITORY, "payload_file", *table.IMAGES,
                         "keep_cluster", "timeout_multiplier", "artifacts_dir"),
                keep_cluster="what to keep when bring-up fails (a successful `up` always keeps the stack)",
                artifacts_dir="where masked diagnostics go on failure (default ./artifacts)")


def run(args: argparse.Namespace) -> int:
    from e2e.cluster.fixtures import unavailable_reason

    config = options.run_config(args)
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
