"""Entry 1 over the timeline: pods waited on their Secrets, the Secrets landed, the same pods started."""

from __future__ import annotations

from e2e.observe.timeline import Event, Timeline
from e2e.scenarios.history import pods_first_then_secrets

BREAK = 1000.0


def ev(t: float, kind: str, name: str, what: str, **detail) -> Event:
    return Event(time=BREAK + t, lane="pods" if kind == "Pod" else "secrets", kind=kind, namespace="airflow",
                 name=name, what=what, detail=detail)


def judged(*events: Event):
    """Entry 1's verdict over these events, the break at BREAK, the reference's fernet Secret awaited."""
    line = Timeline()
    line.add(events)
    return pods_first_then_secrets(line, BREAK, "airflow", ["airflow-fernet-key"])


WAIT = ev(3, "Pod", "airflow-scheduler-7c9", "waiting CreateContainerConfigError",
          message='secret "airflow-fernet-key" not found', container="scheduler")
LANDED = ev(20, "Secret", "airflow-fernet-key", "created")
READY = ev(31, "Pod", "airflow-scheduler-7c9", "condition Ready=True")


def test_wait_then_secret_then_the_same_pod_ready_holds():
    verdict = judged(WAIT, LANDED, READY)
    assert verdict.ok, verdict.explain()
    assert "pod airflow-scheduler-7c9 Ready at +31.0s" in verdict.evidence


def test_no_wait_after_the_break_fails():
    assert not judged(LANDED, READY).ok


def test_secrets_before_the_first_wait_fail():
    early = ev(0, "Secret", "airflow-fernet-key", "created")
    late_wait = ev(9, "Pod", "airflow-scheduler-7c9", "waiting CreateContainerConfigError")
    verdict = judged(early, late_wait, READY)
    assert not verdict.ok and "the pods did not come first" in verdict.evidence[-1]


def test_a_waiting_pod_that_never_became_ready_fails():
    verdict = judged(WAIT, LANDED)
    assert not verdict.ok and "airflow-scheduler-7c9" in verdict.evidence[-1]


def test_events_before_the_break_are_ignored():
    old = ev(-50, "Pod", "airflow-scheduler-old", "waiting CreateContainerConfigError")
    assert not judged(old, LANDED).ok
