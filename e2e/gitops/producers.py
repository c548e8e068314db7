"""What makes a Kubernetes Secret besides External Secrets Operator: SealedSecrets, Vault Secrets Operator,
a plain Secret committed to Git, or a Secret made outside Git (named by the user with --existing-secret).

Why: the chart only needs the Secret to exist with the right keys; a repository that seals its Secrets or
creates them by hand is not missing them. Keys are known for a Secret and a SealedSecret, not for the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from e2e.gitops.model import KubeObject, Repository, as_map


@dataclass(frozen=True)
class Producer:
    kind: str  # "SealedSecret", "Secret", "VaultStaticSecret", "outside Git"...
    namespace: str | None
    name: str
    keys: frozenset[str] | None  # None: not known statically
    obj: KubeObject | None = None

    @property
    def shown(self) -> str:
        return self.obj.ref if self.obj is not None else f"{self.kind} {self.namespace or '*'}/{self.name}"


def _keys(*mappings: Any) -> frozenset[str]:
    return frozenset(str(k) for m in mappings if isinstance(m, dict) for k in m)


def _producer(obj: KubeObject) -> Producer | None:
    group = obj.api_version.split("/", 1)[0] if "/" in obj.api_version else ""
    spec = as_map(obj.body.get("spec"))
    if obj.kind == "Secret" and obj.api_version == "v1":
        return Producer("Secret", obj.namespace, obj.name, _keys(obj.body.get("data"), obj.body.get("stringData")),
                        obj)
    if obj.kind == "SealedSecret" and group == "bitnami.com":
        template = as_map(spec.get("template"))
        meta = as_map(template.get("metadata"))
        namespace = meta.get("namespace") or obj.namespace
        return Producer("SealedSecret", str(namespace) if namespace else None, str(meta.get("name") or obj.name),
                        _keys(spec.get("encryptedData"), template.get("data")), obj)
    if obj.kind in ("VaultStaticSecret", "VaultDynamicSecret", "VaultPKISecret") and group == "secrets.hashicorp.com":
        destination = as_map(spec.get("destination"))
        if destination.get("name"):
            return Producer(obj.kind, obj.namespace, str(destination["name"]), None, obj)
    return None


def secret_producers(repo: Repository, existing: tuple[str, ...] = ()) -> dict[tuple[str | None, str], list[Producer]]:
    """(namespace, name) -> producers; namespace None means "any" (a manifest without one, a bare --existing-secret)."""
    index: dict[tuple[str | None, str], list[Producer]] = {}
    for obj in repo.objects:
        producer = _producer(obj)
        if producer is not None:
            index.setdefault((producer.namespace, producer.name), []).append(producer)
    for entry in existing:
        namespace, _, name = entry.rpartition("/")
        producer = Producer("outside Git", namespace or None, name, None)
        index.setdefault((producer.namespace, name), []).append(producer)
    return index


def producers_of(index: dict[tuple[str | None, str], list[Producer]], namespace: str | None,
                 name: str) -> list[Producer]:
    return index.get((namespace, name), []) + (index.get((None, name), []) if namespace is not None else [])


PLACEHOLDER_MARKERS = ("{{", "${", "<")


def committed_values(obj: KubeObject) -> list[str]:
    """The data/stringData keys of a v1 Secret that carry a real value (not empty, not a placeholder)."""
    out = []
    for field in ("data", "stringData"):
        mapping = obj.body.get(field)
        if not isinstance(mapping, dict):
            continue
        for key, value in mapping.items():
            text = "" if value is None else str(value).strip()
            if not text or (text.startswith(PLACEHOLDER_MARKERS) and text.endswith(("}}", "}", ">"))):
                continue
            out.append(f"{field}.{key}")
    return out
