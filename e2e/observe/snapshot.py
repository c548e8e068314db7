"""Live objects at one moment, as plain dicts by kind: the one view of a running stack that checks, scenarios
and waits read.

Why plain dicts shaped like the Kubernetes API: every judgement over it (health, materialisation, a
scenario's symptom or convergence) is a pure function, unit-tested on realistic objects without a cluster.
Why a snapshot next to the timeline: "is the Secret byte-equal to Vault" and "is every workload ready" are
questions about now, not about history. Secret values stay in memory only: `secrets` compares them by short
digests, and `to_json` (for artifacts) keeps key names and lengths, never values. Log lines are masked
before they are put here.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from e2e.config import RunConfig
    from e2e.contract import Kube

DIGEST_CHARS = 16
# kind -> the resource name kubectl resolves unambiguously (another CRD may also be called "Application")
NAMESPACED_KINDS = {"ExternalSecret": "externalsecrets.external-secrets.io", "Secret": "secrets", "Job": "jobs.batch",
                    "Pod": "pods", "Deployment": "deployments.apps", "StatefulSet": "statefulsets.apps",
                    "Event": "events"}
# the keyword spelling of each kind (Snapshot.from_lists / replaced; the attributes of the same names)
FIELDS = {"pods": "Pod", "jobs": "Job", "external_secrets": "ExternalSecret", "stores": "ClusterSecretStore",
          "applications": "Application", "events": "Event", "secret_objects": "Secret",
          "deployments": "Deployment", "statefulsets": "StatefulSet"}


def digest(value: bytes | str) -> str:
    """A short sha256 of a secret value: compares values across time without keeping them in reports."""
    data = value.encode() if isinstance(value, str) else value
    return hashlib.sha256(data).hexdigest()[:DIGEST_CHARS]


@dataclass(frozen=True)
class SecretSeen:
    """A Secret as judgements compare it: names, key names and digests of the values."""

    name: str
    namespace: str
    uid: str
    keys: tuple[str, ...]
    digests: dict[str, str] = field(default_factory=dict)  # data key -> digest(value)
    labels: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_api(cls, obj: dict[str, Any]) -> SecretSeen:
        """From a Secret as the API returns it (base64 `data`)."""
        meta = obj.get("metadata") or {}
        data = obj.get("data") or {}
        return cls(
            name=meta.get("name", ""),
            namespace=meta.get("namespace", ""),
            uid=meta.get("uid", ""),
            keys=tuple(sorted(data)),
            digests={k: digest(base64.b64decode(v or "")) for k, v in data.items()},
            labels=dict(meta.get("labels") or {}),
        )


@dataclass(frozen=True)
class Snapshot:
    """One look at the stack: API objects by kind (`kubectl get -o json` items), plus what else was read."""

    objects: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    taken_at: float = 0.0  # epoch seconds
    logs: dict[str, list[str]] = field(default_factory=dict)  # "pod/container" -> masked lines
    users: tuple[str, ...] | None = None  # Airflow usernames (`airflow users list`); None: not read

    @classmethod
    def from_lists(cls, *, taken_at: float = 0.0, logs: dict[str, list[str]] | None = None,
                   users: tuple[str, ...] | None = None, **lists: Iterable[dict[str, Any]]) -> Snapshot:
        """`Snapshot.from_lists(pods=[...], secret_objects=[...])`: the FIELDS keywords, one list per kind."""
        unknown = set(lists) - set(FIELDS)
        if unknown:
            raise TypeError(f"unknown kinds {sorted(unknown)}: use {sorted(FIELDS)}")
        return cls({FIELDS[k]: list(v) for k, v in lists.items()}, taken_at, dict(logs or {}), users)

    def replaced(self, **changes: Any) -> Snapshot:
        """The same look with some kinds (FIELDS keywords) or other fields replaced."""
        kinds = {FIELDS[k]: list(changes.pop(k)) for k in list(changes) if k in FIELDS}
        return replace(self, objects={**self.objects, **kinds}, **changes)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return list(self.objects.get(kind) or [])

    def get(self, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        for obj in self.objects.get(kind) or []:
            meta = obj.get("metadata") or {}
            if meta.get("name") == name and (namespace is None or meta.get("namespace") in (namespace, None)):
                return obj
        return None

    pods = property(lambda self: self.of("Pod"))
    jobs = property(lambda self: self.of("Job"))
    external_secrets = property(lambda self: self.of("ExternalSecret"))
    stores = property(lambda self: self.of("ClusterSecretStore"))
    applications = property(lambda self: self.of("Application"))
    events = property(lambda self: self.of("Event"))

    @cached_property
    def secrets(self) -> dict[str, SecretSeen]:
        """The Secrets by name, as digests (what "unchanged" and "re-created" compare)."""
        return {s.name: s for s in map(SecretSeen.from_api, self.of("Secret"))}

    def application(self, name: str) -> dict[str, Any] | None:
        return self.get("Application", name)

    def external_secret(self, name: str) -> dict[str, Any] | None:
        return self.get("ExternalSecret", name)

    def job(self, name: str) -> dict[str, Any] | None:
        return self.get("Job", name)

    def pods_of_job(self, job: str) -> list[dict[str, Any]]:
        """The pods a Job made (label `job-name`), oldest first as listed."""
        return [p for p in self.pods if ((p.get("metadata") or {}).get("labels") or {}).get("job-name") == job]

    def log_lines(self) -> Iterator[tuple[str, str]]:
        for source, lines in self.logs.items():
            for line in lines:
                yield source, line

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


def take(kube: Kube, config: RunConfig, *, secrets: Collection[str] | None = None,
         logs: dict[str, list[str]] | None = None, users: tuple[str, ...] | None = None) -> Snapshot:
    """Applications (Argo CD namespace), the ClusterSecretStores, the Airflow namespace's objects and the
    events of both namespaces; only the Secrets named in `secrets` when given."""
    objects: dict[str, list[dict[str, Any]]] = {
        "Application": kube.list("applications.argoproj.io", config.argocd_namespace),
        "ClusterSecretStore": kube.list("clustersecretstores.external-secrets.io"),
    }
    for kind, resource in NAMESPACED_KINDS.items():
        objects[kind] = kube.list(resource, config.airflow_namespace)
    objects["Event"] += kube.list("events", config.argocd_namespace)
    if secrets is not None:
        objects["Secret"] = [s for s in objects["Secret"] if name_of(s) in secrets]
    return Snapshot(objects, time.time(), dict(logs or {}), users)


def pod_log(kube: Kube, namespace: str, pod: str, container: str, *, previous: bool = False,
            timestamps: bool = False) -> str:
    """A container's log (pass it through the Masker before writing it anywhere)."""
    return kube.core.read_namespaced_pod_log(pod, namespace, container=container, previous=previous,
                                             timestamps=timestamps)


# --- reading one object ---------------------------------------------------------------------------------------


def name_of(obj: dict[str, Any]) -> str:
    return (obj.get("metadata") or {}).get("name", "")


def conditions(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return list((obj.get("status") or {}).get("conditions") or [])


def condition(obj: dict[str, Any], type_: str) -> dict[str, Any] | None:
    return next((c for c in conditions(obj) if c.get("type") == type_), None)


def container_statuses(pod: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """("init"|"main", status) for every container of a pod, init containers first."""
    status = pod.get("status") or {}
    for kind, key in (("init", "initContainerStatuses"), ("main", "containerStatuses")):
        for cs in status.get(key) or []:
            yield kind, cs


def pod_ready(pod: dict[str, Any]) -> bool:
    ready = condition(pod, "Ready")
    return (pod.get("status") or {}).get("phase") == "Running" and bool(ready and ready.get("status") == "True")


def pod_finished(pod: dict[str, Any]) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")
