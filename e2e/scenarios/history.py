"""What a scenario's timeline must show, beyond its final state: entry 1's "pods first, then Secrets, then
the same pods start by themselves".

Why from the timeline: the converged snapshot shows healthy pods either way; only history proves the pods
waited on a missing Secret BEFORE ESO wrote it, and then started without being replaced. Times from the API
server have one-second resolution, so "after" allows equal seconds.
"""

from __future__ import annotations

from collections.abc import Iterable

from e2e.checks.verdict import Verdict
from e2e.observe.timeline import Timeline

NAME = "pods waited on their Secrets, the Secrets landed, the same pods started"


def pods_first_then_secrets(timeline: Timeline, since: float, namespace: str, secrets: Iterable[str]) -> Verdict:
    """Entry 1 over the timeline, from `since` (the break): wait -> Secret created -> same pod Ready."""
    wanted = set(secrets)
    waits = [e for e in timeline.select(kind="Pod", namespace=namespace, what="waiting CreateContainerConfigError")
             if e.time >= since - 1]
    if not waits:
        return Verdict(NAME, False, ["no pod waited with CreateContainerConfigError after the break"])
    first_wait = waits[0]
    created = [e for e in timeline.select(kind="Secret", namespace=namespace, what="created")
               if e.name in wanted and e.time >= since - 1]
    if not created:
        return Verdict(NAME, False, [f"first wait {first_wait.describe(since)}", "no Secret re-created after it"])
    landed = max(e.time for e in created)
    evidence = [f"first wait {first_wait.describe(since)}: {first_wait.detail.get('message', '')}",
                f"{len(created)} Secret(s) created, last at +{landed - since:.1f}s"]
    if min(e.time for e in created) + 1 < first_wait.time:
        evidence.append("a Secret was created before the first wait: the pods did not come first")
        return Verdict(NAME, False, evidence)
    waited = sorted({e.name for e in waits})
    missing = []
    for pod in waited:
        ready = [e for e in timeline.select(kind="Pod", namespace=namespace, name=pod,
                                         what_prefix="condition Ready=True")
                 if e.time + 1 >= landed]
        if ready:
            evidence.append(f"pod {pod} Ready at +{ready[0].time - since:.1f}s")
        else:
            missing.append(pod)
    if missing:
        evidence.append(f"never Ready after the Secrets landed (replaced or still waiting): {', '.join(missing)}")
    return Verdict(NAME, not missing, evidence)
