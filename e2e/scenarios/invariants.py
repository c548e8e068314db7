"""Nothing lost: pure invariants compared against the baseline observed just before the break.

Why against a baseline: "the fernet key unchanged" and "the Secrets retained" mean "the same as before the
failure", which only a comparison of digests and uids can say without ever holding a secret value.
A "throughout" invariant is checked at every look while the run waits for the symptom and the recovery;
an "end" invariant once, after convergence.
"""

from __future__ import annotations

from e2e.checks.secrets import fernet_key_kept
from e2e.judgement import Judgement, failed, ok
from e2e.observe.snapshot import Snapshot, name_of, pod_ready
from e2e.scenarios.model import Invariant, Memory, When
from e2e.scenarios.symptoms import component_of, uid_of


def lost_and_replaced(obs: Snapshot, memory: Memory) -> tuple[list[str], list[str]]:
    """The baseline's Secrets absent now, and those now another object (uid changed)."""
    before = memory.before.secrets
    return ([n for n in before if n not in obs.secrets],
            [n for n in before if n in obs.secrets and obs.secrets[n].uid != before[n].uid])


def secrets_retained_now(obs: Snapshot, memory: Memory) -> Judgement:
    lost, replaced = lost_and_replaced(obs, memory)
    if lost or replaced:
        return failed(*[f"Secret {n} deleted (deletionPolicy Retain should keep it)" for n in lost],
                      *[f"Secret {n} re-created (uid changed)" for n in replaced])
    return ok(f"{len(memory.before.secrets)} Secrets retained")


def secret_data_unchanged_now(obs: Snapshot, memory: Memory) -> Judgement:
    before = memory.before.secrets
    changed = [f"Secret {n} key {k} changed" for n in before if n in obs.secrets
               for k, d in before[n].digests.items() if obs.secrets[n].digests.get(k) != d]
    return failed(*changed) if changed else ok("Secret data unchanged")


def fernet_key_unchanged_now(obs: Snapshot, memory: Memory, when: When, secret: str) -> Judgement:
    """`secret` is AirflowInstall.fernet_secret; absent is tolerated while waiting, not at the end."""
    return fernet_key_kept(memory.before.get("Secret", secret), obs.get("Secret", secret), secret,
                           tolerate_absent=when != "end")


def admin_user_kept_now(obs: Snapshot, memory: Memory, when: When) -> Judgement:
    if obs.users is None:
        return failed("the Airflow users could not be read at the end") if when == "end" else ok("users not read now")
    if memory.admin_username not in obs.users:
        return failed(f"admin user {memory.admin_username!r} missing; users: {', '.join(obs.users) or 'none'}")
    return ok(f"admin user {memory.admin_username!r} present")


def airflow_keeps_running_now(obs: Snapshot, memory: Memory, components: tuple[str, ...]) -> Judgement:
    was = {uid_of(p): name_of(p) for p in memory.before.pods if component_of(p) in components and pod_ready(p)}
    now = {uid_of(p): p for p in obs.pods if component_of(p) in components}
    broken = [f"pod {name} gone" if uid not in now else f"pod {name} not Ready"
              for uid, name in was.items() if uid not in now or not pod_ready(now[uid])]
    return failed(*broken) if broken else ok(f"{len(was)} Airflow pods kept running")


def secrets_retained() -> Invariant:
    return Invariant("every Secret that existed before the break retained (deletionPolicy: Retain)",
                     secrets_retained_now)


def secret_data_unchanged() -> Invariant:
    return Invariant("every Secret keeps its last good data", secret_data_unchanged_now)


def fernet_key_unchanged(secret: str, when: When = "throughout") -> Invariant:
    """`secret`: the repository's fernetKeySecretName (Layout.fernet_secret)."""
    return Invariant(f"the fernet key unchanged ({when})",
                     lambda obs, m: fernet_key_unchanged_now(obs, m, when, secret), when)


def admin_user_kept(when: When = "end") -> Invariant:
    return Invariant(f"the admin user kept ({when})", lambda obs, m: admin_user_kept_now(obs, m, when), when,
                     reads_users=True)


def airflow_keeps_running(components: tuple[str, ...]) -> Invariant:
    return Invariant(f"Airflow pods ({', '.join(components)}) keep running",
                     lambda obs, m: airflow_keeps_running_now(obs, m, components))
