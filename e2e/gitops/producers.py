"""What makes a Kubernetes Secret besides External Secrets Operator: SealedSecrets, Vault Secrets Operator,
a plain Secret committed to Git, or a Secret made outside Git (named by the user with --existing-secret).

Why: the chart only needs the Secret to exist with the right keys; a repository that seals its Secrets or
creates them by hand is not missing them. Keys are known for a Secret and a SealedSecret, not for the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from e2e.gitops.model import KubeObject, Repository


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


def _meta(body: Any) -> dict[str, Any]:
    meta = body.get("metadata") if isinstance(body, dict) else None
    return meta if isinstance(meta, dict) else {}


def _keys(*mappings: Any) -> frozenset[str]:
    return frozenset(str(k) for m in mappings if isinstance(m, dict) for k in m)


def _producer(obj: KubeObject) -> Producer | None:
    group = obj.api_version.split("/", 1)[0] if "/" in obj.api_version else ""
    spec = obj.body.get("spec") if isinstance(obj.body.get("spec"), dict) else {}
    if obj.kind == "Secret" and obj.api_version == "v1":
        return Producer("Secret", obj.namespace, obj.name, _keys(obj.body.get("data"), obj.body.get("stringData")),
                        obj)
    if obj.kind == "SealedSecret" and group == "bitnami.com":
        template_meta = _meta(spec.get("template"))
        name = str(template_meta.get("name") or obj.name)
        namespace = template_meta.get("namespace") or obj.namespace
        template_data = spec.get("template", {}).get("data") if isinstance(spec.get("template"), dict) else None
        return Producer("SealedSecret", str(namespace) if namespace else None, name,
                        _keys(spec.get("encryptedData"), template_data), obj)
    if obj.kind in ("VaultStaticSecret", "VaultDynamicSecret", "VaultPKISecret") and group == "secrets.hashicorp.com":
        destination = spec.get("destination") if isinstance(spec.get("destination"), dict) else {}
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
