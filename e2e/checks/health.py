"""Health: every Airflow workload ready, and both Applications Synced/Healthy, from a snapshot."""

from __future__ import annotations

from typing import Any

from e2e.application_status import synced_healthy
from e2e.checks.expect import Expectations
from e2e.checks.verdict import Verdict
from e2e.observe.snapshot import Snapshot


def _ready(obj: dict[str, Any]) -> tuple[bool, str]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    want = int(spec.get("replicas", 1) if spec.get("replicas") is not None else 1)
    ready = int(status.get("readyReplicas") or 0)
    updated = int(status.get("updatedReplicas") or 0)
    current = int(status.get("observedGeneration") or 0) >= int((obj.get("metadata") or {}).get("generation") or 0)
    ok = ready >= want and updated >= want and current
    stale = "" if current else ", status not yet observed for the latest generation"
    return ok, f"{ready}/{want} ready, {updated} updated{stale}"


def workloads_ready(snapshot: Snapshot, exp: Expectations) -> Verdict:
    name = f"every Airflow workload of release {exp.release} is ready"
    ok, evidence, seen = True, [], 0
    for kind in ("Deployment", "StatefulSet"):
        for obj in snapshot.of(kind):
            meta = obj.get("metadata") or {}
            if meta.get("namespace") not in (exp.namespace, None):
                continue
            if (meta.get("labels") or {}).get("release") != exp.release:
                continue
            seen += 1
            good, how = _ready(obj)
            ok = ok and good
            evidence.append(f"{kind}/{meta.get('name')}: {how}")
    if seen == 0:
        return Verdict(name, False, [f"no Deployment or StatefulSet labelled release={exp.release}"])
    return Verdict(name, ok, evidence)


def applications_synced_healthy(snapshot: Snapshot, exp: Expectations) -> Verdict:
    """e2e.application_status's judgement, named; not yet Synced/Healthy fails (a check does not wait)."""
    judged = synced_healthy((exp.secrets_app, exp.chart_app), snapshot.application)
    return Verdict(f"{exp.secrets_app} and {exp.chart_app} are Synced and Healthy", judged.ok, list(judged.evidence))
