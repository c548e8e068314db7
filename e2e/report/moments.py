"""The instants the ordering checks compare, for the picture: where "before" and "after" are decided.

Why drawn: "every Secret existed before the first Airflow pod" is a comparison of two instants; with both
drawn as vertical lines the reader sees at once which side of the line each Secret and pod fell.
"""

from __future__ import annotations

from e2e.checks.expect import Expectations
from e2e.checks.ordering import chart_sync_started, first_airflow_pod
from e2e.observe.timeline import Timeline
from e2e.report.picture import Moment


def check_moments(timeline: Timeline, exp: Expectations) -> list[Moment]:
    found: list[Moment] = []
    pod = first_airflow_pod(timeline, exp)
    created = [timeline.first(kind="Secret", namespace=exp.namespace, name=s, what="created") for s in exp.referenced]
    all_ready = max(e.time for e in created) if created and all(e is not None for e in created) else None  # type: ignore[union-attr]
    if pod is not None:
        found.append(Moment("first Airflow pod created", pod.time))
    if all_ready is not None:
        late = pod is not None and all_ready > pod.time
        found.append(Moment("all Secrets ready", all_ready, "bad" if late else "ok"))
    ready = timeline.first(kind="Application", name=exp.secrets_app, what_prefix="Synced+Healthy")
    sync = chart_sync_started(timeline, exp)
    if ready is not None:
        found.append(Moment(f"{exp.secrets_app} Synced+Healthy", ready.time,
                            "bad" if sync is not None and sync.time < ready.time else "ok"))
    if sync is not None:
        found.append(Moment(f"{exp.chart_app} sync started", sync.time))
    migrated = timeline.first(kind="Job", namespace=exp.namespace, name=exp.migration_job,
                              what_prefix="condition Complete=True")
    if migrated is not None:
        found.append(Moment("migrations complete", migrated.time))
    return found
