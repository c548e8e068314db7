"""Do the values still mean what they meant after a chart upgrade? (FAILURES.md 11)

Why a table: chart releases rename and retire values silently: an old key is simply ignored, so an upgrade
"works" while the admin user, the API server settings or a stable secret key quietly stop applying. Each
known change is one row here (chart version it arrived in, old path, new path, source); the findings list
every row an upgrade from `old_chart` to `new_chart` makes relevant for these values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from e2e import chart, versions
from e2e.errors import UnusableInput
from e2e.gitops.model import get_path

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Rename:
    since: str  # first chart version where the old path is renamed
    old: str
    new: str
    source: str
    severity: Severity = "error"  # "warning" while the chart still honours the old path (deprecated)


# Known renames: e2e.chart.RENAMED_VALUES (one table; preflight's values-key-renamed reads it too). Each is a
# deprecation: the chart still honours the old path, so a warning.
RENAMES: tuple[Rename, ...] = tuple(
    Rename(since, old, new, f"chart {since}: {old} deprecated for {new} (docs/facts.md)", "warning")
    for old, (new, since) in chart.RENAMED_VALUES.items())
# On Airflow 3 the API server replaces the webserver: settings under `webserver.` configure nothing that runs.
WEBSERVER_TO_API_SERVER = ("webserver", "apiServer",
                           "chart 1.17.0: Airflow 3 runs an API server (apache/airflow#52267)")


@dataclass(frozen=True)
class MigrationFinding:
    severity: Severity
    old: str
    new: str | None
    message: str
    source: str

    def to_json(self) -> dict[str, Any]:
        return vars(self).copy()


def chart_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in version.split("-", 1)[0].split("."))
    except ValueError:
        raise UnusableInput(f"not a chart version: {version!r} (expected e.g. 1.21.0)") from None


def _airflow(chart_version: str) -> str:
    try:
        return versions.airflow_version_for_chart(chart_version)
    except KeyError as exc:
        raise UnusableInput(str(exc.args[0])) from None


def values_migration_findings(old_chart: str, new_chart: str, values: dict[str, Any],
                              release: str = "airflow") -> list[MigrationFinding]:
    """What an upgrade from old_chart to new_chart changes about these values (empty: they mean the same)."""
    if chart_key(new_chart) < chart_key(old_chart):
        raise UnusableInput(f"{old_chart} -> {new_chart} is a downgrade: the metadata database cannot follow")
    new_airflow, old_airflow = _airflow(new_chart), _airflow(old_chart)
    findings: list[MigrationFinding] = []
    for rename in RENAMES:
        if chart_key(new_chart) < chart_key(rename.since) or get_path(values, rename.old) is None:
            continue
        both = get_path(values, rename.new) is not None
        crossing = chart_key(old_chart) < chart_key(rename.since)
        findings.append(MigrationFinding(
            rename.severity, rename.old, rename.new,
            f"{rename.old} is set but chart {new_chart} reads {rename.new}"
            + (" (also set: the old value is ignored)" if both else ": move the value before a chart drops the old key")
            + (f"; renamed in {rename.since}, crossed by this upgrade" if crossing else ""),
            rename.source))
    if versions.is_airflow3(new_airflow):
        old_root, new_root, source = WEBSERVER_TO_API_SERVER
        for key in sorted((values.get(old_root) or {}) if isinstance(values.get(old_root), dict) else {}):
            if f"{old_root}.{key}" in {r.old for r in RENAMES}:
                continue
            findings.append(MigrationFinding(
                "warning", f"{old_root}.{key}", f"{new_root}.{key}",
                f"{old_root}.{key} configures the Airflow 2 webserver; Airflow {new_airflow} runs the API server "
                f"({new_root}.{key})", source))
        for ref in chart.SECRET_REFS:
            if not chart.applies_to(ref, new_airflow) or get_path(values, ref.value_path):
                continue
            if ref.airflow == "3":
                newly = "" if versions.is_airflow3(old_airflow) else f" (new with Airflow 3, chart {new_chart})"
                findings.append(MigrationFinding(
                    "error", ref.value_path, None,
                    f"{ref.value_path} is unset{newly}: the chart makes "
                    f"{(ref.chart_generates or '').format(release=release)} itself "
                    f"({ref.generated_how}), so the key changes and pods roll on every sync (FAILURES.md 2)",
                    "docs/facts.md: Secrets the chart makes itself"))
        if get_path(values, "webserverSecretKeySecretName"):
            findings.append(MigrationFinding(
                "info", "webserverSecretKeySecretName", "apiSecretKeySecretName",
                f"webserverSecretKeySecretName is ignored on Airflow {new_airflow}; the API reads "
                "apiSecretKeySecretName", "chart 1.18.0: [api] secret_key for Airflow 3.0+ (apache/airflow#52269)"))
    return findings
