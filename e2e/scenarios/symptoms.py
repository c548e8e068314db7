"""Pure matchers over what was observed: each returns evidence lines, empty when nothing matches.

Why lists of evidence rather than booleans: a scenario report must say WHICH pod waited with WHICH reason
and message, which ExternalSecret failed with what, which log line matched, so a reader can check the claim.
Matchers read objects exactly as the API returns them (pods, Jobs, ExternalSecrets, Events, Argo CD
Applications) and log lines; they never raise on odd shapes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from e2e.observe.snapshot import Snapshot, condition, conditions, container_statuses, name_of
from e2e.scenarios.messages import search


def uid_of(obj: dict[str, Any] | None) -> str | None:
    """The object's uid: "the same object" across looks (None for an absent object)."""
    return ((obj or {}).get("metadata") or {}).get("uid")


def component_of(pod: dict[str, Any]) -> str | None:
    """The chart's `component` label of a pod (scheduler, worker, ...)."""
    return ((pod.get("metadata") or {}).get("labels") or {}).get("component")


def _short(text: str | None, limit: int = 240) -> str:
    one = " ".join((text or "").split())
    return one if len(one) <= limit else one[: limit - 3] + "..."


NOTHING = r"(?!)"  # a pattern that never matches: excerpt from the start


def _excerpt(text: str | None, pattern: str, limit: int = 240) -> str:
    """The text around the match, so a long log line or event still shows the words that matched."""
    one = " ".join((text or "").split())
    found = search(pattern, one)
    if len(one) <= limit or found is None:
        return _short(one, limit)
    start = max(found.start() - (limit - (found.end() - found.start())) // 2, 0)
    piece = one[start:start + limit]
    return ("..." if start else "") + piece + ("..." if start + limit < len(one) else "")


def pods_waiting(obs: Snapshot, reason: str, message: str | None = None) -> list[str]:
    """Containers whose current state is `waiting` with this reason (and message pattern, if given)."""
    found = []
    for pod in obs.pods:
        for kind, cs in container_statuses(pod):
            waiting = (cs.get("state") or {}).get("waiting") or {}
            if waiting.get("reason") != reason or (message is not None and not search(message, waiting.get("message"))):
                continue
            found.append(f"pod {name_of(pod)} {kind} container {cs.get('name')} waiting {reason}: "
                         f"{_short(waiting.get('message'))}")
    return found


def _named_statuses(obs: Snapshot, kind: str, containers: Iterable[str]) -> Iterator[tuple[dict, dict]]:
    """(pod, container status) for each init or main container with one of these names."""
    wanted = set(containers)
    for pod in obs.pods:
        for this_kind, cs in container_statuses(pod):
            if this_kind == kind and cs.get("name") in wanted:
                yield pod, cs


def init_containers_failing(obs: Snapshot, containers: Iterable[str]) -> list[str]:
    """Init containers that exited non-zero or are in CrashLoopBackOff (the pod shows `Init:Error`)."""
    found = []
    for pod, cs in _named_statuses(obs, "init", containers):
        state, last = cs.get("state") or {}, cs.get("lastState") or {}
        for label, term in (("terminated", state.get("terminated")), ("last terminated", last.get("terminated"))):
            if term and term.get("exitCode", 0) != 0:
                found.append(f"pod {name_of(pod)} init container {cs.get('name')} {label} "
                             f"exit {term.get('exitCode')} ({term.get('reason', '')})")
                break
        else:
            waiting = state.get("waiting") or {}
            if waiting.get("reason") == "CrashLoopBackOff":
                found.append(f"pod {name_of(pod)} init container {cs.get('name')} waiting CrashLoopBackOff")
    return found


def containers_restarting(obs: Snapshot, containers: Iterable[str]) -> list[str]:
    """Main containers in CrashLoopBackOff or with a non-zero last exit (a worker that cannot start)."""
    found = []
    for pod, cs in _named_statuses(obs, "main", containers):
        waiting = (cs.get("state") or {}).get("waiting") or {}
        last = (cs.get("lastState") or {}).get("terminated") or {}
        if waiting.get("reason") == "CrashLoopBackOff" or last.get("exitCode", 0) != 0:
            found.append(f"pod {name_of(pod)} container {cs.get('name')} restarts "
                         f"{cs.get('restartCount', 0)}, last exit {last.get('exitCode', '-')}")
    return found


def pods_in_init(obs: Snapshot, containers: Iterable[str]) -> list[str]:
    """Pods held by a named init container that has not finished (`Init:0/1`)."""
    found = []
    for pod, cs in _named_statuses(obs, "init", containers):
        if not (cs.get("state") or {}).get("terminated"):
            state = next(iter(cs.get("state") or {"unknown": {}}))
            found.append(f"pod {name_of(pod)} held by init container {cs.get('name')} ({state})")
    return found


def _ready(kind: str, objs: list[dict], status: str, reason: str | None,
           names: Iterable[str] | None) -> list[str]:
    """Objects (of those named, when given) whose Ready condition has this status (and reason, when given)."""
    wanted = set(names) if names is not None else None
    found = []
    for obj in objs:
        ready = condition(obj, "Ready") or {}
        if (wanted is None or name_of(obj) in wanted) and ready.get("status") == status and (
                reason is None or ready.get("reason") == reason):
            found.append(f"{kind} {name_of(obj)} Ready={status} {ready.get('reason', '')}: "
                         f"{_short(ready.get('message'))}")
    return found


def external_secrets_condition(obs: Snapshot, status: str, reason: str,
                               names: Iterable[str] | None = None) -> list[str]:
    """ExternalSecrets whose Ready condition has this status and reason."""
    return _ready("ExternalSecret", obs.external_secrets, status, reason, names)


def store_condition(obs: Snapshot, status: str) -> list[str]:
    return _ready("ClusterSecretStore", obs.stores, status, None, None)


def events(obs: Snapshot, reason: str, message: str | None = None, type_: str | None = None,
           involved_kind: str | None = None) -> list[str]:
    """Events with this reason (and type, involved object kind, message pattern when given)."""
    found = []
    for ev in obs.events:
        involved = ev.get("involvedObject") or ev.get("regarding") or {}
        if ev.get("reason") != reason or (type_ and ev.get("type") != type_):
            continue
        if involved_kind and involved.get("kind") != involved_kind:
            continue
        text = ev.get("message") or ev.get("note") or ""
        if message is not None and not search(message, text):
            continue
        found.append(f"event {ev.get('type', '')} {reason} on {involved.get('kind', '')}/{involved.get('name', '')}: "
                     f"{_excerpt(text, message) if message else _short(text)}")
    return found


def application_condition(obs: Snapshot, app: str, type_suffix: str, message: str | None = None) -> list[str]:
    """Argo CD Application conditions (`ComparisonError`, `SyncError`...) matching a type and message."""
    application = obs.application(app)
    if application is None:
        return []
    return [f"Application {app} condition {c.get('type')}: {_excerpt(c.get('message'), message or NOTHING)}"
            for c in conditions(application)
            if str(c.get("type", "")).endswith(type_suffix) and (message is None or search(message, c.get("message")))]


def job_state(job: dict[str, Any]) -> str:
    """"Complete", "Failed" or "Running" from the Job's conditions (the Job controller's own verdict)."""
    for c in conditions(job):
        if c.get("status") == "True" and c.get("type") in ("Complete", "Failed"):
            return str(c["type"])
    return "Running"


def jobs_failed(obs: Snapshot, name_contains: str) -> list[str]:
    found = []
    for job in (j for j in obs.jobs if name_contains in name_of(j)):
        if job_state(job) == "Failed":
            c = condition(job, "Failed") or {}
            found.append(f"Job {name_of(job)} Failed {c.get('reason', '')}: {_short(c.get('message'))}")
        elif (job.get("status") or {}).get("failed", 0) > 0:
            found.append(f"Job {name_of(job)} has {job['status']['failed']} failed pod(s)")
    return found


def log_lines(obs: Snapshot, pattern: str, source_contains: str | None = None) -> list[str]:
    """Log lines (masked when collected) that match; the source is `pod/container`."""
    return [f"log {source}: {_excerpt(line, pattern)}" for source, line in obs.log_lines()
            if (source_contains is None or source_contains in source) and search(pattern, line)]


def message_anywhere(obs: Snapshot, pattern: str) -> list[str]:
    """A pattern in any condition, event, container state or log line: for messages with several carriers."""
    found = [f"{kind} {name_of(o)}: {_excerpt(c.get('message'), pattern)}"
             for kind, objs in (("ExternalSecret", obs.external_secrets), ("ClusterSecretStore", obs.stores),
                                ("Application", obs.applications), ("Job", obs.jobs))
             for o in objs for c in conditions(o) if search(pattern, c.get("message"))]
    for pod in obs.pods:
        for _kind, cs in container_statuses(pod):
            for state in ((cs.get("state") or {}), (cs.get("lastState") or {})):
                for detail in state.values():
                    if isinstance(detail, dict) and search(pattern, detail.get("message")):
                        found.append(f"pod {name_of(pod)} container {cs.get('name')}: "
                                     f"{_excerpt(detail['message'], pattern)}")
    found += [f"event {e.get('reason', '')} on {(e.get('involvedObject') or {}).get('name', '')}: "
              f"{_excerpt(e.get('message'), pattern)}" for e in obs.events if search(pattern, e.get("message"))]
    found += [f"log {s}: {_excerpt(line, pattern)}" for s, line in obs.log_lines() if search(pattern, line)]
    return found
