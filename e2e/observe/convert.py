"""Kubernetes objects (the API's JSON shape) -> timeline events. Pure functions, no I/O, no clock.

Why pure: the recorder's watch loop stays thin and everything that decides *what happened when* is tested on
realistic objects. An object is read for every transition it still carries with its own timestamp
(creationTimestamp, conditions' lastTransitionTime, Job startTime, container startedAt/finishedAt, Argo CD
operationState and history); states without a timestamp (sync status, pod phase, waiting reasons) take the
time the recorder saw them. `transitions(before, after)` emits only what `after` adds to `before`.

Secrets: only the name, sorted data KEY names, type and owner are ever read; values never leave this module
(a value change is reported as "data changed", nothing more).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from e2e.observe.timeline import Event, Timeline, parse_time

LANE_OF_KIND = {
    "Application": "argocd",
    "ExternalSecret": "eso",
    "ClusterSecretStore": "eso",
    "SecretStore": "eso",
    "Job": "jobs",
    "Pod": "pods",
    "Secret": "secrets",
    "Event": "events",
}
KEPT_LABELS = ("component", "release", "tier", "job-name", "app.kubernetes.io/instance", "heritage",
               "reconcile.external-secrets.io/managed")
Identity = tuple[str, str, str, str, str, float | None]


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("metadata") or {}


def _status(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("status") or {}


class _Builder:
    """Collects the events of one object; every event names the object the same way."""

    def __init__(self, obj: dict[str, Any], observed_at: float) -> None:
        meta = _meta(obj)
        self.kind = str(obj.get("kind") or "")
        self.lane = LANE_OF_KIND.get(self.kind, "events")
        self.namespace = str(meta.get("namespace") or "")
        self.name = str(meta.get("name") or "")
        self.observed_at = observed_at
        self.events: list[Event] = []

    def at(self, when: Any, what: str, **detail: Any) -> None:
        """An event at the object's own timestamp; falls back to the observed time when it has none."""
        time = parse_time(when)
        if time is None:
            self.seen(what, **detail)
            return
        self.events.append(Event(time, self.lane, self.kind, self.namespace, self.name, what, _clean(detail)))

    def seen(self, what: str, **detail: Any) -> None:
        """A state without a timestamp: the time is when the recorder saw it."""
        detail["observed"] = True
        self.events.append(Event(self.observed_at, self.lane, self.kind, self.namespace, self.name, what,
                                 _clean(detail)))


def _clean(detail: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in detail.items() if v not in (None, "", [], {})}


def _labels(obj: dict[str, Any]) -> dict[str, str]:
    labels = _meta(obj).get("labels") or {}
    return {k: str(v) for k, v in labels.items() if k in KEPT_LABELS}


def _owner(obj: dict[str, Any]) -> dict[str, Any] | None:
    refs = _meta(obj).get("ownerReferences") or []
    ref = next((r for r in refs if r.get("controller")), refs[0] if refs else None)
    if not ref:
        return None
    return {"kind": ref.get("kind"), "name": ref.get("name"), "controller": bool(ref.get("controller"))}


def _condition_events(b: _Builder, conditions: Iterable[dict[str, Any]]) -> None:
    for cond in conditions or []:
        what = f"condition {cond.get('type')}={cond.get('status')}"
        if cond.get("reason"):
            what += f" {cond['reason']}"
        b.at(cond.get("lastTransitionTime"), what, message=cond.get("message"))


def events_of(obj: dict[str, Any], observed_at: float) -> list[Event]:
    """Every transition an object shows, as events (see module docstring for which times are whose)."""
    kind = obj.get("kind")
    b = _Builder(obj, observed_at)
    if kind == "Event":
        return _kube_event(obj, observed_at)
    meta = _meta(obj)
    created = {"labels": _labels(obj), "owner": _owner(obj)}
    if kind == "Secret":
        created |= {"keys": sorted((obj.get("data") or {}).keys()), "type": obj.get("type"),
                    "helm_hook": (meta.get("annotations") or {}).get("helm.sh/hook")}
    if kind == "Job":
        created["hook"] = (meta.get("annotations") or {}).get("argocd.argoproj.io/hook")
    b.at(meta.get("creationTimestamp"), "created", **created)
    handler = _HANDLERS.get(str(kind))
    if handler:
        handler(b, obj)
    if meta.get("deletionTimestamp"):
        b.at(meta["deletionTimestamp"], "deleting")
    return b.events


def _application(b: _Builder, obj: dict[str, Any]) -> None:
    status = _status(obj)
    sync = (status.get("sync") or {}).get("status")
    health = status.get("health") or {}
    revision = (status.get("sync") or {}).get("revision") or (status.get("sync") or {}).get("revisions")
    if sync:
        b.seen(f"sync {sync}", revision=revision)
    if health.get("status"):
        b.at(health.get("lastTransitionTime"), f"health {health['status']}", message=health.get("message"))
    if sync == "Synced" and health.get("status") == "Healthy":
        b.seen("Synced+Healthy", revision=revision)
    _condition_events_app(b, status.get("conditions") or [])
    op = status.get("operationState") or {}
    if op.get("startedAt"):
        b.at(op["startedAt"], "operation Running", subject=op["startedAt"],
             revision=((op.get("operation") or {}).get("sync") or {}).get("revision"))
    if op.get("retryCount"):
        b.seen(f"operation retry {op['retryCount']}", subject=op.get("startedAt"), message=op.get("message"))
    if op.get("phase") in ("Succeeded", "Failed", "Error") and op.get("finishedAt"):
        result = op.get("syncResult") or {}
        resources = [
            {"kind": r.get("kind"), "name": r.get("name"), "status": r.get("status"),
             "hookPhase": r.get("hookPhase"), "syncPhase": r.get("syncPhase"), "message": r.get("message")}
            for r in result.get("resources") or []
        ]
        b.at(op["finishedAt"], f"operation {op['phase']}", subject=op.get("startedAt"), message=op.get("message"),
             started=op.get("startedAt"), revision=result.get("revision"), resources=resources)
    waves: dict[int, list[dict[str, Any]]] = {}
    for res in status.get("resources") or []:
        waves.setdefault(int(res.get("syncWave") or 0), []).append(res)
    for wave, members in sorted(waves.items()):
        names = [f"{r.get('kind')}/{r.get('name')}" for r in members]
        if all(r.get("status") == "Synced" for r in members):
            b.seen(f"wave {wave} synced", wave=wave, resources=names)
        healths = [(r.get("health") or {}).get("status") for r in members if r.get("health")]
        if healths and all(h == "Healthy" for h in healths):
            b.seen(f"wave {wave} healthy", wave=wave, resources=names)
    for entry in status.get("history") or []:
        revision = entry.get("revision") or entry.get("revisions")
        subject = f"history#{entry.get('id')}"
        b.at(entry.get("deployStartedAt"), "deploy started", subject=subject, revision=revision)
        b.at(entry.get("deployedAt"), "deployed", subject=subject, revision=revision,
             started=entry.get("deployStartedAt"))


def _condition_events_app(b: _Builder, conditions: list[dict[str, Any]]) -> None:
    # Argo CD Application conditions (ComparisonError, SyncError...) have a type and a message, no status.
    for cond in conditions:
        b.at(cond.get("lastTransitionTime"), f"condition {cond.get('type')}", message=cond.get("message"))


def _eso(b: _Builder, obj: dict[str, Any]) -> None:
    status = _status(obj)
    _condition_events(b, status.get("conditions") or [])
    if status.get("refreshTime"):
        b.at(status["refreshTime"], "refreshed", subject=status["refreshTime"],
             synced_version=status.get("syncedResourceVersion"))


def _job(b: _Builder, obj: dict[str, Any]) -> None:
    status = _status(obj)
    if status.get("startTime"):
        b.at(status["startTime"], "started")
    _condition_events(b, status.get("conditions") or [])
    if status.get("failed"):
        b.seen(f"failed pods {status['failed']}", subject=str(status["failed"]))


def _pod(b: _Builder, obj: dict[str, Any]) -> None:
    status = _status(obj)
    _condition_events(b, status.get("conditions") or [])
    if status.get("phase"):
        b.seen(f"phase {status['phase']}")
    for init, key in ((True, "initContainerStatuses"), (False, "containerStatuses")):
        for cs in status.get(key) or []:
            _container(b, cs, init)


def _container(b: _Builder, cs: dict[str, Any], init: bool) -> None:
    name = cs.get("name")
    restarts = int(cs.get("restartCount") or 0)
    base = {"container": name, "init": init}
    state = cs.get("state") or {}
    last = (cs.get("lastState") or {}).get("terminated")
    if last:
        _terminated(b, last, base, restarts - 1)
    if state.get("waiting"):
        waiting = state["waiting"]
        b.seen(f"waiting {waiting.get('reason') or 'Unknown'}", subject=f"{name}#{restarts}",
               message=waiting.get("message"), restarts=restarts, **base)
    if state.get("running"):
        b.at(state["running"].get("startedAt"), "running", subject=name, restarts=restarts, image=cs.get("image"),
             image_id=cs.get("imageID"), **base)
    if state.get("terminated"):
        _terminated(b, state["terminated"], base, restarts)


def _terminated(b: _Builder, term: dict[str, Any], base: dict[str, Any], attempt: int) -> None:
    what = f"terminated {term.get('reason') or 'Unknown'} exit {term.get('exitCode')}"
    b.at(term.get("finishedAt"), what, subject=f"{base['container']}#{attempt}", started=term.get("startedAt"),
         message=term.get("message"), exit_code=term.get("exitCode"), **base)


def _kube_event(obj: dict[str, Any], observed_at: float) -> list[Event]:
    meta = _meta(obj)
    involved = obj.get("involvedObject") or obj.get("regarding") or {}
    when = (obj.get("lastTimestamp") or obj.get("eventTime") or (obj.get("series") or {}).get("lastObservedTime")
            or obj.get("firstTimestamp") or meta.get("creationTimestamp"))
    time = parse_time(when)
    detail = _clean({
        "message": obj.get("message") or obj.get("note"),
        "count": obj.get("count"),
        "source": (obj.get("source") or {}).get("component") or obj.get("reportingComponent")
        or obj.get("reportingController"),
        "subject": f"{meta.get('name')}#{obj.get('count') or 1}",
        "involved_lane": LANE_OF_KIND.get(str(involved.get("kind")), "events"),
        "observed": True if time is None else None,
    })
    return [Event(time if time is not None else observed_at, "events", str(involved.get("kind") or ""),
                  str(involved.get("namespace") or meta.get("namespace") or ""), str(involved.get("name") or ""),
                  f"{obj.get('type') or 'Normal'} {obj.get('reason') or ''}".strip(), detail)]


_HANDLERS = {
    "Application": _application,
    "ExternalSecret": _eso,
    "ClusterSecretStore": _eso,
    "SecretStore": _eso,
    "Job": _job,
    "Pod": _pod,
}


def identity(event: Event) -> Identity:
    """What makes two events the same transition: observed states compare without their time."""
    return (event.kind, event.namespace, event.name, event.what, str(event.detail.get("subject") or ""),
            None if event.observed else event.time)


def transitions(before: dict[str, Any] | None, after: dict[str, Any] | None, observed_at: float) -> list[Event]:
    """The events `after` adds to `before` (None = absent: first sighting, or deleted)."""
    if after is None:
        if before is None:
            return []
        b = _Builder(before, observed_at)
        b.seen("deleted")
        return b.events
    seen = {identity(e) for e in events_of(before, observed_at)} if before is not None else set()
    new = [e for e in events_of(after, observed_at) if identity(e) not in seen]
    if before is not None and after.get("kind") == "Secret" and _secret_changed(before, after):
        b = _Builder(after, observed_at)
        b.seen("data changed", keys=sorted((after.get("data") or {}).keys()),
               subject=str(_meta(after).get("resourceVersion") or ""))
        new += b.events
    return new


def _secret_changed(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Compared in memory only; neither side is kept."""
    return (before.get("data") or {}) != (after.get("data") or {})


def object_key(obj: dict[str, Any]) -> tuple[str, str, str]:
    meta = _meta(obj)
    return str(obj.get("kind") or ""), str(meta.get("namespace") or ""), str(meta.get("name") or "")


def replay(stream: Iterable[dict[str, Any]], metadata: dict[str, Any] | None = None) -> Timeline:
    """Feed a recorded watch stream ({"at", "type": ADDED|MODIFIED|DELETED, "object"}) through `transitions`:
    exactly what the recorder does live, so recorded object histories become timelines offline."""
    last: dict[tuple[str, str, str], dict[str, Any]] = {}
    timeline = Timeline(metadata=dict(metadata or {}))
    for item in stream:
        obj, at = item["object"], float(item["at"])
        if obj.get("kind") not in LANE_OF_KIND:  # the recorder watches only these kinds
            continue
        key = object_key(obj)
        if item.get("type") == "DELETED":
            timeline.add(transitions(last.pop(key, None) or obj, None, at))
            continue
        timeline.add(transitions(last.get(key), obj, at))
        last[key] = obj
    return timeline
