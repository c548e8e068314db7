"""Fill an `Observed` from a running stack: the only I/O the scenario predicates depend on.

Why here, apart from the predicates: everything read goes through the RunningStack's Kube (kubectl -o json),
Secret values are digested the moment they are read (SecretSeen), and log lines are masked before they are
kept, so nothing downstream can leak a value.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from e2e.scenarios.layout import Layout
from e2e.scenarios.model import Memory, Scenario
from e2e.scenarios.observed import Observed, SecretSeen, container_statuses, name_of
from e2e.scenarios.steps import scheduler_of

if TYPE_CHECKING:
    from e2e.contract import RunningStack

RESOURCES = {  # what kubectl calls each kind the scenarios read
    "pods": "pods", "jobs": "jobs.batch", "external_secrets": "externalsecrets.external-secrets.io",
    "stores": "clustersecretstores.external-secrets.io", "applications": "applications.argoproj.io",
    "events": "events", "secrets": "secrets",
}
LOG_TAIL = 200


def observe(stack: RunningStack, scenario: Scenario, memory: Memory, *, users: bool = False) -> Observed:
    cfg, kube = stack.config, stack.kube
    ns = cfg.airflow_namespace
    pods = kube.list(RESOURCES["pods"], ns)
    targets = {es.target_name for es in stack.repo.external_secrets}
    secrets = {s.name: s for s in (SecretSeen.from_api(o) for o in kube.list(RESOURCES["secrets"], ns))
               if s.name in targets}
    logs = _logs(stack, pods, scenario.log_sources)
    logs.update(memory.probe_logs)
    return Observed(
        at=time.time(), pods=pods, jobs=kube.list(RESOURCES["jobs"], ns),
        external_secrets=kube.list(RESOURCES["external_secrets"], ns), stores=kube.list(RESOURCES["stores"], None),
        applications=kube.list(RESOURCES["applications"], cfg.argocd_namespace),
        events=kube.list(RESOURCES["events"], ns) + kube.list(RESOURCES["events"], cfg.argocd_namespace),
        secrets=secrets, logs=logs, users=airflow_users(stack) if users else None,
    )


def _logs(stack: RunningStack, pods: list[dict[str, Any]],
          sources: tuple[tuple[str, str], ...]) -> dict[str, list[str]]:
    """Current and previous logs of the named containers; a container that never started has none."""
    out: dict[str, list[str]] = {}
    for pod in pods:
        component = ((pod.get("metadata") or {}).get("labels") or {}).get("component")
        for _kind, cs in container_statuses(pod):
            if (component, cs.get("name")) not in sources:
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
    workload, container = scheduler_of(Layout.from_repository(stack.repo).release)
    try:
        text = stack.kube.kubectl("-n", stack.config.airflow_namespace, "exec", workload, "-c", container,
                                  "--", "airflow", "users", "list", "--output", "json")
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
