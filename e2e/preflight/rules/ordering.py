"""Sync order between the secrets Application and the chart Application (FAILURES.md 1 and 7).

Why: Argo CD orders waves only inside one sync of one Application. Two sibling Applications applied directly
sync at once; a parent orders its children only when argocd-cm makes it wait for each child to be Healthy.
"""

from __future__ import annotations

from e2e.gitops.model import Application
from e2e.preflight.context import Context
from e2e.preflight.finding import Finding
from e2e.preflight.registry import rule

HEALTH_KEY = "resource.customizations.health.argoproj.io_Application"
LEGACY_KEY = "resource.customizations"


WAVE_KEY = "argocd.argoproj.io/sync-wave"


@rule("waves-without-parent", "error",
      "an Application's sync-wave annotation orders nothing because no parent Application owns it",
      "FAILURES.md 7; seed \"Application order\"")
def waves_without_parent(ctx: Context) -> list[Finding]:
    waved = [a for a in ctx.repo.applications if a.sync_wave is not None]
    if len(waved) < 2:
        return []
    out = []
    for app in waved:
        if not ctx.parents_of(app):
            out.append(ctx.finding(
                file=app.obj.origin.file,
                line=_wave_line(app.obj), obj=app.obj.ref,
                message=f"sync-wave {app.sync_wave} has no effect: no parent Application in this repository "
                        "owns this Application, so it syncs at the same time as its siblings",
                hint="add a parent Application (app of apps) whose directory source holds both Applications, "
                     f"and {HEALTH_KEY} in argocd-cm"))
    return out


@rule("waves-wrong-order", "error",
      "the Application producing the chart's Secrets does not sync in an earlier wave than the chart",
      "FAILURES.md 1")
def waves_wrong_order(ctx: Context) -> list[Finding]:
    out = []
    for aapp in ctx.airflow_apps:
        producers = _secret_producers(ctx, aapp.namespace)
        chart_wave = aapp.app.sync_wave or 0
        for producer in producers:
            if producer is aapp.app:
                continue
            shared = {id(p) for p in ctx.parents_of(producer)} & {id(p) for p in ctx.parents_of(aapp.app)}
            if shared and (producer.sync_wave or 0) >= chart_wave:
                # Reported where the fix goes: the secrets Application's own wave annotation.
                out.append(ctx.finding(
                    file=producer.obj.origin.file, line=_wave_line(producer.obj),
                    obj=producer.obj.ref,
                    message=f"this Application creates the ExternalSecrets of {aapp.ref}, but its sync wave "
                            f"({producer.sync_wave or 0}) is not lower than the chart's ({chart_wave})",
                    hint=f"set argocd.argoproj.io/sync-wave below {chart_wave} in {producer.obj.origin.file} "
                         f"(now {producer.sync_wave or 0})"))
    return out


@rule("app-health-check-missing", "error",
      "a parent Application orders waved children but argocd-cm has no Application health check",
      "FAILURES.md 7")
def app_health_check_missing(ctx: Context) -> list[Finding]:
    parents: dict[int, Application] = {}
    for app in ctx.repo.applications:
        if app.sync_wave is None:
            continue
        for parent in ctx.parents_of(app):
            parents[id(parent)] = parent
    if not parents or _has_health_check(ctx):
        return []
    out = []
    for parent in parents.values():
        out.append(ctx.finding(
            file=parent.obj.origin.file, line=parent.obj.origin.line,
            obj=parent.obj.ref,
            message="this parent orders child Applications by sync wave, but no argocd-cm in the repository "
                    f"sets {HEALTH_KEY}: the parent does not wait for a child to be Healthy before the next wave",
            hint=f"manage argocd-cm (namespace argocd) with data key {HEALTH_KEY} holding the Application "
                 "health Lua (removed from Argo CD's defaults in 1.8)"))
    return out


@rule("store-same-wave-as-external-secrets", "warning",
      "a SecretStore is synced in the same wave as the ExternalSecrets that use it",
      "ESO v2.9.0 flood gate (cmd/controller/root.go); Argo CD sync waves")
def store_same_wave_as_external_secrets(ctx: Context) -> list[Finding]:
    out = []
    for store in ctx.repo.stores:
        owners = {id(a): a for a in ctx.owner_of_file.get(store.obj.origin.file, [])}
        users = [es for es in ctx.repo.external_secrets if es.store_name == store.name
                 and any(id(a) in owners for a in ctx.owner_of_file.get(es.obj.origin.file, []))]
        same = [es for es in users if object_wave(es.obj) <= object_wave(store.obj)]
        if not same:
            continue
        out.append(ctx.finding(
            file=store.obj.origin.file, line=_wave_line(store.obj, or_annotations=False),
            obj=store.obj.ref,
            message=f"{store.obj.ref} syncs in wave {object_wave(store.obj)}, not before "
                    f"{len(same)} ExternalSecret(s) using it (e.g. {same[0].obj.ref}): ESO's flood gate fails "
                    "an ExternalSecret whose store is not Ready yet, Argo CD sees Degraded and the sync fails",
            hint=f"annotate the store with {WAVE_KEY}: \"{min(object_wave(e.obj) for e in same) - 1}\" and give "
                 "the Application syncPolicy.retry"))
    return out


def object_wave(obj) -> int:
    """An object's Argo CD sync wave (0 when unset or unreadable)."""
    try:
        return int(str(obj.annotations.get(WAVE_KEY, "0")).strip())
    except ValueError:
        return 0


def _has_health_check(ctx: Context) -> bool:
    for cm in ctx.repo.objects:
        if cm.kind != "ConfigMap" or cm.name != "argocd-cm":
            continue
        data = cm.body.get("data")
        if not isinstance(data, dict):
            continue
        value = data.get(HEALTH_KEY)
        if isinstance(value, str) and value.strip():
            return True
        legacy = data.get(LEGACY_KEY)
        if isinstance(legacy, str) and "argoproj.io/Application" in legacy and "health.lua" in legacy:
            return True
    return False


def _secret_producers(ctx: Context, namespace: str | None) -> list[Application]:
    """Applications whose directory sources hold ExternalSecrets for this namespace."""
    files = {es.obj.origin.file for es in ctx.es_by_namespace.get(namespace, [])}
    seen: dict[int, Application] = {}
    for rel in files:
        for app in ctx.owner_of_file.get(rel, []):
            seen[id(app)] = app
    return list(seen.values())


def _wave_line(obj, or_annotations: bool = True) -> int:
    """The line of the sync-wave annotation (where a fix goes), else of `annotations:` (unless told not to),
    else of `metadata:`, else the object."""
    meta = obj.body.get("metadata")
    if hasattr(meta, "line_of"):
        annotations = meta.get("annotations")
        if hasattr(annotations, "line_of") and WAVE_KEY in annotations:
            return annotations.line_of(WAVE_KEY)
        return meta.line_of("annotations") if or_annotations and "annotations" in meta else meta.line
    return obj.origin.line
