"""Every pinned version the harness uses, as data, in one place.

Why one module: a chart upgrade, a new kind node image or a new Argo CD release is a one-line change here,
and `plan`, the component tier and the workflows all read the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

# Airflow Helm chart -> the Airflow version it ships by default (chart/Chart.yaml appVersion).
# Source: chart/RELEASE_NOTES.rst in apache/airflow. 1.21.0 is the seed's pin; 1.22.0 notes say
# "previously it was 3.2.1", so 1.21.x ended on 3.2.1 (FACTS.md marked 1.21.0 UNCONFIRMED).
CHART_AIRFLOW: dict[str, str] = {
    "1.15.0": "2.9.3",
    "1.16.0": "2.10.5",
    "1.17.0": "3.0.2",
    "1.18.0": "3.0.2",
    "1.19.0": "3.1.7",
    "1.20.0": "3.1.8",
    "1.21.0": "3.2.1",
    "1.22.0": "3.2.2",
}

PINNED_CHART = "1.21.0"
LATEST_CHART = "1.22.0"
AIRFLOW_CHART_REPO = "https://airflow.apache.org"


def airflow_version_for_chart(chart_version: str) -> str:
    """The Airflow version a chart version ships; a clear error for an unknown chart."""
    try:
        return CHART_AIRFLOW[chart_version]
    except KeyError:
        known = ", ".join(sorted(CHART_AIRFLOW))
        raise KeyError(f"unknown Airflow chart version {chart_version!r}; known: {known}") from None


def is_airflow3(airflow_version: str) -> bool:
    return int(airflow_version.split(".", 1)[0]) >= 3


@dataclass(frozen=True)
class Tool:
    """A binary the cluster tier downloads into .bin/, verified by sha256."""

    name: str
    version: str
    url: str
    sha256: str
