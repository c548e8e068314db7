"""Recorded runs changed in one place, the way a real failure changes them (for the report's verdicts and picture).

- gitsync-crashloop: the good run's git-sync containers never run (a wrong host key): they terminate with exit
  128 and wait in CrashLoopBackOff, and their pods never become Ready (issue 15 item 10).
- user-job-stuck: the good run's create-user Job never completes (it is still running when recording stops).
"""

from __future__ import annotations

from e2e.observe.timeline import Event, Timeline


def _copy(timeline: Timeline, events: list[Event]) -> Timeline:
    out = Timeline(metadata=dict(timeline.metadata))
    out.add(events)
    return out


def gitsync_crashloop(good: Timeline) -> Timeline:
    git_pods = {e.name for e in good.events if e.kind == "Pod" and e.detail.get("container") == "git-sync"}
    events: list[Event] = []
    for e in good.events:
        if e.kind == "Pod" and e.name in git_pods:
            if e.what in ("condition Ready=True", "condition ContainersReady=True"):
                events.append(Event(e.time, e.lane, e.kind, e.namespace, e.name, e.what.replace("True", "False"),
                                    dict(e.detail)))
                continue
            if e.detail.get("container") == "git-sync" and e.what == "running":
                detail = {**e.detail, "exit_code": 128,
                          "message": "Host key verification failed. fatal: Could not read from remote repository."}
                events.append(Event(e.time, e.lane, e.kind, e.namespace, e.name, "terminated Error exit 128", detail))
                events.append(Event(e.time + 1, e.lane, e.kind, e.namespace, e.name, "waiting CrashLoopBackOff",
                                    {**detail, "message": "back-off 10s restarting failed container=git-sync"}))
                continue
        events.append(e)
    return _copy(good, events)


def user_job_stuck(good: Timeline, user_job: str) -> Timeline:
    events = [e for e in good.events
              if not (e.kind == "Job" and e.name == user_job and e.what.startswith("condition"))]
    return _copy(good, events)
