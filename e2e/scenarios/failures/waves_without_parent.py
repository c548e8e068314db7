"""FAILURES.md 7: sync waves across two Applications are ignored without Argo CD's Application health check:
the re-created chart Application starts syncing before the secrets one finished, and Argo CD shows no error."""

from __future__ import annotations

from e2e.judgement import Judgement, failed, ok, pending
from e2e.observe.snapshot import Snapshot
from e2e.preflight.rules import ordering
from e2e.scenarios import convergence as conv
from e2e.scenarios import symptoms as sym
from e2e.scenarios.failures.common import Parts, preflight
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import AllOf, Check, Memory, Predicate, Scenario
from e2e.scenarios.steps import ConfigMapKeyFromRepo, DeleteApplication, GitCommit, RestoreFiles
from e2e.scenarios.transforms import DELETE, EditObject

ARGOCD_CM = "argocd-cm"  # Argo CD's own settings ConfigMap
HEALTH_KEY = "resource.customizations.health.argoproj.io_Application"


def _operation(app: dict | None, field: str) -> str | None:
    return (((app or {}).get("status") or {}).get("operationState") or {}).get(field)


def _recreated(obs: Snapshot, memory: Memory, name: str) -> dict | None:
    app, was = obs.application(name), memory.before.application(name)
    return app if app is not None and sym.uid_of(app) != sym.uid_of(was) else None


def chart_synced(before: bool, chart_app: str, secrets_app: str) -> Predicate:
    """The re-created chart Application started syncing before (`before`) or after the re-created secrets one
    finished syncing (RFC 3339 UTC timestamps compare as text)."""
    def predicate(obs: Snapshot, memory: Memory) -> Judgement:
        started = _operation(_recreated(obs, memory, chart_app), "startedAt")
        done = _operation(_recreated(obs, memory, secrets_app), "finishedAt")
        if not started or not done:
            return pending("both Applications re-created and synced at least once: not yet")
        if (started < done) == before:
            order = "before" if before else "after"
            tail = " (no wave ordering)" if before else ""
            return ok(f"{chart_app} sync started {started}, {order} {secrets_app} finished {done}{tail}")
        if before:
            return failed(f"{chart_app} started {started} after {secrets_app} finished {done}: the waves were honoured")
        return failed(f"{chart_app} started {started} before {secrets_app} finished {done}: waves still ignored")

    return predicate


def argo_shows_no_error(apps: tuple[str, ...]) -> Predicate:
    def predicate(obs: Snapshot, _m: Memory) -> Judgement:
        errors = [line for app in apps for line in sym.application_condition(obs, app, "Error")]
        return failed(*errors) if errors else ok("Argo CD shows no error condition")

    return predicate


COUNTERPARTS = (preflight(ordering.app_health_check_missing),)


def scenario(lay: Layout, upgrade_to: str) -> Scenario:
    p, argocd_cm = Parts(lay), lay.need("argocd_cm")
    chart_app, secrets_app, argo_ns = lay.chart_app, lay.need("secrets_app_name"), lay.argocd_namespace
    recreate = (ConfigMapKeyFromRepo(argocd_cm, ARGOCD_CM, HEALTH_KEY), DeleteApplication(chart_app, argo_ns),
                DeleteApplication(secrets_app, argo_ns))
    return Scenario(
        name="waves-without-parent", entry=7, title="Waves across two Applications ignored",
        reproduces="Remove the Application health check from argocd-cm and let the parent re-create both "
                   "Applications.",
        break_=(GitCommit("argocd-cm: drop the Application health customization", (
            EditObject(argocd_cm, "ConfigMap", ARGOCD_CM, ("data", HEALTH_KEY), DELETE),)), *recreate),
        symptom=AllOf((Check(f"{chart_app} starts syncing before {secrets_app} finished",
                             chart_synced(True, chart_app, secrets_app)),
                       Check("Argo CD shows no error", argo_shows_no_error((chart_app, secrets_app))))),
        symptom_within=600,
        recovery=(RestoreFiles("argocd-cm: the Application health customization"), *recreate),
        converged=AllOf((Check(f"{chart_app} starts syncing after {secrets_app} finished",
                               chart_synced(False, chart_app, secrets_app)),
                         conv.apps_synced(secrets_app, chart_app), conv.es_synced(), p.pods_ready)),
        converge_within=900,
        invariants=(p.fernet_kept("end"), p.keep_admin),
        counterparts=COUNTERPARTS,
        sources=("argo-cd#8358", "argo-cd#16870", "argo-cd#6411"),
    )
