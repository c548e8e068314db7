"""Load a GitOps directory into a `Repository` (conventions in design/ARCHITECTURE.md).

Why here: this is the only place that touches the files. Typed views are built defensively, so a
strange but valid YAML shape becomes a finding later, never a crash now.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2

from e2e.errors import UnusableInput
from e2e.gitops.model import (
    Application,
    AppSource,
    ExternalSecret,
    KubeObject,
    Origin,
    Repository,
    VaultPolicy,
    VaultRole,
    VaultStore,
)
from e2e.gitops.yamlio import LineDict, load_file, read_text
from e2e.safe_files import walk

YAML_SUFFIXES = (".yaml", ".yml")
PAYLOAD_EXAMPLE = "vault/payload.example.yaml"
MAX_FILES = 20_000


def as_map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def load_repository(root: Path | str) -> Repository:
    root = Path(root)
    if not root.exists():
        raise UnusableInput(f"{root}: no such directory")
    if not root.is_dir():
        raise UnusableInput(f"{root}: not a directory")
    repo = Repository(root=root)
    tree = walk(root, max_files=10 * MAX_FILES)
    repo.refused_files = list(tree.refused)
    yaml_files = [p for p in tree.files if p.suffix in YAML_SUFFIXES]
    if len(yaml_files) > MAX_FILES:
        raise UnusableInput(f"{root}: more than {MAX_FILES} YAML files; point at one GitOps repository")
    if not yaml_files and not (root / "vault" / "policies").is_dir():
        raise UnusableInput(f"{root}: no YAML files found; expected a GitOps repository")
    repo.files = [p.relative_to(root).as_posix() for p in tree.files]
    for path in yaml_files:
        rel = path.relative_to(root).as_posix()
        for line, data in load_file(path, rel, root):
            if _is_kube_object(data):
                repo.objects.append(_kube_object(data, Origin(rel, line)))
            else:
                repo.data_files.setdefault(rel, []).append((line, data))
    _build_views(repo)
    _load_vault(repo)
    return repo


def _is_kube_object(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("apiVersion"), str) and isinstance(data.get("kind"), str)


def _kube_object(data: dict[str, Any], origin: Origin) -> KubeObject:
    meta = as_map(data.get("metadata"))
    name = meta.get("name")
    namespace = meta.get("namespace")
    return KubeObject(
        api_version=data["apiVersion"],
        kind=data["kind"],
        name=str(name) if name is not None else "",
        namespace=str(namespace) if namespace is not None else None,
        body=data,
        origin=origin,
    )


def _build_views(repo: Repository) -> None:
    for obj in repo.objects:
        group = obj.api_version.split("/", 1)[0]
        if obj.kind == "Application" and group == "argoproj.io":
            repo.applications.append(_application(obj))
        elif obj.kind == "ExternalSecret" and group == "external-secrets.io":
            repo.external_secrets.append(_external_secret(obj))
        elif obj.kind in ("ClusterSecretStore", "SecretStore") and group == "external-secrets.io":
            store = _vault_store(obj)
            if store is not None:
                repo.stores.append(store)


def _application(obj: KubeObject) -> Application:
    spec = as_map(obj.body.get("spec"))
    raw_sources = as_list(spec.get("sources")) or ([spec["source"]] if isinstance(spec.get("source"), dict) else [])
    sources = [_app_source(as_map(s)) for s in raw_sources]
    wave_text = obj.annotations.get("argocd.argoproj.io/sync-wave") if isinstance(obj.annotations, dict) else None
    try:
        wave = int(str(wave_text).strip()) if wave_text is not None else None
    except ValueError:
        wave = None
    return Application(
        obj=obj,
        sources=sources,
        destination_namespace=as_str(as_map(spec.get("destination")).get("namespace")),
        sync_wave=wave,
        sync_policy=as_map(spec.get("syncPolicy")),
    )


def _app_source(src: dict[str, Any]) -> AppSource:
    rev = src.get("targetRevision")
    return AppSource(
        repo_url=str(src.get("repoURL") or ""),
        target_revision=str(rev) if rev is not None else None,
        path=as_str(src.get("path")),
        chart=as_str(src.get("chart")),
        ref=as_str(src.get("ref")),
        helm=as_map(src.get("helm")),
        directory=as_map(src.get("directory")),
        body=src,
    )


def _external_secret(obj: KubeObject) -> ExternalSecret:
    spec = as_map(obj.body.get("spec"))
    store_ref = as_map(spec.get("secretStoreRef"))
    target = as_map(spec.get("target"))
    template = as_map(target.get("template"))
    template_data = {str(k): v for k, v in as_map(template.get("data")).items() if isinstance(v, str)}
    refresh = spec.get("refreshInterval")
    return ExternalSecret(
        obj=obj,
        store_name=as_str(store_ref.get("name")),
        store_kind=str(store_ref.get("kind") or "SecretStore"),
        target_name=str(target.get("name") or obj.name),
        creation_policy=str(target.get("creationPolicy") or "Owner"),
        template_data=template_data,
        data=[as_map(d) for d in as_list(spec.get("data"))],
        data_from=[as_map(d) for d in as_list(spec.get("dataFrom"))],
        refresh_interval=str(refresh) if refresh is not None else None,
    )


def _vault_store(obj: KubeObject) -> VaultStore | None:
    vault = as_map(as_map(as_map(obj.body.get("spec")).get("provider")).get("vault"))
    if not vault:
        return None
    ca_provider = vault.get("caProvider")
    return VaultStore(
        obj=obj,
        server=str(vault.get("server") or ""),
        path=as_str(vault.get("path")),
        version=str(vault.get("version") or "v2"),
        ca_provider=ca_provider if isinstance(ca_provider, dict) else None,
        ca_bundle=as_str(vault.get("caBundle")),
        auth=as_map(vault.get("auth")),
    )


def _load_vault(repo: Repository) -> None:
    for rel in repo.files:
        parts = rel.split("/")
        if len(parts) == 3 and parts[:2] == ["vault", "policies"] and parts[2].endswith(".hcl"):
            repo.policies.append(_policy(repo.root, repo.root / rel))
    for rel, docs in list(repo.data_files.items()):
        parts = rel.split("/")
        if len(parts) == 3 and parts[:2] == ["vault", "roles"] and docs:
            line, data = docs[0]
            if isinstance(data, dict):
                name = parts[2].rsplit(".", 1)[0]
                repo.roles.append(VaultRole(name=name, params=data, origin=Origin(rel, line)))
    example = repo.data_files.get(PAYLOAD_EXAMPLE)
    if example and isinstance(example[0][1], dict):
        repo.payload_example = example[0][1]
        repo.payload_example_origin = Origin(PAYLOAD_EXAMPLE, example[0][0])


def _policy(root: Path, path: Path) -> VaultPolicy:
    rel = path.relative_to(root).as_posix()
    text = read_text(path, rel, root)
    try:
        parsed = hcl2.loads(text)
    except Exception as exc:  # python-hcl2 raises lark errors of several types
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UnusableInput(f"{rel}: broken HCL: {first[:200]}") from None
    rules: dict[str, list[str]] = {}
    for block in as_list(parsed.get("path")):
        for raw_path, body in as_map(block).items():
            caps = as_map(body).get("capabilities") or []
            rules[_unquote(raw_path)] = [_unquote(str(c)) for c in as_list(caps)]
    return VaultPolicy(name=path.stem, rules=rules, origin=Origin(rel, 1), text=text)


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


__all__ = ["LineDict", "load_repository"]
