"""Application sources: what a directory source would parse, and the chart pin (FAILURES.md 16, 11)."""

from __future__ import annotations

import re

from e2e import versions
from e2e.gitops.model import KubeObject
from e2e.preflight.context import Context
from e2e.preflight.finding import Finding
from e2e.preflight.registry import rule

# An exact SemVer 2.0 version (what Helm resolves to one chart and nothing else).
EXACT_SEMVER = re.compile(
    r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-.]+)?$"
)


@rule("directory-source-non-kubernetes-file", "error",
      "a directory source reads a YAML file that is not a Kubernetes object (the whole Application fails)",
      "FAILURES.md 16")
def directory_source_non_kubernetes_file(ctx: Context) -> list[Finding]:
    out = []
    for app in ctx.repo.applications:
        for source in app.sources:
            if not ctx.is_directory_source(source):
                continue
            for rel in ctx.source_files(source):
                docs = ctx.repo.data_files.get(rel)
                if not docs:
                    continue
                out.append(ctx.finding(
                    file=rel, line=docs[0][0], obj=app.obj.ref,
                    message=f"the directory source path {source.path!r} of this Application reads {rel}, which "
                            "is not a Kubernetes object (no apiVersion/kind): Argo CD fails the whole "
                            "Application with \"Object 'Kind' is missing\"",
                    hint=f"move the file out of {source.path!r}, or add it to spec.source.directory.exclude "
                         "(e.g. exclude: '" + rel.rsplit("/", 1)[-1] + "')"))
    return out


@rule("source-in-other-repository", "info",
      "a Git source's repoURL is not this repository: its files are not checked (never looked up here)",
      "issue 14 (sources in other repositories)")
def source_in_other_repository(ctx: Context) -> list[Finding]:
    this = ctx.repo.this
    if not this.known:
        return []
    out = []
    for app in ctx.repo.applications:
        for source in app.sources:
            if source.is_chart or this.is_this(source.repo_url):
                continue
            what = f"path {source.path!r}" if source.path is not None else f"ref {source.ref!r}" \
                if source.ref else "its files"
            out.append(ctx.finding(
                file=app.obj.origin.file, line=_line_of(source.body, "repoURL"),
                obj=app.obj.ref,
                message=f"not checked: {what} is in {source.repo_url}, not in this repository "
                        f"({', '.join(this.urls)}, from {this.how})",
                hint="run preflight on that repository too; if it is this one, name it with --repo-url URL"))
    return out


@rule("chart-version-not-pinned", "error",
      "a Helm chart source's targetRevision is not an exact version, so a refresh can upgrade the chart",
      "FAILURES.md 11; seed \"I pin the chart version\"")
def chart_version_not_pinned(ctx: Context) -> list[Finding]:
    out = []
    for app in ctx.repo.applications:
        for source in app.chart_sources:
            if source.target_revision is not None and EXACT_SEMVER.match(source.target_revision.strip()):
                continue
            shown = "missing" if source.target_revision is None else f"{source.target_revision!r}"
            out.append(ctx.finding(
                file=app.obj.origin.file, line=_line_of(source.body, "targetRevision"),
                obj=app.obj.ref,
                message=f"chart {source.chart!r} targetRevision is {shown}, not an exact version: Argo CD "
                        "installs whatever the range resolves to at refresh time",
                hint=f"pin an exact chart version, e.g. targetRevision: {versions.PINNED_CHART}"))
    return out


@rule("chart-version-unknown", "info",
      "the Airflow chart version is not in the chart -> Airflow table: rules follow the nearest known chart",
      "FAILURES.md 11")
def chart_version_unknown(ctx: Context) -> list[Finding]:
    out = []
    for aapp in ctx.airflow_apps:
        version = aapp.chart_version
        if version is None or not EXACT_SEMVER.match(version) or version in versions.CHART_AIRFLOW:
            continue
        nearest = versions.nearest_chart(version)
        out.append(ctx.finding(
            file=aapp.app.obj.origin.file,
            line=_line_of(aapp.source.body, "targetRevision"), obj=aapp.ref,
            message=f"chart {version} is not in e2e/versions.py CHART_AIRFLOW; rules follow the nearest known "
                    f"chart {nearest} (Airflow {aapp.airflow_version})",
            hint="add the chart version and the Airflow version it ships to CHART_AIRFLOW in e2e/versions.py"))
    return out


def _line_of(mapping: object, key: str) -> int | None:
    line_of = getattr(mapping, "line_of", None)
    return line_of(key) if line_of else None


@rule("file-not-read", "error",
      "a file or directory the repository holds was not read: a symbolic link out of the repository, a FIFO or "
      "device, or an unreadable directory (the harness never follows or reads these; Argo CD would not either)")
def file_not_read(ctx: Context) -> list[Finding]:
    unknown = set(ctx.vault_unknown)
    return [ctx.finding(file=rel, line=None, obj=rel,
                        message=f"{rel} is {why}" + ("; it may hold Vault policies or roles, so the policy and role "
                                                     "checks were not run" if rel in unknown else ""),
                        hint="replace the link by the file itself (inside the repository), remove the special "
                             "file, or make the directory readable")
            for rel, why in ctx.repo.refused_files]


def _kustomize_file(obj: KubeObject) -> bool:
    """A kustomization.yaml (Kustomization, Component) is kustomize's input, never sent to the API server."""
    return obj.api_version.startswith("kustomize.config.k8s.io/")


@rule("object-without-name", "error",
      "a Kubernetes object (an Application, an ExternalSecret, a store...) without metadata.name: the API server "
      "refuses it, Argo CD fails the sync, and every rule that looks it up by name would pass it silently")
def object_without_name(ctx: Context) -> list[Finding]:
    out = []
    for obj in ctx.repo.objects:
        meta = obj.body.get("metadata")
        if obj.name or (isinstance(meta, dict) and meta.get("generateName")) or _kustomize_file(obj):
            continue
        out.append(ctx.finding(
            file=obj.origin.file, line=obj.origin.line, obj=f"{obj.kind} (unnamed)",
            message=f"this {obj.kind} has no metadata.name: the API server refuses it (\"name or generateName is "
                    "required\") and nothing that refers to it by name can find it",
            hint="add metadata.name"))
    return out


def _duplicate_keys(data: object, seen: set[int]) -> list[tuple[str, int]]:
    """Every (key, line) written twice in a mapping anywhere below data (each node visited once)."""
    found: list[tuple[str, int]] = []
    stack = [data]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            found += getattr(node, "duplicate_keys", [])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


@rule("duplicate-key", "warning",
      "a key written twice in one YAML mapping of a Kubernetes object or values file: YAML readers silently "
      "take one of them (PyYAML and Helm the last), "
      "so what you read in the file is not what is applied")
def duplicate_key(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    seen: set[int] = set()
    # what Argo CD and Helm read: Kubernetes objects and the Applications' values files (a CI file of the
    # same repository may redefine keys on purpose, e.g. GitLab's `.setup` templates)
    documents = [(o.origin.file, o.body) for o in ctx.repo.objects]
    values = {v.path: v.data for inst in ctx.all_installs for v in inst.values_files}
    documents += sorted(values.items())
    reported: set[tuple[str, str, int]] = set()
    for rel, data in documents:
        for key, line in _duplicate_keys(data, seen):
            if (rel, key, line) in reported:
                continue
            reported.add((rel, key, line))
            out.append(ctx.finding(file=rel, line=line, obj=rel,
                                   message=f"key {key!r} is written twice in the same mapping; only one of the "
                                           "values is used, silently",
                                   hint=f"keep one {key!r} (merge the two values)"))
    return out
