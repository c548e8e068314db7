"""Ordering over the timeline: Secrets before Airflow, migrations before the user step.

Why from the timeline: "the pods started before their Secrets" is a fact about history; a snapshot taken
later shows everything healthy and hides it. Times written by the API server (creationTimestamp,
lastTransitionTime, startedAt) have one-second resolution, so "A before B" allows one second: events in the
same second cannot be ordered and are said to be so in the evidence.
"""

from __future__ import annotations

import re

from e2e.checks.expect import Expectations
from e2e.checks.verdict import Verdict
from e2e.observe.timeline import Event, Timeline

RESOLUTION = 1.0  # seconds: API timestamps are whole seconds
USER_STEP = re.compile(r'User "[^"]+" created with role|already exists? in the db')


def _rel(timeline: Timeline, event: Event) -> str:
    start = timeline.start or event.time
    return f"+{event.time - start:.1f}s"


def first_airflow_pod(timeline: Timeline, exp: Expectations) -> Event | None:
    """The first pod of the chart's release (label `release=<release>`, as every chart pod carries)."""
    return timeline.first(kind="Pod", namespace=exp.namespace, what="created", label=("release", exp.release))


def chart_sync_started(timeline: Timeline, exp: Expectations) -> Event | None:
    """When the chart Application began its first sync: operation start or first deploy start, whichever first."""
    candidates = [e for e in (
        timeline.first(kind="Application", name=exp.chart_app, what="operation Running"),
        timeline.first(kind="Application", name=exp.chart_app, what="deploy started"),
    ) if e is not None]
    return min(candidates, key=lambda e: e.time) if candidates else None


def secrets_app_ready_before_chart_sync(timeline: Timeline, exp: Expectations) -> Verdict:
    name = f"{exp.secrets_app} Synced and Healthy before {exp.chart_app} began syncing"
    ready = timeline.first(kind="Application", name=exp.secrets_app, what="Synced+Healthy")
    started = chart_sync_started(timeline, exp)
    evidence: list[str] = []
    if started is None:
        return Verdict(name, False, [f"{exp.chart_app} never began a sync operation in the timeline"])
    evidence.append(f"{exp.chart_app} began syncing at {_rel(timeline, started)} ({started.what})")
    recorder_started = timeline.metadata.get("recorder_started")
    if isinstance(recorder_started, int | float) and recorder_started > started.time + RESOLUTION:
        evidence.append(f"the recorder started {recorder_started - started.time:.1f}s after that: the order cannot "
                        "be judged (start the recorder before the first apply)")
        return Verdict(name, False, evidence)
    if ready is None:
        states = [e.what for e in timeline.select(kind="Application", name=exp.secrets_app)
                  if e.what.startswith(("sync ", "health ", "operation ", "condition "))]
        evidence.append(f"{exp.secrets_app} was never seen Synced and Healthy; its states: "
                        + (", ".join(states[-6:]) or "none recorded"))
        return Verdict(name, False, evidence)
    margin = started.time - ready.time
    evidence.insert(0, f"{exp.secrets_app} Synced and Healthy at {_rel(timeline, ready)}")
    if margin < 0 and -margin <= RESOLUTION:
        evidence.append(f"within the API's 1 s resolution ({margin:+.1f}s): cannot be ordered, accepted")
    else:
        evidence.append(f"margin {margin:+.1f}s")
    ok = margin >= -RESOLUTION
    if not ok:
        evidence.insert(0, f"{exp.chart_app} began syncing {-margin:.1f}s BEFORE {exp.secrets_app} was Synced "
                           "and Healthy")
    return Verdict(name, ok, evidence)


def secrets_before_first_pod(timeline: Timeline, exp: Expectations) -> Verdict:
    name = "every Secret the values reference existed before the first Airflow pod"
    pod = first_airflow_pod(timeline, exp)
    if pod is None:
        return Verdict(name, False, [f"no pod of release {exp.release} was created in {exp.namespace}"])
    evidence = [f"first Airflow pod {pod.name} created at {_rel(timeline, pod)}"]
    ok, missing = True, []
    for secret in exp.referenced:
        created = timeline.first(kind="Secret", namespace=exp.namespace, name=secret, what="created")
        if created is None:
            ok = False
            missing.append(secret)
            evidence.append(f"{secret}: never created")
            continue
        gone = [d for d in timeline.select(kind="Secret", namespace=exp.namespace, name=secret, what="deleted")
                if created.time <= d.time <= pod.time]
        lead = pod.time - created.time
        if lead < 0:
            ok = False
            missing.append(secret)
            evidence.append(f"{secret}: created {-lead:.1f}s AFTER the first Airflow pod (late)")
        elif gone:
            ok = False
            missing.append(secret)
            evidence.append(f"{secret}: deleted at {_rel(timeline, gone[0])}, before the first Airflow pod")
        elif lead == 0:
            evidence.append(f"{secret}: created in the same second as the first pod (1 s resolution)")
        else:
            evidence.append(f"{secret}: created {lead:.1f}s before")
    if not ok:
        evidence.insert(0, f"{len(missing)} of {len(exp.referenced)} Secrets missing when the first Airflow pod was "
                           f"created: {', '.join(missing)}")
    blocked = timeline.select(kind="Pod", namespace=exp.namespace, what="waiting CreateContainerConfigError")
    for event in blocked[:5]:
        message = event.detail.get("message") or ""
        evidence.append(f"pod {event.name} [{event.detail.get('container')}] waited on "
                        f"CreateContainerConfigError at {_rel(timeline, event)}: {message}".rstrip(": "))
    return Verdict(name, ok, evidence)


def parse_timestamped_log(text: str) -> list[tuple[float | None, str]]:
    """`kubectl logs --timestamps` lines -> (epoch seconds or None, the rest of the line)."""
    from e2e.observe.timeline import parse_time

    lines = []
    for raw in text.splitlines():
        head, _, rest = raw.partition(" ")
        when = parse_time(head) if head[:1].isdigit() and "T" in head else None
        lines.append((when, rest if when is not None else raw))
    return lines


def migrations_before_user_step(timeline: Timeline, exp: Expectations, user_log: str | None = None) -> Verdict:
    """The migration Job completed before the create-user step ran.

    The chart's create-user Job may START first: the seed's script begins with
    `airflow db check-migrations --migration-wait-timeout=300`, which waits. What must hold is that the user
    was created after the migrations finished: read from the Job's timestamped log when given, otherwise
    from the Jobs' completion order.
    """
    name = "migrations completed before the create-user step ran"
    done = timeline.first(kind="Job", namespace=exp.namespace, name=exp.migration_job,
                          what_prefix="condition Complete=True")
    failed = timeline.first(kind="Job", namespace=exp.namespace, name=exp.migration_job,
                            what_prefix="condition Failed=True")
    if done is None:
        evidence = [f"{exp.migration_job} never completed"]
        if failed is not None:
            evidence.append(f"{exp.migration_job} {failed.what} at {_rel(timeline, failed)}: "
                            f"{failed.detail.get('message') or ''}".rstrip(": "))
        return Verdict(name, False, evidence)
    evidence = [f"{exp.migration_job} completed at {_rel(timeline, done)}"]
    user_started = timeline.first(kind="Job", namespace=exp.namespace, name=exp.user_job, what="started")
    user_done = timeline.first(kind="Job", namespace=exp.namespace, name=exp.user_job,
                               what_prefix="condition Complete=True")
    if user_started is not None:
        note = " (before migrations completed: it waits in check-migrations)" if user_started.time < done.time else ""
        evidence.append(f"{exp.user_job} started at {_rel(timeline, user_started)}{note}")
    if user_log is not None:
        steps = [(t, line) for t, line in parse_timestamped_log(user_log) if t is not None and USER_STEP.search(line)]
        if not steps:
            evidence.append(f"{exp.user_job} log has no timestamped 'created'/'already exists' line")
            return Verdict(name, False, evidence)
        when = steps[0][0]
        assert when is not None
        margin = when - done.time
        evidence.append(f"user step logged {margin:+.1f}s after the migrations completed")
        return Verdict(name, margin >= -RESOLUTION, evidence)
    if user_done is None:
        evidence.append(f"{exp.user_job} never completed")
        return Verdict(name, False, evidence)
    margin = user_done.time - done.time
    evidence.append(f"{exp.user_job} completed at {_rel(timeline, user_done)} ({margin:+.1f}s after migrations)")
    return Verdict(name, margin >= -RESOLUTION, evidence)
