"""Find the Airflow chart's own values.schema.json for a chart version: an option, else the user cache.

Why: the chart validates values against its schema (`additionalProperties: false` almost everywhere), so a
misspelt or renamed key fails the render, or is silently ignored where the schema allows extra keys. Where it
comes from, in order: `--chart-schema FILE` (that file), `--chart-schema DIR` (`DIR/<version>/values.schema.json`,
else `DIR/values.schema.json`), the user cache `<cache>/charts/airflow/<version>/values.schema.json`
(fill it once with `helm pull apache-airflow/airflow --version V --untar` and copy the file). Nothing is
downloaded here; without a schema the caller says so once and goes on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from e2e.errors import UnusableInput
from e2e.gitops.hclcache import cache_dir

SCHEMA_FILE = "values.schema.json"


@dataclass(frozen=True)
class ChartSchema:
    schema: dict[str, Any]
    source: str  # where it was read, for messages
    chart_version: str | None


def cached_schema_path(chart_version: str) -> Path:
    return cache_dir() / "charts" / "airflow" / chart_version / SCHEMA_FILE


def _candidates(chart_version: str | None, option: Path | None) -> list[Path]:
    found: list[Path] = []
    if option is not None:
        if option.is_dir():
            if chart_version:
                found.append(option / chart_version / SCHEMA_FILE)
            found.append(option / SCHEMA_FILE)
        else:
            found.append(option)
    if chart_version:
        found.append(cached_schema_path(chart_version))
    return found


def find_schema(chart_version: str | None, option: Path | None = None) -> ChartSchema | None:
    """The schema for chart_version, or None; an option that names nothing usable is UnusableInput (exit 2)."""
    if option is not None and not option.exists():
        raise UnusableInput(f"{option}: --chart-schema: no such file or directory")
    for path in _candidates(chart_version, option):
        if not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            if option is not None and path.is_relative_to(option):
                raise UnusableInput(f"{path}: --chart-schema: not a JSON schema ({type(exc).__name__})") from None
            continue  # a broken cache entry is ignored
        if isinstance(data, dict):
            return ChartSchema(data, str(path), chart_version)
    if option is not None and option.is_file():
        raise UnusableInput(f"{option}: --chart-schema: not a JSON object")
    return None
