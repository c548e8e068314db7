"""What a scenario can see of a running stack at one moment, as plain data shaped like the Kubernetes API.

Why plain dicts: symptom, convergence and invariant predicates are pure functions of this object, so they are
unit-tested on realistic objects without a cluster, and the runner fills it from the live API. Secrets are
kept as names, key names and short digests of their values (enough to tell "unchanged" from "changed"),
never the values.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

DIGEST_CHARS = 16


def digest(value: bytes | str) -> str:
    """A short sha256 of a secret value: compares values across time without keeping them."""
    data = value.encode() if isinstance(value, str) else value
    return hashlib.sha256(data).hexdigest()[:DIGEST_CHARS]


@dataclass(frozen=True)
class SecretSeen:
    name: str
    namespace: str
    uid: str
    keys: tuple[str, ...]
    digests: dict[str, str] = field(default_factory=dict)  # data key -> digest(value)
    labels: dict[str, str] = field(default_factory=dict)
    owner_kinds: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, obj: dict[str, Any]) -> SecretSeen:
        """From a Secret as the API returns it (base64 `data`); the values are digested and dropped."""
        meta = obj.get("metadata") or {}
        data = obj.get("data") or {}
        return cls(
            name=meta.get("name", ""),
            namespace=meta.get("namespace", ""),
            uid=meta.get("uid", ""),
            keys=tuple(sorted(data)),
            digests={k: digest(base64.b64decode(v or "")) for k, v in data.items()},
            labels=dict(meta.get("labels") or {}),
            owner_kinds=tuple(ref.get("kind", "") for ref in meta.get("ownerReferences") or []),
        )


@dataclass(frozen=True)
class Observed:
    """One look at the stack. Every list holds API objects as dicts (`kubectl get -o json` items)."""

    at: float = 0.0  # epoch seconds
    pods: list[dict[str, Any]] = field(default_factory=list)
    jobs: list[dict[str, Any]] = field(default_factory=list)
    external_secrets: list[dict[str, Any]] = field(default_factory=list)
    stores: list[dict[str, Any]] = field(default_factory=list)  # ClusterSecretStores
    applications: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    secrets: dict[str, SecretSeen] = field(default_factory=dict)  # by name, in the Airflow namespace
    logs: dict[str, list[str]] = field(default_factory=dict)  # "pod/container" -> masked lines
    users: tuple[str, ...] | None = None  # Airflow usernames (`airflow users list`); None: not read
    vault_health: dict[str, Any] | None = None

    def application(self, name: str) -> dict[str, Any] | None:
        return next((a for a in self.applications if name_of(a) == name), None)

    def external_secret(self, name: str) -> dict[str, Any] | None:
        return next((e for e in self.external_secrets if name_of(e) == name), None)

    def job(self, name: str) -> dict[str, Any] | None:
        return next((j for j in self.jobs if name_of(j) == name), None)

    def log_lines(self) -> Iterator[tuple[str, str]]:
        for source, lines in self.logs.items():
            for line in lines:
                yield source, line


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
