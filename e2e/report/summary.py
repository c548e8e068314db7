"""Durations worth a line in the report and in CI properties, read from a timeline.

Why from the timeline: the same numbers for a live run and for a timeline reloaded from a nightly artifact.
"""

from __future__ import annotations

from e2e.observe.timeline import Timeline


def durations(timeline: Timeline) -> dict[str, float]:
    """Name -> seconds: each Application's sync operations, each Job's run, pods until Ready, the whole run."""
    out: dict[str, float] = {}
    for event in timeline.select(kind="Application"):
        if event.what in ("operation Succeeded", "operation Failed", "operation Error"):
            started = timeline.first(kind="Application", name=event.name, what="operation Running")
            if started is not None and f"{event.name} sync" not in out:
                out[f"{event.name} sync"] = event.time - started.time
    for event in timeline.select(kind="Job", what_prefix="condition Complete=True"):
        started = timeline.first(kind="Job", name=event.name, what="started")
        if started is not None:
            out.setdefault(f"Job {event.name}", event.time - started.time)
    pods = timeline.select(kind="Pod", what="created")
    ready = [timeline.first(kind="Pod", name=p.name, what="condition Ready=True") for p in pods]
    ready_times = [r.time for r in ready if r is not None]
    if pods and ready_times:
        out["first pod created -> last pod Ready"] = max(ready_times) - pods[0].time
    if timeline.start is not None and timeline.end is not None:
        out["recorded span"] = timeline.end - timeline.start
    return {k: round(v, 1) for k, v in out.items()}


def images(timeline: Timeline) -> dict[str, str]:
    """Image -> the digest it ran as (from containers' `running` events): the versions that really ran."""
    found: dict[str, str] = {}
    for event in timeline.select(kind="Pod", what="running"):
        image = event.detail.get("image")
        if image:
            found.setdefault(str(image), str(event.detail.get("image_id") or "(digest not reported)"))
    return dict(sorted(found.items()))
