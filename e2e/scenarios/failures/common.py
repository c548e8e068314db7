"""What several failure scenarios share: references to the earlier tiers' checks (by their objects), the pods
and containers the chart makes, and the steps and invariants built from a repository's Layout.

Why references by object: `preflight(secrets.secret_name_unset)` fails at import when the rule is renamed or
misspelt, where a string id would only fail a test later (or never); each scenario module resolves its
COUNTERPARTS at module level, so the error is at import.
"""

from __future__ import annotations

from collections.abc import Callable

from e2e import component_checks
from e2e.judgement import Judgement, ok, pending, seen
from e2e.observe.snapshot import Snapshot
from e2e.preflight.rules import all_rules
from e2e.scenarios import convergence as conv
from e2e.scenarios import invariants as inv
from e2e.scenarios import symptoms as sym
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import Invariant, Memory, Predicate, Step, When
from e2e.scenarios.steps import ForceSync, RestartAirflowPods, RestorePayload, VaultPayload, WaitForSecretData
from e2e.scenarios.transforms import PayloadEdit
from e2e.stack.operator import AIRFLOW_COMPONENTS

GIT_SYNC_INIT, GIT_SYNC = "git-sync-init", "git-sync"  # the chart's git-sync containers
WAIT_FOR_MIGRATIONS = "wait-for-airflow-migrations"  # the chart's init container
DAG_COMPONENTS = ("scheduler", "dag-processor", "worker", "triggerer")  # the pods that run git-sync


def preflight(rule_func: Callable) -> str:
    """"preflight:<id>" of a registered preflight rule, given its function."""
    found = next((r for r in all_rules() if r.func is rule_func), None)
    if found is None:
        raise LookupError(f"{getattr(rule_func, '__name__', rule_func)!r} is not a registered preflight rule")
    return f"preflight:{found.id}"


def offline(func: Callable) -> str:
    """"offline:<name>" of a pure judgement a run applies before touching the stack."""
    return f"offline:{func.__name__}"


def component(check: str) -> str:
    """"components:<check>" of a component-tier check, given its e2e.component_checks constant (the owner both
    tiers import: a misspelt constant fails at import, an unknown name here)."""
    if check not in (*component_checks.SUITE, *component_checks.CHAIN):
        raise LookupError(f"{check!r} is not a component check (e2e/component_checks.py)")
    return f"components:{check}"


class Parts:
    """The steps, checks and invariants every scenario builds from one Layout."""

    # the git-sync containers of the DAG pods, whose logs say why a clone fails
    dag_logs = tuple((c, container) for container in (GIT_SYNC_INIT, GIT_SYNC) for c in DAG_COMPONENTS)

    def __init__(self, lay: Layout) -> None:
        self.lay = lay
        self.pods_ready = conv.pods_ready(AIRFLOW_COMPONENTS)
        self.keep_key = inv.fernet_key_unchanged(lay.fernet_secret)
        self.keep_admin = inv.admin_user_kept()
        self.keep_running = inv.airflow_keeps_running(AIRFLOW_COMPONENTS)

    def payload_break(self, field: str, what: str, change: Callable[[object], object],
                      secret: str) -> tuple[Step, ...]:
        """`vault kv put` with one payload field changed (`field`: the Layout's name for it, e.g. `broker_field`),
        ESO told to sync the Secret that reads it, and a wait until that Secret holds the new data (pods read
        Secrets only at start)."""
        edit = PayloadEdit(self.lay.need(field), what, change)
        return (VaultPayload((edit,), self.lay.payload_path), self.force(secret),
                WaitForSecretData(secret, changed=True))

    def payload_restore(self, secret: str) -> tuple[Step, ...]:
        """The payload as it was before the break, synced into `secret` and waited for."""
        return RestorePayload(self.lay.payload_path), self.force(secret), WaitForSecretData(secret, changed=False)

    def restart(self, components: tuple[str, ...] = AIRFLOW_COMPONENTS) -> RestartAirflowPods:
        return RestartAirflowPods(components, self.lay.release, self.lay.airflow_namespace)

    def force(self, *secrets: str) -> ForceSync:
        return ForceSync(tuple(self.lay.external_secret(s) for s in secrets))

    def fernet_kept(self, when: When) -> Invariant:
        return inv.fernet_key_unchanged(self.lay.fernet_secret, when)

    def nothing_lost(self) -> tuple[Invariant, ...]:
        """Secrets kept with their data, the key, the running pods and the admin user: for breaks that must
        not touch what already runs."""
        return (inv.secrets_retained(), inv.secret_data_unchanged(), self.keep_key, self.keep_running,
                self.keep_admin)


def git_sync_cannot_clone(patterns: tuple[str, ...]) -> Predicate:
    """git-sync's init container fails or its sidecar restarts, and its log says why (entry 5)."""
    def predicate(obs: Snapshot, _m: Memory) -> Judgement:
        failing = sym.init_containers_failing(obs, (GIT_SYNC_INIT,)) + sym.containers_restarting(obs, (GIT_SYNC,))
        lines = [line for p in patterns for line in sym.log_lines(obs, p)]
        if failing and lines:
            return ok(*failing, *lines)
        return pending(f"git-sync failing: {len(failing)} container(s); matching log lines: {len(lines)}")

    return predicate


def sees(matches: Callable[[Snapshot], list[str]], not_yet: str) -> Predicate:
    """Ok with the matcher's evidence lines once there are any; pending with `not_yet` until then."""
    return lambda obs, _m: seen(matches(obs), not_yet)


def log_says(pattern: str, source: str | None = None) -> Predicate:
    return sees(lambda obs: sym.log_lines(obs, pattern, source), f"no log line matching {pattern!r} yet")
