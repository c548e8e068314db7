"""Argo CD from the pinned release's install.yaml, and the objects that let it read the test git server.

Why these objects: the repository Secret (type git, url, sshPrivateKey) and `argocd-ssh-known-hosts-cm`
with the run's host key keep host key checking on; argocd-cm is the release's own (install.yaml
ships `resource.exclusions` and `resource.customizations.ignoreResourceUpdates.*` in it) with the repository's
keys (the Application health check) and a short `timeout.reconciliation` without jitter merged in, so waves
and retries show within a test's patience.
"""

from __future__ import annotations

import hashlib
from typing import Any

from e2e import versions
from e2e.application_status import status_of
from e2e.config import RunConfig
from e2e.gitops.model import Repository
from e2e.gitops.yamlio import plain
from e2e.stack import names
from e2e.stack.common import Obj, config_map, labelled, secret

RECONCILIATION_TIMEOUT = "15s"
# Argo CD adds up to `timeout.reconciliation.jitter` (default 60s since 2.x, argocd-cm.yaml docs) to every
# periodic refresh; 0 disables it, so a test's patience is the timeout alone.
RECONCILIATION_JITTER = "0s"
PART_OF = {"app.kubernetes.io/part-of": "argocd"}
DEPLOYMENTS = ("argocd-server", "argocd-repo-server", "argocd-redis", "argocd-applicationset-controller",
               "argocd-notifications-controller", "argocd-dex-server")
STATEFULSETS = ("argocd-application-controller",)
# Reading argocd-cm's timeout.reconciliation happens at start: these restart after argocd-cm changes.
RESTART_AFTER_CM = ("deployment/argocd-repo-server", "statefulset/argocd-application-controller")


def known_hosts_line(host: str, port: int, public_key: str) -> str:
    """`<host> <keytype> <key>`; `[host]:port` for a port other than 22 (OpenSSH known_hosts format)."""
    name = host if port == 22 else f"[{host}]:{port}"
    return f"{name} {public_key.strip()}"


def repository_secrets(config: RunConfig, repo: Repository, private_key: str) -> list[Obj]:
    out = []
    for url in names.gitops_urls(repo):
        digest = hashlib.sha256(url.url.encode()).hexdigest()[:8]
        out.append(secret(f"repo-{digest}", config.argocd_namespace,
                          {"type": "git", "url": url.url, "sshPrivateKey": private_key}, config,
                          labels={"argocd.argoproj.io/secret-type": "repository"}))
    return out


def known_hosts_lines(repo: Repository, host_public_key: str) -> list[str]:
    """The lines Argo CD trusts: one per GitOps repository host and port."""
    return sorted({known_hosts_line(u.host, u.port, host_public_key) for u in names.gitops_urls(repo)})


def known_hosts_config_map(config: RunConfig, repo: Repository, host_public_key: str) -> Obj:
    lines = known_hosts_lines(repo, host_public_key)
    return config_map("argocd-ssh-known-hosts-cm", config.argocd_namespace,
                      {"ssh_known_hosts": "\n".join(lines) + "\n"}, config, labels=dict(PART_OF))


def argocd_cm(config: RunConfig, repo: Repository, reconciliation: str = RECONCILIATION_TIMEOUT,
              base: Obj | None = None) -> Obj:
    """argocd-cm to apply: `base` (the install.yaml's argocd-cm, at run time) with the repository's argocd-cm
    (if any) and the short reconciliation merged over it.

    Why the base: install.yaml and this object are applied server-side by the same field manager, and a
    server-side apply removes every field the manager owned before and no longer sends; without the base,
    the release's `resource.exclusions` and `ignoreResourceUpdates` keys would be deleted.
    """
    found = next((o for o in repo.objects_of_kind("ConfigMap") if o.name == "argocd-cm"), None)
    ours: dict[str, Any] = plain(found.body) if found else {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "argocd-cm"}, "data": {}}
    shipped: dict[str, Any] = plain(base) if base else {"metadata": {}, "data": {}}
    body: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "argocd-cm"}}
    body["metadata"]["namespace"] = config.argocd_namespace
    if (ours.get("metadata") or {}).get("annotations"):
        body["metadata"]["annotations"] = dict(ours["metadata"]["annotations"])
    body["metadata"]["labels"] = {**((shipped.get("metadata") or {}).get("labels") or {}),
                                  **((ours.get("metadata") or {}).get("labels") or {}), **PART_OF}
    body["data"] = {**(shipped.get("data") or {}), **(ours.get("data") or {}),
                    "timeout.reconciliation": reconciliation, "timeout.reconciliation.jitter": RECONCILIATION_JITTER}
    return labelled(body, config)


def shipped_argocd_cm(install: list[Obj]) -> Obj | None:
    """The argocd-cm install.yaml ships (None when the render has none)."""
    return next((o for o in install if o.get("kind") == "ConfigMap"
                 and (o.get("metadata") or {}).get("name") == "argocd-cm"), None)


def install_source() -> str:
    return versions.ARGOCD_INSTALL_URL


def root_application(repo: Repository) -> Obj:
    """The Application with no parent: the one the harness applies (last); Argo CD creates the rest."""
    children: set[str] = set()
    for app in repo.applications:
        for source in app.directory_sources:
            for obj in repo.objects_under(source.path or ""):
                if obj.kind == "Application":
                    children.add(obj.name)
    roots = [a for a in repo.applications if a.name not in children]
    if len(roots) != 1:
        listed = ", ".join(sorted(a.name for a in roots)) or "none"
        raise ValueError(f"expected exactly one root Application (not a child of another); found: {listed}")
    return plain(roots[0].obj.body)


def child_applications(repo: Repository) -> list[str]:
    root = root_application(repo)["metadata"]["name"]
    return sorted(a.name for a in repo.applications if a.name != root)


def application_state(app: Obj) -> tuple[str, str]:
    """("ok" | "pending" | "failed", reason) for an Application as the API returns it.

    Failed only when it cannot get better by itself: the last sync operation failed and its retries are used up.
    """
    status = app.get("status") or {}
    read = status_of((app.get("metadata") or {}).get("name", ""), app)
    sync, health = read.sync, read.health
    op = status.get("operationState") or {}
    phase = op.get("phase")
    if sync == "Synced" and health == "Healthy" and phase not in ("Running", "Terminating"):
        return "ok", "Synced/Healthy"
    if phase in ("Failed", "Error"):
        limit = ((((app.get("spec") or {}).get("syncPolicy") or {}).get("retry") or {}).get("limit"))
        retries = int(op.get("retryCount") or 0)
        if limit is None or (int(limit) >= 0 and retries >= int(limit)):
            return "failed", f"sync {phase}: {op.get('message', '')}".strip()
    conditions = "; ".join(f"{c.get('type')}: {c.get('message', '')}" for c in status.get("conditions") or [])
    reason = f"sync={sync} health={health}" + (f" operation={phase}" if phase else "")
    return "pending", reason + (f" ({conditions})" if conditions else "")


COMPARISON_ERROR_GRACE_SECONDS = 90.0  # a ComparisonError this old is not a refresh hiccup (a clone that fails)


def synced_revisions(app: Obj) -> set[str]:
    """The revisions an Application's sync status is at (`revision`, or `revisions` for multi-source)."""
    sync = (app.get("status") or {}).get("sync") or {}
    found = {str(r) for r in sync.get("revisions") or [] if r}
    return found | ({str(sync["revision"])} if sync.get("revision") else set())


def _age(timestamp: Any, now: float) -> float | None:
    import datetime

    if not isinstance(timestamp, str):
        return None
    try:
        when = datetime.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return now - when.timestamp()


def convergence_state(root: Obj | None, children: dict[str, Obj | None], pushed: set[str],
                      now: float) -> tuple[str, str]:
    """("ok" | "pending" | "failed", reason) of the converge wait, over the root and its children.

    The root speaks first: a root that cannot clone or render reports a ComparisonError, and a failed sync
    operation with retries used up cannot get better, so both fail at once with Argo CD's own message instead
    of "not created yet" for the whole deadline. A child counts only at a revision this run pushed (`pushed`:
    commit shas; empty = accept any): a reused cluster's Applications were Synced/Healthy at an older commit.
    """
    if root is None:
        return "pending", "root Application not created yet"
    root_name = (root.get("metadata") or {}).get("name", "root")
    status = root.get("status") or {}
    for condition in status.get("conditions") or []:
        if condition.get("type") == "ComparisonError":
            age = _age(condition.get("lastTransitionTime"), now)
            if age is not None and age >= COMPARISON_ERROR_GRACE_SECONDS:
                return "failed", f"{root_name}: ComparisonError for {age:.0f}s: {condition.get('message', '')}"
    state, reason = application_state(root)
    if state == "failed":
        return "failed", f"{root_name}: {reason}"
    root_note = "" if state == "ok" else f" (root {root_name}: {reason}{_operation_note(status)})"
    reasons = []
    for name, app in sorted(children.items()):
        if app is None:
            reasons.append(f"{name}: not created yet{root_note}")
            continue
        state, reason = application_state(app)
        if state == "failed":
            return "failed", f"{name}: {reason}"
        at = synced_revisions(app)
        if state == "ok" and pushed and not at & pushed:
            state, reason = "pending", f"Synced/Healthy at {', '.join(sorted(r[:12] for r in at)) or '?'}, not at " \
                                       f"the pushed {', '.join(sorted(p[:12] for p in pushed))}"
        if state == "pending":
            reasons.append(f"{name}: {reason}")
    return ("ok", "Synced/Healthy at the pushed revision") if not reasons else ("pending", "; ".join(reasons))


def _operation_note(status: dict[str, Any]) -> str:
    op = status.get("operationState") or {}
    if not op:
        return ""
    return f"; operation {op.get('phase', '?')}: {str(op.get('message', ''))[:300]}"
