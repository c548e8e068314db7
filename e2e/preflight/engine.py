"""Run every registered rule over one repository (and optionally a payload) -> a Report.

Why separate from the command: tests and the cluster tier call it in-process; the command only adds
argument parsing, masking and formatting.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from e2e.errors import UnusableInput
from e2e.gitops import load_repository
from e2e.gitops.thisrepo import this_repository
from e2e.gitops.yamlio import load_documents, read_text
from e2e.masking import secret_values
from e2e.preflight.context import Context
from e2e.preflight.finding import SEVERITIES, Finding
from e2e.preflight.rules import all_rules


@dataclass
class Report:
    findings: list[Finding]
    rules_run: int
    files_read: int
    duration_ms: float
    secrets: list[str] = field(default_factory=list)  # payload values the output must mask
    notes: list[str] = field(default_factory=list)  # said once per run (info), not findings: what was not checked

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    def summary(self) -> dict[str, Any]:
        counts = Counter(f.severity for f in self.findings)
        return {
            **{s: counts.get(s, 0) for s in SEVERITIES},
            "rules_run": self.rules_run,
            "files_read": self.files_read,
            "duration_ms": round(self.duration_ms, 1),
            "notes": list(self.notes),
        }


@dataclass
class Payload:
    data: dict[str, Any]
    text: str
    shown_as: str


def load_payload(path: Path) -> Payload:
    """The --payload file: exactly one YAML mapping, else UnusableInput (the message names no value)."""
    if not path.exists():
        raise UnusableInput(f"{path}: payload file not found")
    if not path.is_file():
        raise UnusableInput(f"{path}: payload is not a file")
    text = read_text(path, str(path))
    docs = load_documents(text, str(path))
    if len(docs) != 1 or not isinstance(docs[0][1], dict):
        raise UnusableInput(f"{path}: the payload must be one YAML mapping (the document stored in Vault)")
    return Payload(docs[0][1], text, str(path))


def run_preflight(directory: Path | str, payload_file: Path | str | None = None, *,
                  include: Sequence[str] = (), exclude: Sequence[str] = (),
                  repo_urls: Sequence[str] = (), existing_secrets: Sequence[str] = (),
                  chart_schema: Path | str | None = None, download: bool = False) -> Report:
    """Load DIR (only the --include/--exclude selection), learn which repoURL is this one, run every rule.
    download: fetch a missing chart schema with helm (the command does; in-process callers ask for it)."""
    started = time.perf_counter()
    payload = load_payload(Path(payload_file)) if payload_file is not None else None
    repo = load_repository(Path(directory), include=include, exclude=exclude)
    repo.this = this_repository(Path(directory), tuple(repo_urls))
    repo.existing_secrets = tuple(existing_secrets)
    ctx = Context(repo, payload.data if payload else None, payload.text if payload else None,
                  _shown_path(Path(payload_file), Path(directory)) if payload_file is not None else "--payload")
    notes = _load_chart_schemas(ctx, Path(chart_schema) if chart_schema is not None else None, download)
    findings: list[Finding] = []
    rules = [r for r in all_rules() if payload is not None or not r.needs_payload]
    for rule in rules:
        findings += rule(ctx)
    findings.sort(key=lambda f: f.sort_key)
    files = {o.origin.file for o in repo.objects} | set(repo.data_files) | {p.origin.file for p in repo.policies}
    return Report(findings, len(rules), len(files), (time.perf_counter() - started) * 1000,
                  secret_values(payload.data) if payload else [], notes)


def _load_chart_schemas(ctx: Context, option: Path | None, download: bool) -> list[str]:
    """Each Airflow chart version's values.schema.json, once: the option, the user cache, else (download) helm
    pulls the pinned chart from the repository the Application names. One note per download, one for the
    versions left without a schema (with why)."""
    from e2e.gitops.chartschema import cached_schema_path, download_schema, find_schema
    from e2e.preflight.rules.sources import EXACT_SEMVER

    missing: list[str | None] = []
    notes: list[str] = []
    failures: list[str] = []
    for aapp in ctx.airflow_apps:
        version = aapp.chart_version
        if version in ctx.chart_schemas:
            continue
        schema = find_schema(version, option)
        if schema is None and not download:
            failures[:] = ["offline: nothing downloaded"]
        elif schema is None and version and aapp.chart_repo and EXACT_SEMVER.match(version):
            fetched = download_schema("airflow", aapp.chart_repo, version)
            schema = fetched.schema
            (notes if schema is not None else failures).append(fetched.said)
        ctx.chart_schemas[version] = schema
        if schema is None:
            missing.append(version)
    if missing:
        where = f"{option} has none for it; " if option is not None else ""
        why = "".join(f"{s}; " for s in failures)
        shown = ", ".join(str(v) for v in missing)
        cache = cached_schema_path(str(missing[0])) if missing[0] else "the user cache"
        notes.append(f"values keys not checked against the chart's values.schema.json: none found for chart {shown} "
                     f"({where}{why}give --chart-schema FILE|DIR, or put it at {cache})")
    return notes


def _shown_path(payload_file: Path, directory: Path) -> str:
    """The payload path relative to DIR when it lies inside it (like every other finding), else as given."""
    try:
        return payload_file.resolve().relative_to(directory.resolve()).as_posix()
    except ValueError:
        return str(payload_file)
