"""Fill a Snapshot from a running stack: the only I/O the scenario predicates depend on.

Why here, apart from the predicates: everything read goes through the RunningStack's Kube (kubectl -o json),
and log lines are masked before they are kept, so nothing downstream can leak a value.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from e2e.observe import snapshot
from e2e.observe.snapshot import Snapshot, container_statuses, name_of
from e2e.scenarios.model import Memory, Scenario
from e2e.scenarios.symptoms import component_of
from e2e.stack.operator import Operator

if TYPE_CHECKING:
    from e2e.contract import RunningStack

LOG_TAIL = 200


def observe(stack: RunningStack, scenario: Scenario, memory: Memory, *, users: bool = False) -> Snapshot:
    """One look through the shared `snapshot.take` (only the repository's ExternalSecret targets among the
    Secrets), with the named containers' masked logs, the probes' output and the Airflow users when asked."""
    targets = {es.target_name for es in stack.repo.external_secrets}
    snap = snapshot.take(stack.kube, stack.config, secrets=targets, users=airflow_users(stack) if users else None)
    return snap.replaced(logs={**_logs(stack, snap.pods, scenario.log_sources), **memory.probe_logs})


def _logs(stack: RunningStack, pods: list[dict[str, Any]],
          sources: tuple[tuple[str, str], ...]) -> dict[str, list[str]]:
    """Current and previous logs of the named containers; a container that never started has none."""
    out: dict[str, list[str]] = {}
    for pod in pods:
        for _kind, cs in container_statuses(pod):
            if (component_of(pod), cs.get("name")) not in sources:
                continue
            source = f"{name_of(pod)}/{cs.get('name')}"
            for previous in ((True,) if cs.get("restartCount") else ()) + (False,):
                try:
                    text = stack.kube.kubectl("-n", stack.config.airflow_namespace, "logs", name_of(pod), "-c",
                                              str(cs.get("name")), f"--tail={LOG_TAIL}",
                                              *(["--previous"] if previous else []))
                except Exception:  # not started yet / no previous instance: nothing to read
                    continue
                out.setdefault(source, []).extend(stack.masker.mask(text).splitlines())
    return out


def airflow_users(stack: RunningStack) -> tuple[str, ...] | None:
    """Usernames from `airflow users list -o json` in the scheduler (`<release>-scheduler` of the stack's
    repository); None when the command cannot run."""
    try:
        text = Operator(stack).airflow("users", "list", "--output", "json")
    except Exception:  # the scheduler may be restarting; the invariant says what it means
        return None
    return parse_users(text)


def parse_users(text: str) -> tuple[str, ...] | None:
    """Usernames from the CLI's JSON list (warnings may precede it); only names are kept."""
    start = text.find("[")
    if start < 0:
        return None
    try:
        rows = json.loads(text[start:])
    except json.JSONDecodeError:
        return None
    return tuple(str(r.get("username")) for r in rows if isinstance(r, dict) and r.get("username"))
