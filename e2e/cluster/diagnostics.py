"""What to collect when something fails, per component, and writing it masked into artifacts/<test-id>/.

Why a selection function: which logs matter (init containers, the previous run of a restarted container,
git-sync sidecars), which objects to describe and which Argo CD / ESO / Vault state to save is decided over
the live pod list as plain data, and tested; collection then only runs the chosen kubectl commands.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from e2e.config import RunConfig
from e2e.masking import Masker
from e2e.stack.common import run_namespaces

GIT_SYNC_HINTS = ("git-sync", "gitsync")


@dataclass(frozen=True)
class Diagnostic:
    file: str  # relative to the artifacts folder
    argv: list[str]  # kubectl arguments (without `kubectl`)


def _statuses(pod: dict[str, Any]) -> dict[str, dict[str, Any]]:
    status = pod.get("status") or {}
    return {cs.get("name"): cs for cs in (status.get("initContainerStatuses") or [])
            + (status.get("containerStatuses") or [])}


def pod_log_diagnostics(pod: dict[str, Any]) -> list[Diagnostic]:
    """Logs of every init and regular container; `--previous` for restarted ones; git-sync always included."""
    meta = pod.get("metadata") or {}
    ns, name = meta.get("namespace", ""), meta.get("name", "")
    spec = pod.get("spec") or {}
    statuses = _statuses(pod)
    out: list[Diagnostic] = []
    for group in ("initContainers", "containers"):
        for container in spec.get(group) or []:
            cname = container.get("name")
            status = statuses.get(cname) or {}
            started = bool(status.get("state", {}).get("running") or status.get("state", {}).get("terminated")
                           or status.get("lastState", {}).get("terminated"))
            is_git_sync = any(h in (cname or "") or h in (container.get("image") or "") for h in GIT_SYNC_HINTS)
            if started or is_git_sync:
                out.append(Diagnostic(f"logs/{ns}/{name}/{cname}.log",
                                      ["logs", "-n", ns, name, "-c", cname, "--timestamps", "--tail=2000"]))
            if int(status.get("restartCount") or 0) > 0:
                out.append(Diagnostic(f"logs/{ns}/{name}/{cname}.previous.log",
                                      ["logs", "-n", ns, name, "-c", cname, "--previous", "--timestamps",
                                       "--tail=2000"]))
    return out


def namespace_diagnostics(namespace: str) -> list[Diagnostic]:
    return [
        Diagnostic(f"{namespace}/events.txt", ["get", "events", "-n", namespace, "--sort-by=.lastTimestamp", "-o",
                                               "wide"]),
        Diagnostic(f"{namespace}/describe-pods.txt", ["describe", "pods", "-n", namespace]),
        Diagnostic(f"{namespace}/workloads.yaml", ["get", "deployments,statefulsets,jobs,services", "-n", namespace,
                                                   "-o", "yaml"]),
    ]


def component_diagnostics(config: RunConfig) -> list[Diagnostic]:
    """Argo CD operation state, ESO conditions, Vault status: the state each controller reports."""
    return [
        Diagnostic("argocd/applications.yaml", ["get", "applications.argoproj.io", "-n", config.argocd_namespace,
                                                "-o", "yaml"]),
        Diagnostic("eso/externalsecrets.yaml", ["get", "externalsecrets.external-secrets.io", "-A", "-o", "yaml"]),
        Diagnostic("eso/clustersecretstores.yaml", ["get", "clustersecretstores.external-secrets.io", "-o", "yaml"]),
        Diagnostic("vault/status.json", ["exec", "-n", config.vault_namespace, "vault-0", "--", "vault", "status",
                                         "-format=json"]),
        Diagnostic("secrets-keys.json", ["get", "secrets", "-n", config.airflow_namespace, "-o", "json"]),
    ]


def select(config: RunConfig, pods: list[dict[str, Any]], namespaces: list[str]) -> list[Diagnostic]:
    chosen = [d for ns in namespaces for d in namespace_diagnostics(ns)]
    chosen += component_diagnostics(config)
    for pod in pods:
        chosen += pod_log_diagnostics(pod)
    return chosen


def secret_keys_only(text: str) -> str:
    """From `kubectl get secrets -o json`: Secret names and their data key names only, never the values."""
    try:
        items = json.loads(text).get("items") or []
    except (ValueError, AttributeError):
        return "(not JSON; withheld)\n"
    summary = {(i.get("metadata") or {}).get("name", "?"): sorted((i.get("data") or {}).keys()) for i in items}
    return json.dumps(summary, indent=2, sort_keys=True) + "\n"


def collect(run_kubectl: Callable[[list[str]], str], diagnostics: list[Diagnostic], out: Path,
            masker: Masker) -> list[Path]:
    """Run each diagnostic; write its output (or its error) masked. Never raises for one failed command."""
    written: list[Path] = []
    for diag in diagnostics:
        try:
            text = run_kubectl(diag.argv)
        except Exception as exc:  # one missing pod must not lose the rest of the evidence
            text = f"(could not collect: {exc})\n"
        if diag.file == "secrets-keys.json":
            text = secret_keys_only(text)
        path = out / diag.file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(masker.mask(text), encoding="utf-8")
        written.append(path)
    index = out / "diagnostics.json"
    index.write_text(masker.mask(json.dumps([d.file for d in diagnostics], indent=2)), encoding="utf-8")
    return [*written, index]


def collect_run(kube: Any, config: RunConfig, out: Path, masker: Masker) -> list[Path]:
    """Collect over a live run: its namespaces, their pods' logs and the controllers' state (`collect`, `up`)."""
    namespaces = run_namespaces(config)
    pods = [p for ns in namespaces for p in kube.list("pods", ns)]
    return collect(lambda argv: kube.kubectl(*argv, timeout=120), select(config, pods, namespaces), out, masker)
