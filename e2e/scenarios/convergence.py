"""Pure predicates for "the stack is well again": Secrets synced, pods Ready, Jobs complete, apps in sync.

Why separate from symptoms: convergence predicates also know the terminal states (an image that cannot be
pulled, a Job that failed after the recovery) and fail at once with the reason instead of waiting out the
bound, as the architecture asks of every wait.
"""

from __future__ import annotations

from collections.abc import Iterable

from e2e.application_status import synced_healthy
from e2e.judgement import Judgement, failed, ok, pending
from e2e.observe.snapshot import Snapshot, condition, container_statuses, name_of, pod_finished, pod_ready
from e2e.observe.wait import TERMINAL_WAITING  # image and container errors no retry mends
from e2e.scenarios.model import Check, Memory
from e2e.scenarios.symptoms import component_of, job_state, uid_of


def airflow_pods_ready(obs: Snapshot, components: Iterable[str]) -> Judgement:
    """Every pod of these components Ready; terminal image errors fail at once."""
    wanted = set(components)
    pods = [p for p in obs.pods if component_of(p) in wanted and not pod_finished(p)
            and not (p.get("metadata") or {}).get("deletionTimestamp")]
    for pod in pods:
        for _kind, cs in container_statuses(pod):
            reason = ((cs.get("state") or {}).get("waiting") or {}).get("reason")
            if reason in TERMINAL_WAITING:
                return failed(f"pod {name_of(pod)} container {cs.get('name')} waiting {reason}")
    if not pods:
        return pending(f"no pods of {', '.join(sorted(wanted))} yet")
    not_ready = [name_of(p) for p in pods if not pod_ready(p)]
    if not_ready:
        return pending(f"pods not Ready: {', '.join(sorted(not_ready))}")
    return ok(f"{len(pods)} Airflow pods Ready")


def external_secrets_synced(obs: Snapshot) -> Judgement:
    ess = obs.external_secrets
    if not ess:
        return pending("no ExternalSecrets observed")
    waiting = []
    for es in ess:
        ready = condition(es, "Ready") or {}
        if not (ready.get("status") == "True" and ready.get("reason") == "SecretSynced"):
            waiting.append(f"{name_of(es)} Ready={ready.get('status', '?')} {ready.get('reason', '')}")
    if waiting:
        return pending("ExternalSecrets not synced: " + "; ".join(waiting))
    return ok(f"{len(ess)} ExternalSecrets Ready=True SecretSynced")


def secrets_present(obs: Snapshot, names: Iterable[str]) -> Judgement:
    missing = [n for n in names if n not in obs.secrets]
    return pending(f"Secrets missing: {', '.join(missing)}") if missing else ok("every Secret present")


def job_complete_after_break(obs: Snapshot, memory: Memory, name: str) -> Judgement:
    """The named Job Complete. A Job that failed and was not already there at the symptom fails at once."""
    job = obs.job(name)
    if job is None:
        return pending(f"Job {name} absent")
    state = job_state(job)
    if state == "Complete":
        return ok(f"Job {name} Complete")
    old = memory.at_symptom.job(name) if memory.at_symptom else None
    if state == "Failed" and (old is None or uid_of(old) != uid_of(job)):
        return failed(f"Job {name} Failed after the recovery: {(condition(job, 'Failed') or {}).get('message', '')}")
    return pending(f"Job {name} {state}")


# --- Check factories -----------------------------------------------------------------------------------------


def pods_ready(components: tuple[str, ...]) -> Check:
    return Check(f"Airflow pods ({', '.join(components)}) Running and Ready",
                 lambda obs, _m: airflow_pods_ready(obs, components))


def es_synced() -> Check:
    return Check("every ExternalSecret Ready=True SecretSynced", lambda obs, _m: external_secrets_synced(obs))


def secrets_exist(names: tuple[str, ...]) -> Check:
    return Check(f"Secrets exist: {', '.join(names)}", lambda obs, _m: secrets_present(obs, names))


def apps_synced(*names: str) -> Check:
    return Check(f"Applications {', '.join(names)} Synced/Healthy",
                 lambda obs, _m: synced_healthy(names, obs.application))


def job_complete(name: str) -> Check:
    return Check(f"Job {name} Complete", lambda obs, m: job_complete_after_break(obs, m, name))


def store_ready() -> Check:
    def check(obs: Snapshot, _m: Memory) -> Judgement:
        bad = [f"{name_of(s)} {(condition(s, 'Ready') or {}).get('reason', '?')}" for s in obs.stores
               if (condition(s, "Ready") or {}).get("status") != "True"]
        if not obs.stores:
            return pending("no ClusterSecretStore observed")
        return pending("store not Ready: " + "; ".join(bad)) if bad else ok("ClusterSecretStore Ready=True")

    return Check("ClusterSecretStore Ready=True", check)
