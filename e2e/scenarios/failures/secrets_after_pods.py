"""FAILURES.md 1: Secrets land after the pods. Hold ESO, remove the Secrets, start the pods; then release ESO:
the very pods that waited must start by themselves (same uid), nobody deletes them."""

from __future__ import annotations

from e2e.judgement import Judgement, failed, ok, pending, seen
from e2e.observe.snapshot import Snapshot, name_of, pod_ready
from e2e.preflight.rules import ordering
from e2e.scenarios import convergence as conv
from e2e.scenarios import messages as msg
from e2e.scenarios import symptoms as sym
from e2e.scenarios.failures.common import Parts, preflight
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import AllOf, Check, Memory, Scenario
from e2e.scenarios.steps import DeleteSecrets, Note, ScaleEso
from e2e.stack.operator import AIRFLOW_COMPONENTS


def pods_missing_secrets(obs: Snapshot, _m: Memory) -> Judgement:
    """Containers wait on a Secret that is not there yet, or its volume cannot mount."""
    found = sym.pods_waiting(obs, "CreateContainerConfigError", msg.SECRET_NOT_FOUND)
    found += sym.events(obs, "FailedMount", msg.SECRET_NOT_FOUND, type_="Warning", involved_kind="Pod")
    return seen(found, 'no pod waiting on `secret "..." not found` yet')


def recovered_by_themselves(obs: Snapshot, memory: Memory) -> Judgement:
    """The very pods that waited at the symptom (same uid) are Ready now: nobody deleted them."""
    at = memory.at_symptom or Snapshot()
    stuck = {sym.uid_of(p): name_of(p) for p in at.pods if sym.component_of(p) in AIRFLOW_COMPONENTS
             and not (p.get("metadata") or {}).get("deletionTimestamp") and not pod_ready(p)
             and (p.get("status") or {}).get("phase") != "Succeeded"}
    if not stuck:
        return failed("no Airflow pod was waiting at the symptom: the scenario did not reproduce entry 1")
    now = {sym.uid_of(p): p for p in obs.pods}
    replaced = [name for uid, name in stuck.items() if uid not in now]
    if replaced:
        return failed(*[f"pod {n} was replaced, not recovered in place" for n in sorted(replaced)])
    waiting = [name for uid, name in stuck.items() if not pod_ready(now[uid])]
    if waiting:
        return pending(f"still waiting: {', '.join(sorted(waiting))}")
    return ok(*[f"pod {n} started by itself once its Secrets existed" for n in sorted(stuck.values())])


COUNTERPARTS = (preflight(ordering.waves_without_parent), preflight(ordering.waves_wrong_order))


def scenario(lay: Layout, upgrade_to: str) -> Scenario:
    p = Parts(lay)
    return Scenario(
        name="secrets-after-pods", entry=1, title="Secrets land after the pods",
        reproduces="Hold ESO, remove the Airflow Secrets and start the pods: the chart is synced while the "
                   "secrets Application is held; then release ESO and let the pods recover by themselves.",
        break_=(ScaleEso(0, lay.eso_namespace), DeleteSecrets(lay.airflow_namespace), p.restart()),
        symptom=Check('pods CreateContainerConfigError `secret "..." not found` or FailedMount events',
                      pods_missing_secrets),
        symptom_within=180,
        recovery=(ScaleEso(1, lay.eso_namespace),
                  Note("nothing else by hand: no pod deleted, no force-sync; the kubelet retries")),
        converged=AllOf((conv.es_synced(), conv.secrets_exist(lay.secrets),
                         Check("the pods that waited are Ready, same pods (recovered by themselves)",
                               recovered_by_themselves), p.pods_ready)),
        converge_within=600,
        invariants=(p.fernet_kept("end"), p.keep_admin),
        counterparts=COUNTERPARTS,
        sources=("kubernetes#80466", "external-secrets#2088", "external-secrets#4180"),
        notes="A Job pod may stay stuck and need deleting (FAILURES.md 1); the Deployment and StatefulSet "
              "pods must not.",
    )
