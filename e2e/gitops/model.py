"""The in-memory model of a GitOps repository that all three tiers read.

Why: a rule, a Secret name or a data key is written once. Objects keep their raw body (so nothing the
repository says is lost) plus the few typed fields the harness reasons about, and where they came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from e2e.gitops.thisrepo import ThisRepository


@dataclass(frozen=True)
class Origin:
    """Where something was read: a path relative to the repository root, and a 1-based line."""

    file: str
    line: int = 0


@dataclass
class KubeObject:
    api_version: str
    kind: str
    name: str
    namespace: str | None
    body: dict[str, Any]
    origin: Origin

    @property
    def ref(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind}/{ns}{self.name}"

    @property
    def annotations(self) -> dict[str, str]:
        return as_map(as_map(self.body.get("metadata")).get("annotations"))


@dataclass
class AppSource:
    """One source of an Argo CD Application (a Git path, a Git `ref`, or a Helm chart)."""

    repo_url: str
    target_revision: str | None
    path: str | None
    chart: str | None
    ref: str | None
    helm: dict[str, Any]
    directory: dict[str, Any]
    body: dict[str, Any]

    @property
    def is_chart(self) -> bool:
        return bool(self.chart)


@dataclass
class Application:
    obj: KubeObject
    sources: list[AppSource]
    destination_namespace: str | None
    sync_wave: int | None

    @property
    def name(self) -> str:
        return self.obj.name

    @property
    def chart_sources(self) -> list[AppSource]:
        return [s for s in self.sources if s.is_chart]

    @property
    def directory_sources(self) -> list[AppSource]:
        return [s for s in self.sources if s.path is not None and not s.is_chart]


@dataclass
class ExternalSecret:
    obj: KubeObject
    store_name: str | None
    store_kind: str
    target_name: str
    creation_policy: str
    template_data: dict[str, str]
    data: list[dict[str, Any]]
    data_from: list[dict[str, Any]]
    refresh_interval: str | None

    @property
    def name(self) -> str:
        return self.obj.name

    @property
    def namespace(self) -> str | None:
        return self.obj.namespace

    @property
    def remote_keys(self) -> list[str]:
        """The provider keys this ExternalSecret reads (e.g. `airflow/config`)."""
        refs = [d.get("remoteRef") for d in self.data] + [d.get("extract") for d in self.data_from]
        keys = [ref.get("key") for ref in refs if isinstance(ref, dict)]
        return [k for k in keys if isinstance(k, str)]

    @property
    def written_keys(self) -> set[str] | None:
        """The data keys this ExternalSecret writes, or None when it cannot be known statically (dataFrom...)."""
        template = get_path(self.obj.body, "spec.target.template")
        merge = template.get("mergePolicy") if isinstance(template, dict) else None
        data_keys = {str(d.get("secretKey")) for d in self.data if d.get("secretKey")}
        if isinstance(template, dict) and template.get("templateFrom"):
            return None
        if self.template_data:
            if merge != "Merge":
                return set(self.template_data)
            return None if self.data_from else set(self.template_data) | data_keys
        return None if self.data_from else data_keys


@dataclass
class VaultStore:
    """A ClusterSecretStore or SecretStore with the Vault provider."""

    obj: KubeObject
    server: str
    path: str | None
    version: str
    ca_provider: dict[str, Any] | None
    ca_bundle: str | None
    auth: dict[str, Any]

    @property
    def name(self) -> str:
        return self.obj.name

    @property
    def kubernetes_auth(self) -> dict[str, Any]:
        return as_map(self.auth.get("kubernetes"))

    @property
    def service_account_ref(self) -> dict[str, Any]:
        return as_map(self.kubernetes_auth.get("serviceAccountRef"))


@dataclass
class ValuesFile:
    path: str
    data: dict[str, Any]
    origin: Origin


@dataclass
class VaultPolicy:
    name: str
    rules: dict[str, list[str]]
    origin: Origin
    text: str
    opaque: bool = False  # its text is not known statically (a Terraform expression): never judged


@dataclass
class VaultRole:
    name: str
    params: dict[str, Any]
    origin: Origin

    def listed(self, key: str) -> list[str]:
        """A role parameter that Vault accepts as a list or a comma-separated string."""
        value = self.params.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        if isinstance(value, list):
            return [str(v) for v in value]
        return [str(value)]


@dataclass(frozen=True)
class Unreadable:
    """A file below the repository that could not be read or parsed (a finding in that file, not exit 2)."""

    file: str
    line: int | None
    reason: str
    templated: bool = False  # it carries template markers ({{ ... }}): a template, not broken YAML


@dataclass
class Repository:
    """Everything read from one GitOps directory."""

    root: Path
    objects: list[KubeObject] = field(default_factory=list)
    data_files: dict[str, list[tuple[int, Any]]] = field(default_factory=dict)
    applications: list[Application] = field(default_factory=list)
    external_secrets: list[ExternalSecret] = field(default_factory=list)
    stores: list[VaultStore] = field(default_factory=list)
    policies: list[VaultPolicy] = field(default_factory=list)
    roles: list[VaultRole] = field(default_factory=list)
    payload_example: dict[str, Any] | None = None
    # every regular file read or readable (relative posix paths), and what the walk refused with why
    # (links out of the repository, FIFOs, devices, unreadable directories): preflight reports each
    files: list[str] = field(default_factory=list)
    refused_files: list[tuple[str, str]] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)
    chart_dirs: list[str] = field(default_factory=list)  # folders with a Chart.yaml ("" = the root)
    terraform_unresolved: list[tuple[str, str]] = field(default_factory=list)  # (file, what) not known statically
    existing_secrets: tuple[str, ...] = ()  # [namespace/]name of Secrets made outside Git (--existing-secret)
    this: ThisRepository = field(default_factory=ThisRepository)  # which repoURL is this repository

    def is_local(self, source: AppSource) -> bool:
        """A Git source of this repository (its paths are files here); a Helm repository chart is not."""
        return not source.is_chart and self.this.is_this(source.repo_url)
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)  # derived views, read once

    def application(self, name: str) -> Application | None:
        return next((a for a in self.applications if a.name == name), None)

    def objects_of_kind(self, kind: str) -> list[KubeObject]:
        return [o for o in self.objects if o.kind == kind]

    def store(self, name: str | None) -> VaultStore | None:
        return next((s for s in self.stores if s.name == name), None)

    def objects_under(self, rel_dir: str) -> list[KubeObject]:
        prefix = _dir_prefix(rel_dir)
        return [o for o in self.objects if o.origin.file.startswith(prefix)]

    def values_file(self, rel_path: str) -> ValuesFile | None:
        docs = self.data_files.get(rel_path)
        if not docs or not isinstance(docs[0][1], dict):
            return None
        return ValuesFile(rel_path, docs[0][1], Origin(rel_path, docs[0][0]))

    def external_secrets_in(self, namespace: str | None) -> list[ExternalSecret]:
        return [es for es in self.external_secrets if es.namespace == namespace]


def as_map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _dir_prefix(rel_dir: str) -> str:
    rel = rel_dir.strip("/")
    return "" if rel in ("", ".") else rel + "/"


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Helm's value merge: mappings merge key by key, anything else replaces."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def get_path(data: Any, dotted: str, default: Any = None) -> Any:
    """`get_path(values, "dags.gitSync.knownHosts")`: a nested value, or default when any step is missing."""
    current = data
    for part in dotted.split("."):
        if not isinstance(current, dict) or part not in current:
            return default
        current = current[part]
    return current
