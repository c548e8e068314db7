"""Values keys against the chart's own values.schema.json, and keys a chart upgrade renamed (FAILURES.md 11).

Why: Helm validates values against the chart's schema, which forbids unknown keys almost everywhere: a
misspelt key fails the render (Argo CD ComparisonError) or, where extra keys are allowed, is silently ignored.
The schema comes from the engine (e2e/gitops/chartschema.py); without one these rules say nothing and the run
carries one note instead.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from e2e import versions
from e2e.chart import RENAMED_VALUES
from e2e.gitops.model import get_path
from e2e.install import AirflowInstall
from e2e.preflight.context import Context
from e2e.preflight.finding import Finding
from e2e.preflight.registry import rule

MAX_DEPTH = 32


def _resolve(schema: dict[str, Any], node: Any, depth: int = 0) -> dict[str, Any]:
    """Follow local `$ref`s (`#/definitions/x`, `#/$defs/x`)."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and depth < MAX_DEPTH:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return {}
        target: Any = schema
        for part in ref[2:].split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        node = target
        depth += 1
    return node if isinstance(node, dict) else {}


def _object_branches(schema: dict[str, Any], node: dict[str, Any]) -> list[dict[str, Any]]:
    branches = [node]
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in node.get(key) or []:
            branches.append(_resolve(schema, sub))
    return [b for b in branches if b]


def unknown_keys(schema: dict[str, Any], values: Any) -> Iterator[tuple[str, list[str]]]:
    """(dotted path, allowed sibling keys) for each values key the schema forbids (additionalProperties false)."""
    stack: list[tuple[str, Any, dict[str, Any], int]] = [("", values, _resolve(schema, schema), 0)]
    while stack:
        prefix, value, node, depth = stack.pop()
        if not isinstance(value, dict) or depth > MAX_DEPTH:
            continue
        branches = _object_branches(schema, node)
        properties: dict[str, Any] = {}
        for branch in branches:
            if isinstance(branch.get("properties"), dict):
                properties.update(branch["properties"])
        closed = bool(properties) and all(b.get("additionalProperties") is False for b in branches
                                          if "properties" in b or "additionalProperties" in b)
        patterns = [p for b in branches for p in (b.get("patternProperties") or {})]
        for key, sub in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key in properties:
                stack.append((path, sub, _resolve(schema, properties[key]), depth + 1))
            elif closed and not patterns:
                yield path, sorted(properties)


def _suggestion(key: str, allowed: list[str]) -> str | None:
    lowered = {a.lower(): a for a in allowed}
    if key.lower() in lowered:
        return lowered[key.lower()]
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return close[0] if close else None


def _schemas(ctx: Context) -> Iterator[tuple[AirflowInstall, Any]]:
    for aapp in ctx.airflow_apps:
        schema = ctx.chart_schemas.get(aapp.chart_version)
        if schema is not None:
            yield aapp, schema


@rule("values-key-unknown", "error",
      "a values key is not in the chart's values.schema.json for the pinned chart (misspelt, or renamed)",
      "FAILURES.md 11; Helm values schema")
def values_key_unknown(ctx: Context) -> list[Finding]:
    out = []
    for aapp, schema in _schemas(ctx):
        for path, allowed in unknown_keys(schema.schema, aapp.values):
            key = path.rsplit(".", 1)[-1]
            renamed = RENAMED_VALUES.get(path)
            guess = renamed[0] if renamed else _suggestion(key, allowed)
            file, line = aapp.locate(path)
            if renamed:
                hint = f"renamed in chart {renamed[1]}: use {renamed[0]}"
            elif guess:
                hint = f"did you mean {(path.rsplit('.', 1)[0] + '.') if '.' in path else ''}{guess}?"
            else:
                hint = "remove it, or check the chart's values.yaml for the key you meant"
            out.append(ctx.finding(
                file=file, line=line, obj=aapp.ref,
                message=f"{path} is not a value of chart {aapp.chart_version} (its values.schema.json, "
                        f"{schema.source}): Helm refuses the values, Argo CD shows a ComparisonError",
                hint=hint))
    return out


@rule("values-key-renamed", "warning",
      "a values key the pinned chart version renamed or deprecated is still set (FAILURES.md 11)",
      "FAILURES.md 11; docs/facts.md chart table")
def values_key_renamed(ctx: Context) -> list[Finding]:
    out = []
    for aapp in ctx.airflow_apps:
        pinned = versions.nearest_chart(aapp.chart_version)
        for old, (new, since) in RENAMED_VALUES.items():
            if get_path(aapp.values, old) is None or versions.chart_order(pinned) < versions.chart_order(since):
                continue
            schema = ctx.chart_schemas.get(aapp.chart_version)
            if schema is not None and any(p == old for p, _ in unknown_keys(schema.schema, aapp.values)):
                continue  # values-key-unknown already names it, with the new name
            file, line = aapp.locate(old)
            out.append(ctx.finding(
                file=file, line=line, obj=aapp.ref,
                message=f"{old} is renamed to {new} since chart {since} (pinned {aapp.chart_version}): the old "
                        "key is deprecated and may be ignored",
                hint=f"move the value to {new}"))
    return out
