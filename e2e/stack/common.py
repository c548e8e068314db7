"""What every stack component shares: labelled objects, namespaces, the workload shapes, a plan file.

Why: every object the harness creates carries the run id (so `down` and `sweep` delete only ours).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from e2e.config import RunConfig
from e2e.gitops.yamlio import plain

Obj = dict[str, Any]


def labelled(obj: Obj, config: RunConfig) -> Obj:
    """A copy of obj with the run's labels merged into metadata.labels (the object's own labels kept)."""
    out = plain(copy.deepcopy(obj))
    meta = out.setdefault("metadata", {})
    meta["labels"] = {**(meta.get("labels") or {}), **config.labels()}
    return out


def namespace(name: str, config: RunConfig) -> Obj:
    return labelled({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}, config)


def run_namespaces(config: RunConfig) -> list[str]:
    """Every namespace a run owns, in creation order. `airflow` is created by us (labelled) before Argo CD's
    CreateNamespace=true sees it, so teardown of an existing cluster removes it too."""
    return [config.vault_namespace, config.eso_namespace, config.argocd_namespace, config.git_namespace,
            config.db_namespace, config.airflow_namespace]


def secret(name: str, namespace_: str, string_data: dict[str, str], config: RunConfig,
           labels: dict[str, str] | None = None) -> Obj:
    return labelled({
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": name, "namespace": namespace_, **({"labels": labels} if labels else {})},
        "stringData": dict(string_data),
    }, config)


def config_map(name: str, namespace_: str, data: dict[str, str], config: RunConfig,
               labels: dict[str, str] | None = None) -> Obj:
    return labelled({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace_, **({"labels": labels} if labels else {})},
        "data": dict(data),
    }, config)


def pod_specs(obj: Obj) -> list[Obj]:
    """The pod spec(s) inside a workload object, whatever its kind."""
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    if kind == "Pod":
        return [spec]
    if kind == "CronJob":
        return [((spec.get("jobTemplate") or {}).get("spec") or {}).get("template", {}).get("spec") or {}]
    template = spec.get("template") if isinstance(spec, dict) else None
    if isinstance(template, dict) and isinstance(template.get("spec"), dict):
        return [template["spec"]]
    return []


def containers(obj: Obj) -> Iterable[Obj]:
    for spec in pod_specs(obj):
        for key in ("initContainers", "containers", "ephemeralContainers"):
            yield from (c for c in spec.get(key) or [] if isinstance(c, dict))


@dataclass
class Manifest:
    """One file of the plan: a name and the objects (or a text, for values files and the kind config)."""

    name: str
    objects: list[Obj] = field(default_factory=list)
    text: str | None = None
