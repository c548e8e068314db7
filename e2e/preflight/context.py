"""What every rule reads: the repository model, the optional payload, the chart's Airflow version, and indexes.

Why indexes here: rules look things up by name and namespace (ExternalSecrets by target, stores, roles,
policies, the Application owning a file). Building each index once keeps the whole run linear in the size of
the repository, even with thousands of Applications.
"""

from __future__ import annotations

import fnmatch
import re
from collections import defaultdict
from functools import cached_property
from pathlib import PurePosixPath
from typing import Any

import yaml

from e2e.gitops.model import Application, AppSource, ExternalSecret, Repository
from e2e.gitops.yamlio import plain
from e2e.install import AirflowInstall, installs, payload_location
from e2e.preflight.finding import Finding, Severity
from e2e.preflight.registry import RULES

_NOT_DIRECTORY_MARKERS = ("Chart.yaml", "kustomization.yaml", "kustomization.yml", "Kustomization")


def expand_braces(pattern: str) -> list[str]:
    """`{a,b}*.yaml` -> [`a*.yaml`, `b*.yaml`] (Argo CD's directory globs accept brace alternatives)."""
    match = re.search(r"{([^{}]*)}", pattern)
    if not match:
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end():]
    out: list[str] = []
    for alt in match.group(1).split(","):
        out += expand_braces(head + alt + tail)
    return out


def glob_match(pattern: str, rel_path: str) -> bool:
    """Argo CD's include/exclude match: the whole path relative to the source path, `*` crosses `/`."""
    return any(fnmatch.fnmatchcase(rel_path, p) for p in expand_braces(pattern))


class Context:
    def __init__(self, repo: Repository, payload: dict[str, Any] | None = None,
                 payload_text: str | None = None, payload_file: str = "--payload") -> None:
        self.repo = repo
        self.payload = payload
        self.payload_text = payload_text
        self.payload_file = payload_file
        self._template_problems: dict[str, list[Any]] = {}
        self.chart_schemas: dict[str | None, Any] = {}  # chart version -> ChartSchema (set by the engine)
        self.current_rule: str | None = None  # the id of the rule running now (set by registry.Rule)

    # --- findings -------------------------------------------------------------------------------------------
    def finding(self, rule_id: str | None = None, *, file: str, line: int | None, obj: str, message: str, hint: str,
                severity: Severity | None = None) -> Finding:
        """A finding of `rule_id`, by default of the rule running now (the registry sets `current_rule`): a
        rule never retypes its own id; a helper that reports under another rule's id names it."""
        rule_id = rule_id or self.current_rule
        if rule_id is None:
            raise ValueError("a finding made outside a running rule must name its rule id")
        return Finding(rule_id, severity or RULES[rule_id].severity, file, line or None, obj, message, hint)

    @cached_property
    def example_payload_text(self) -> str | None:
        """vault/payload.example.yaml as the YAML text ESO would hand to `fromYaml`."""
        if self.repo.payload_example is None:
            return None
        return yaml.safe_dump(plain(self.repo.payload_example), sort_keys=False)

    def template_problems(self, payload_text: str) -> list[Any]:
        """Template problems for a payload text, evaluated once per run and shared by the rules that ask."""
        from e2e.preflight.templating import template_problems

        if payload_text not in self._template_problems:
            self._template_problems[payload_text] = list(template_problems(
                self.repo.external_secrets, payload_text, payload_location(self.repo)[1]))
        return self._template_problems[payload_text]

    # --- the Airflow chart ----------------------------------------------------------------------------------
    @cached_property
    def all_installs(self) -> list[AirflowInstall]:
        return installs(self.repo)

    @cached_property
    def airflow_apps(self) -> list[AirflowInstall]:
        """The installs whose values could all be read: rules that read values never guess
        (the others are reported once, by `values-unresolved`)."""
        return [inst for inst in self.all_installs if inst.values_complete]

    # --- indexes --------------------------------------------------------------------------------------------
    @cached_property
    def es_by_target(self) -> dict[tuple[str | None, str], list[ExternalSecret]]:
        index: dict[tuple[str | None, str], list[ExternalSecret]] = defaultdict(list)
        for es in self.repo.external_secrets:
            index[(es.namespace, es.target_name)].append(es)
        return index

    @cached_property
    def namespaces_fed_from_elsewhere(self) -> set[str | None]:
        """Destination namespaces of Applications with a Git source in another repository: what lands there is
        not all visible here, so "nothing here produces it" is not a finding (source-in-other-repository is)."""
        return {app.destination_namespace for app in self.repo.applications
                if any(not s.is_chart and not self.repo.this.is_this(s.repo_url) for s in app.sources)}

    @cached_property
    def producers(self) -> dict[tuple[str | None, str], list[Any]]:
        """Secrets made by something other than ESO (e2e/gitops/producers.py), by (namespace, name)."""
        from e2e.gitops.producers import secret_producers

        return secret_producers(self.repo, self.repo.existing_secrets)

    def other_producers(self, namespace: str | None, name: str) -> list[Any]:
        from e2e.gitops.producers import producers_of

        return producers_of(self.producers, namespace, name)

    @cached_property
    def es_by_namespace(self) -> dict[str | None, list[ExternalSecret]]:
        index: dict[str | None, list[ExternalSecret]] = defaultdict(list)
        for es in self.repo.external_secrets:
            index[es.namespace].append(es)
        return index

    @cached_property
    def stores_by_name(self) -> dict[str, Any]:
        return {s.name: s for s in self.repo.stores}

    @cached_property
    def roles_by_name(self) -> dict[str, Any]:
        return {r.name: r for r in self.repo.roles}

    @cached_property
    def policies_by_name(self) -> dict[str, Any]:
        return {p.name: p for p in self.repo.policies}

    @cached_property
    def vault_unknown(self) -> list[str]:
        """Files or directories not read that may hold Vault policies or roles (a `.hcl`/`.tf` file, anything
        under a `vault`/`polic*`/`role*` path, a directory): while any is unknown, the rules that would call a
        policy or role missing do not run (file-not-read / file-unreadable already names the cause)."""
        def may_hold(rel: str, why: str) -> bool:
            low = rel.lower()
            return (low.endswith((".hcl", ".tf")) or any(w in low for w in ("vault", "polic", "role"))
                    or "directory" in why)
        return [rel for rel, why in self.repo.refused_files if may_hold(rel, why)] + \
            [u.file for u in self.repo.unreadable if may_hold(u.file, u.reason)]

    @cached_property
    def files_by_dir(self) -> dict[str, list[str]]:
        """Directory -> files directly inside it (every YAML file the loader read)."""
        index: dict[str, list[str]] = defaultdict(list)
        files = {o.origin.file for o in self.repo.objects} | set(self.repo.data_files)
        for rel in sorted(files):
            index[str(PurePosixPath(rel).parent)].append(rel)
        return index

    @cached_property
    def subdirs(self) -> dict[str, list[str]]:
        index: dict[str, set[str]] = defaultdict(set)
        for directory in self.files_by_dir:
            path = PurePosixPath(directory)
            while str(path) != ".":
                index[str(path.parent)].add(str(path))
                path = path.parent
        return {k: sorted(v) for k, v in index.items()}

    def is_directory_source(self, source: AppSource) -> bool:
        """Argo CD's plain-manifest type: a path, no chart/helm/kustomize/plugin, no Chart.yaml or kustomization."""
        if source.path is None or source.is_chart or not self.repo.is_local(source):
            return False
        if any(key in source.body for key in ("helm", "kustomize", "plugin")):
            return False
        base = _norm_dir(source.path)
        return not any(PurePosixPath(f).name in _NOT_DIRECTORY_MARKERS for f in self.files_by_dir.get(base, []))

    def source_files(self, source: AppSource) -> list[str]:
        """The YAML files a directory source reads: recurse, include and exclude as Argo CD applies them."""
        base = _norm_dir(source.path or "")
        recurse = bool(source.directory.get("recurse"))
        include = source.directory.get("include")
        exclude = source.directory.get("exclude")
        dirs, picked = [base], []
        while dirs:
            current = dirs.pop()
            for rel in self.files_by_dir.get(current, []):
                sub = rel if base == "." else rel[len(base) + 1:]
                if isinstance(exclude, str) and exclude and glob_match(exclude, sub):
                    continue
                if isinstance(include, str) and include and not glob_match(include, sub):
                    continue
                picked.append(rel)
            if recurse:
                dirs += self.subdirs.get(current, [])
        return sorted(picked)

    @cached_property
    def owner_of_file(self) -> dict[str, list[Application]]:
        """File -> the Applications whose directory sources read it (the app-of-apps relation)."""
        owners: dict[str, list[Application]] = defaultdict(list)
        for app in self.repo.applications:
            for source in app.sources:
                if self.is_directory_source(source):
                    for rel in self.source_files(source):
                        owners[rel].append(app)
        return owners

    def parents_of(self, app: Application) -> list[Application]:
        return [p for p in self.owner_of_file.get(app.obj.origin.file, []) if p is not app]


def _norm_dir(path: str) -> str:
    clean = str(PurePosixPath(path.strip().strip("/") or "."))
    return "." if clean in ("", ".") else clean
