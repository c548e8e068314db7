"""Live objects at one moment, as plain dicts by kind: what the materialisation and health checks read.

Why a snapshot next to the timeline: "is the Secret byte-equal to Vault" and "is every workload ready" are
questions about now, not about history. Secret values stay in memory only; `to_json` (for artifacts) keeps
key names and lengths, never values.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from typing import Any

from e2e.config import RunConfig
from e2e.contract import Kube

# kind -> the resource name kubectl resolves unambiguously (another CRD may also be called "Application")
NAMESPACED_KINDS = {"ExternalSecret": "externalsecrets.external-secrets.io", "Secret": "secrets", "Job": "jobs.batch",
                    "Pod": "pods", "Deployment": "deployments.apps", "StatefulSet": "statefulsets.apps"}


@dataclass
class Snapshot:
    objects: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    taken_at: float = 0.0

    def of(self, kind: str) -> list[dict[str, Any]]:
        return list(self.objects.get(kind) or [])

    def get(self, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        for obj in self.objects.get(kind) or []:
            meta = obj.get("metadata") or {}
            if meta.get("name") == name and (namespace is None or meta.get("namespace") in (namespace, None)):
                return obj
        return None

    def to_json(self) -> dict[str, Any]:
        """For artifacts: every Secret value replaced by its length."""
        out: dict[str, list[dict[str, Any]]] = {}
        for kind, items in self.objects.items():
            out[kind] = [_redacted(o) if kind == "Secret" else o for o in items]
        return {"taken_at": self.taken_at, "objects": out}


def _redacted(secret: dict[str, Any]) -> dict[str, Any]:
    copy = dict(secret)
    copy["data"] = {k: f"<{len(secret_bytes(secret, k) or b'')} bytes>" for k in (secret.get("data") or {})}
    copy.pop("stringData", None)
    annotations = dict((secret.get("metadata") or {}).get("annotations") or {})
    annotations.pop("kubectl.kubernetes.io/last-applied-configuration", None)
    copy["metadata"] = {**(secret.get("metadata") or {}), "annotations": annotations}
    return copy


def secret_bytes(secret: dict[str, Any], key: str) -> bytes | None:
    """One data value of a Secret as bytes (the API sends base64), or None when the key is absent."""
    value = (secret.get("data") or {}).get(key)
    if value is None:
        return None
    return base64.b64decode(value)


def take(kube: Kube, config: RunConfig) -> Snapshot:
    """Applications (Argo CD namespace), the ClusterSecretStores, and the Airflow namespace's objects."""
    objects: dict[str, list[dict[str, Any]]] = {
        "Application": kube.list("applications.argoproj.io", config.argocd_namespace),
        "ClusterSecretStore": kube.list("clustersecretstores.external-secrets.io"),
    }
    for kind, resource in NAMESPACED_KINDS.items():
        objects[kind] = kube.list(resource, config.airflow_namespace)
    return Snapshot(objects=objects, taken_at=time.time())


def pod_log(kube: Kube, namespace: str, pod: str, container: str, *, previous: bool = False,
            timestamps: bool = False) -> str:
    """A container's log (pass it through the Masker before writing it anywhere)."""
    return kube.core.read_namespaced_pod_log(pod, namespace, container=container, previous=previous,
                                             timestamps=timestamps)
