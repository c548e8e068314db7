"""Which images a run pulls, read from the objects it applies; which of them to preload into kind.

Why from objects: the Airflow chart, Vault, ESO and Argo CD decide their own images; typing them by hand
drifts. Offline (`plan`), rendered objects give what they can and the versions table fills the rest.
"""

from __future__ import annotations

from collections.abc import Iterable

from e2e import versions
from e2e.stack.common import Obj, containers


def images_in(objects: Iterable[Obj]) -> list[str]:
    found = {c["image"] for obj in objects for c in containers(obj) if isinstance(c.get("image"), str)}
    return sorted(found)


def pinned_component_images() -> dict[str, str]:
    """Images known from the versions table, for charts and manifests `plan` cannot render offline."""
    return {
        "vault": versions.VAULT_IMAGE,
        "external-secrets": versions.ESO_IMAGE,
        "argocd": versions.ARGOCD_IMAGE,
    }


def airflow_image(chart_version: str, values: dict) -> str:
    """The Airflow image the chart will run: the values' images.airflow if set, else the chart's default
    apache/airflow:<the Airflow version the chart ships> (versions.CHART_AIRFLOW)."""
    image = ((values.get("images") or {}).get("airflow") or {}) if isinstance(values, dict) else {}
    repository = image.get("repository") or "apache/airflow"
    tag = image.get("tag") or versions.airflow_version_for_chart(chart_version)
    return f"{repository}:{tag}"


def preload(images: Iterable[str], present_locally: set[str]) -> tuple[list[str], list[str]]:
    """(to load with `kind load docker-image`, to leave to the node's pull). Digest-pinned references
    are loaded only if present under the same reference."""
    load, pull = [], []
    for image in sorted(set(images)):
        (load if image in present_locally else pull).append(image)
    return load, pull


def kind_load_argv(cluster_name: str, image: str) -> list[str]:
    return ["kind", "load", "docker-image", "--name", cluster_name, image]
