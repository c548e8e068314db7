"""Load a GitOps directory into a `Repository` (conventions in design/ARCHITECTURE.md).

Why here: this is the only place that touches the files. Typed views are built defensively, so a
strange but valid YAML shape becomes a finding later, never a crash now.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from e2e.errors import UnusableInput
from e2e.gitops.hclcache import parse_hcl
from e2e.gitops.model import (
    Application,
    AppSource,
    ExternalSecret,
    KubeObject,
    Origin,
    Repository,
    Unreadable,
    VaultPolicy,
    VaultRole,
    VaultStore,
    as_list,
    as_map,
    as_str,
)
from e2e.gitops.terraform import policy_rules, vault_from_terraform
from e2e.gitops.yamlio import LineDict, load_file, read_text
from e2e.safe_files import walk

YAML_SUFFIXES = (".yaml", ".yml")
PAYLOAD_EXAMPLE = "vault/payload.example.yaml"
MAX_FILES = 20_000
MAX_TEMPLATE_SNIFF = 64 * 1024
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def load_repository(root: Path | str, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> Repository:
    """Read every YAML file below root (and the Vault HCL); only an unreadable root is UnusableInput.

    A file that cannot be read or parsed is recorded in `repo.unreadable` (a finding in that file) and every
    other file is still read: one broken or foreign file must not hide the rest of a repository.
    `include`/`exclude` are globs on paths relative to root (`*` crosses `/`; a plain path means that subtree).
    """
    root = Path(root)
    if not root.exists():
        raise UnusableInput(f"{root}: no such directory")
    if not root.is_dir():
        raise UnusableInput(f"{root}: not a directory")
    repo = Repository(root=root)
    include, exclude = tuple(include), tuple(exclude)
    tree = walk(root, max_files=10 * MAX_FILES)
    repo.refused_files = [(rel, why) for rel, why in tree.refused if _selects(rel, include, exclude)]
    files = [p for p in tree.files if _selects(p.relative_to(root).as_posix(), include, exclude)]
    yaml_files = [p for p in files if p.suffix in YAML_SUFFIXES]
    if len(yaml_files) > MAX_FILES:
        raise UnusableInput(f"{root}: more than {MAX_FILES} YAML files; point at one GitOps repository")
    repo.chart_dirs = _chart_dirs(root, yaml_files)
    if not yaml_files and not (root / "vault" / "policies").is_dir():
        raise UnusableInput(f"{root}: no YAML files found; expected a GitOps repository")
    repo.files = [p.relative_to(root).as_posix() for p in files]
    for path in yaml_files:
        rel = path.relative_to(root).as_posix()
        if _in_chart_templates(rel, repo.chart_dirs):
            continue  # Go templates of a Helm chart folder: not YAML until rendered
        try:
            docs = load_file(path, rel, root)
        except UnusableInput as exc:
            line = _line_of_reason(str(exc), rel)
            repo.unreadable.append(Unreadable(rel, line, _reason(str(exc), rel),
                                              templated=_looks_templated(path, line)))
            continue
        for line, data in docs:
            if _is_kube_object(data):
                repo.objects.append(_kube_object(data, Origin(rel, line)))
            else:
                repo.data_files.setdefault(rel, []).append((line, data))
    _set_patches_aside(repo)
    _build_views(repo)
    _load_vault(repo)
    return repo


def _selects(rel: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    """--include / --exclude: whether preflight reads this repository path."""
    if include and not any(_path_match(p, rel) for p in include):
        return False
    return not any(_path_match(p, rel) for p in exclude)


def _path_match(pattern: str, rel: str) -> bool:
    pattern = pattern.strip().lstrip("./") if pattern.strip() not in (".", "./") else ""
    if not pattern:
        return True
    if not any(ch in pattern for ch in "*?["):
        prefix = pattern.rstrip("/")
        return rel == prefix or rel.startswith(prefix + "/")
    return fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(rel, pattern.rstrip("/") + "/*")


def _chart_dirs(root: Path, yaml_files: list[Path]) -> list[str]:
    """Folders that are Helm charts (a Chart.yaml): their templates/ hold Go templates, not YAML."""
    dirs = [p.parent.relative_to(root).as_posix() for p in yaml_files if p.name == "Chart.yaml"]
    return sorted("" if d == "." else d for d in dirs)


def _in_chart_templates(rel: str, chart_dirs: list[str]) -> bool:
    return any(rel.startswith(f"{chart}/templates/" if chart else "templates/") for chart in chart_dirs)


def _looks_templated(path: Path, line: int | None = None) -> bool:
    """Template markers (Go/Jinja/envsubst) where the parse failed: a template, not broken YAML. With the error
    line known, only that line and the one before count: a values file whose shell script says `${USER}` and
    whose YAML is broken elsewhere is broken, not templated."""
    try:
        head = path.read_bytes()[:MAX_TEMPLATE_SNIFF]
    except OSError:
        return False
    if line:
        head = b"\n".join(head.split(b"\n")[max(line - 2, 0):line])
    return any(marker in head for marker in (b"{{", b"{%", b"${"))


def _reason(message: str, rel: str) -> str:
    """UnusableInput's 'file[:line]: reason' -> reason (the finding names the file itself)."""
    rest = message[len(rel):] if message.startswith(rel) else message
    rest = rest.lstrip(":0123456789").strip()
    return rest or message


def _line_of_reason(message: str, rel: str) -> int | None:
    match = re.match(re.escape(rel) + r":(\d+)", message)
    return int(match.group(1)) if match else None


def _set_patches_aside(repo: Repository) -> None:
    """Objects in files a kustomization lists as patches are partial: data, not objects of their own."""
    kustomizations = [(rel, as_map(data)) for rel, docs in repo.data_files.items()
                      if PurePosixPath(rel).name in KUSTOMIZATION_FILES for _line, data in docs]
    kustomizations += [(obj.origin.file, obj.body) for obj in repo.objects
                       if obj.kind == "Kustomization" and obj.api_version.startswith("kustomize.config.k8s.io/")]
    patch_files = {_normpath(PurePosixPath(rel).parent / entry)
                   for rel, data in kustomizations for entry in _patch_entries(data)}
    if not patch_files:
        return
    kept = []
    for obj in repo.objects:
        if obj.origin.file in patch_files:
            repo.data_files.setdefault(obj.origin.file, []).append((obj.origin.line, obj.body))
        else:
            kept.append(obj)
    repo.objects = kept


def _patch_entries(data: dict[str, Any]) -> list[str]:
    entries = [e for e in as_list(data.get("patchesStrategicMerge")) if isinstance(e, str)]
    for key in ("patches", "patchesJson6902"):
        entries += [e["path"] for e in as_list(data.get(key)) if isinstance(e, dict) and isinstance(e.get("path"), str)]
    return entries


def _normpath(path: PurePosixPath) -> str:
    return posixpath.normpath(path.as_posix()).lstrip("./") if path.as_posix() != "." else ""


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
    wave_text = obj.annotations.get("argocd.argoproj.io/sync-wave")
    try:
        wave = int(str(wave_text).strip()) if wave_text is not None else None
    except ValueError:
        wave = None
    return Application(
        obj=obj,
        sources=sources,
        destination_namespace=as_str(as_map(spec.get("destination")).get("namespace")),
        sync_wave=wave,
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
            _load_hcl(repo, rel, policy=True)
        elif rel.endswith(".tf"):
            _load_hcl(repo, rel, policy=False)
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


def _load_hcl(repo: Repository, rel: str, policy: bool) -> None:
    """A vault/policies/*.hcl policy, or the Vault policies and kubernetes auth roles of a Terraform file
    (e2e/gitops/terraform.py); a file that cannot be read or parsed is unreadable, the others still load."""
    try:
        text = read_text(repo.root / rel, rel, repo.root)
    except UnusableInput as exc:
        repo.unreadable.append(Unreadable(rel, None, _reason(str(exc), rel)))
        return
    if not policy and "vault_" not in text:
        return  # Terraform for something else: not parsed at all
    try:
        parsed = parse_hcl(text) if policy else vault_from_terraform(text, rel)
    except Exception as exc:  # python-hcl2 raises lark errors of several types
        why = _broken_hcl(exc)
        repo.unreadable.append(Unreadable(rel, None, why.rstrip() if policy else why))  # as policies always were
        return
    if policy:
        name = PurePosixPath(rel).stem
        repo.policies.append(VaultPolicy(name=name, rules=policy_rules(parsed), origin=Origin(rel, 1), text=text))
        return
    policies, roles, unresolved = parsed
    repo.policies += policies
    repo.roles += roles
    repo.terraform_unresolved += [(rel, what) for what in unresolved]


def _broken_hcl(exc: Exception) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"broken HCL: {first[:200]}"


__all__ = ["LineDict", "load_repository"]
