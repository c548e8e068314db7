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


def normalize(ref: str) -> str:
    """An image reference as the engine resolves it: `redis:7` and `docker.io/library/redis:7` are one image
    (`docker image ls` prints the short form, charts write either); no tag and no digest means `:latest`."""
    name, at, digest = ref.partition("@")
    slash = name.find("/")
    first = name[:slash] if slash >= 0 else ""
    if not first or ("." not in first and ":" not in first and first != "localhost"):
        name = f"docker.io/{name}"
    if name.startswith("docker.io/") and name.count("/") == 1:
        name = "docker.io/library/" + name[len("docker.io/"):]
    last = name.rsplit("/", 1)[-1]
    if ":" not in last and not at:
        name += ":latest"
    return name + (f"@{digest}" if at else "")


def _without_tag(ref: str) -> str:
    """`repo:tag@sha256:d` -> `repo@sha256:d` (how `docker image ls --digests` names a pinned image)."""
    name, _, digest = ref.partition("@")
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    return f"{name}@{digest}"


def preload(images: Iterable[str], present_locally: set[str]) -> tuple[list[str], list[str]]:
    """(to load with `kind load docker-image`, to leave to the node's pull), names compared normalised.
    Digest-pinned references are loaded only if the engine has that digest."""
    local = {normalize(i) for i in present_locally}
    load, pull = [], []
    for image in sorted(set(images)):
        ref = normalize(image)
        present = normalize(_without_tag(ref)) in local if "@" in ref else ref in local
        (load if present else pull).append(image)
    return load, pull


def load_all(images: Iterable[str], load_one, warn) -> list[str]:
    """Preload each image; a failed `kind load` is a warning and the node pulls the image instead (engines with
    the containerd image store: `ctr: content digest ... not found`, kind#3795). Returns the ones that failed."""
    failed = []
    for image in images:
        try:
            load_one(image)
        except Exception as exc:  # any failure of one preload: the pull remains, the bring-up goes on
            failed.append(image)
            lines = str(exc).strip().splitlines() or [type(exc).__name__]
            warn(f"warning: kind load {image} failed ({lines[-1][:200]}); the node will pull it")
    return failed
