"""Every pinned version the harness uses, as data, in one place.

Why one module: a chart upgrade, a new kind node image or a new Argo CD release is a one-line change here,
and `plan`, the component tier and the workflows all read the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

# Airflow Helm chart -> the Airflow version it ships by default (chart/Chart.yaml appVersion).
# Source: chart/RELEASE_NOTES.rst in apache/airflow. 1.21.0 is the seed's pin; 1.22.0 notes say
# "previously it was 3.2.1", so 1.21.x ended on 3.2.1 (docs/facts.md marked 1.21.0 UNCONFIRMED).
# Checked again for the component tier: the 1.22.0 release (helm-chart/1.22.0) says "now 3.2.2, previously it
# was 3.2.1", and the chart maintainers write "previously" as the version of the latest release (review of
# apache/airflow#61447); helm-chart/1.21.0 was cut 2026-04-24, two days after Airflow 3.2.1. The 1.21.0 bump
# (apache/airflow#64081) still carried appVersion 3.1.8 on its branch, so 3.2.1 came with a later bump.
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


# Airflow -> the libraries that decide behaviour in the component tier, pinned to what Airflow's published
# constraints name (`constraints-<airflow>/constraints-<python>.txt` in apache/airflow), so the local tier runs the
# library versions the official image runs: SQLAlchemy (2.1 changes the default PostgreSQL driver to psycopg 3),
# the PostgreSQL driver and the provider that pulls it, celery/kombu/redis (kombu caps redis-py and speaks RESP2
# AUTH, docs/facts.md), Flask-AppBuilder (the FAB auth manager's login), and the API stack of the api-server and the
# execution API (pydantic, fastapi, starlette, cadwyn, uvicorn, msgspec, structlog): with pydantic 2.14 (what pip
# picks unpinned) the 3.2.1 dag-processor and api-server exit at import (`TITerminalStatePayload needs a
# discriminator field`). The venv is built with these as a pip constraints file; they are part of the venv's
# cache key, so changing one rebuilds it.
# Sources:
#   3.2.1: the release's own published file, `constraints-3.2.1/constraints-3.12.txt` ("generated on
#          2026-04-21T00:39:47 ... for the "v3-2-test" branch", the day before 3.2.1's release on 2026-04-22), as
#          stored by stackabletech/docker-images (airflow/stackable/constraints/3.2.1/, fetched there from
#          raw.githubusercontent.com/apache/airflow/constraints-3.2.1/ by its download_constraints.sh). The
#          constraints-3.14.txt of the same tag names the same version for every library pinned here; no stored
#          copy of constraints-3.11.txt was found, so the 3.12 file's versions stand in for this tier's Python.
#          Not taken from it: apache-airflow-providers-celery==3.18.0. With it every Celery task hung here (the
#          worker logs `Task execute_workload[...] received` and never `Executing workload`; the DAG run stayed
#          queued 300 s); unpinned, pip installs the celery provider 3.26.0 and the run succeeds (measured
#          2026-12-02 on this tier, all other pins as below).
#   3.2.2: the release's own published file, `constraints-3.2.2/constraints-3.14.txt` ("generated on
#          2026-05-26T15:19:57 ... for the "v3-2-test" branch"), as stored by stackabletech/docker-images
#          (airflow/stackable/constraints/3.2.2/, commit 2be9a114 "Replace Airflow 3.2.1 with 3.2.2", fetched by
#          its download_constraints.sh from raw.githubusercontent.com/apache/airflow/constraints-3.2.2/). No stored
#          3.11 or 3.12 file of that tag was found; for 3.2.1 the 3.12 and 3.14 files name the same version of
#          every library pinned here, so the 3.14 file's versions stand in for this tier's Python (each checked
#          with `pip install --dry-run` on Python 3.11). Every library pinned here is taken from it, the celery
#          provider included (3.20.0 runs Celery tasks here; 3.18.0 of the 3.2.1 file did not).
AIRFLOW_CONSTRAINTS: dict[str, dict[str, str]] = {
    "3.2.1": {"sqlalchemy": "2.0.49", "psycopg2-binary": "2.9.11", "apache-airflow-providers-postgres": "6.6.3",
              "celery": "5.6.3", "kombu": "5.6.2", "redis": "6.4.0",
              "apache-airflow-providers-fab": "3.6.1", "flask-appbuilder": "5.2.0", "structlog": "25.5.0",
              "alembic": "1.18.4", "httpx": "0.28.1", "pendulum": "3.2.0", "pydantic": "2.13.1",
              "pydantic-core": "2.46.1", "fastapi": "0.136.0", "starlette": "0.52.1", "cadwyn": "6.2.0",
              "uvicorn": "0.44.0", "msgspec": "0.21.1", "cryptography": "46.0.7"},
    "3.2.2": {"sqlalchemy": "2.0.49", "psycopg2-binary": "2.9.12", "apache-airflow-providers-postgres": "6.7.0",
              "apache-airflow-providers-celery": "3.20.0", "starlette": "1.1.0",
              "celery": "5.6.3", "kombu": "5.6.2", "redis": "6.4.0", "apache-airflow-providers-fab": "3.6.4",
              "flask-appbuilder": "5.2.1", "structlog": "25.5.0", "alembic": "1.18.4", "httpx": "0.28.1",
              "pendulum": "3.2.0", "pydantic": "2.13.4", "pydantic-core": "2.46.4", "fastapi": "0.136.1",
              "cadwyn": "6.2.2", "uvicorn": "0.47.0", "msgspec": "0.21.1", "cryptography": "48.0.0"},
}
# Which of the pins above are the release's own published constraints (see Sources): reports and tests say it.
RELEASE_CONSTRAINTS_FOUND = {"3.2.1": True, "3.2.2": True}
# Airflow -> the FAB provider the component tier installs beside it (the `airflow users` CLI and the
# FabAuthManager the chart sets on Airflow 3): the constraints' own pin. A version missing here installs the newest.
AIRFLOW_FAB_PROVIDER: dict[str, str] = {v: pins["apache-airflow-providers-fab"] for v, pins in
                                        AIRFLOW_CONSTRAINTS.items() if "apache-airflow-providers-fab" in pins}

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


def _release(version: str) -> tuple[int, ...] | None:
    core = version.strip().lstrip("v").split("+", 1)[0].split("-", 1)[0]
    parts = core.split(".")
    return tuple(int(p) for p in parts) if parts and all(p.isdigit() for p in parts) else None


def chart_order(chart_version: str) -> tuple[int, ...]:
    """A sortable key for a chart version ((0,) when it is not one)."""
    return _release(chart_version) or (0,)


def nearest_chart(chart_version: str | None) -> str:
    """The known chart version nearest to chart_version (the pinned one when it is unknown or not a version).

    Why: a chart released after this table, or a patch release (1.21.3), behaves like its nearest neighbour far
    more often than like the pinned default; the caller says so (info) instead of guessing silently.
    """
    if chart_version in CHART_AIRFLOW:
        return chart_version
    wanted = _release(chart_version or "")
    if wanted is None:
        return PINNED_CHART
    known = sorted((_release(v), v) for v in CHART_AIRFLOW)
    below = [v for rel, v in known if rel <= wanted]
    # same minor or older: the newest release not after it; older than every known chart: the oldest
    return below[-1] if below else known[0][1]


def is_airflow3(airflow_version: str) -> bool:
    return int(airflow_version.split(".", 1)[0]) >= 3


@dataclass(frozen=True)
class Tool:
    """A binary the cluster tier downloads into .bin/, verified by sha256."""

    name: str
    version: str
    url: str
    sha256: str


# --- cluster tier pins (kind, kubectl, helm, node images, stack components) ---------------------------------
# Checksums are the published sha256 of each release asset (kind: the release's `.sha256sum` files; kubectl:
# dl.k8s.io `<binary>.sha256`; helm: the v4.2.1 release notes' checksum list), each found quoted identically in
# independent public repositories. A platform with no checksum here is refused by scripts/install-tools.sh with
# one sentence: never an unverified binary (kubectl darwin-amd64: no corroborated checksum found).

KIND_VERSION = "v0.33.0"
KUBECTL_VERSION = "v1.36.4"
# Helm 4: Argo CD v3.5 renders charts with Helm 4 only (argo-cd `hack/tool-versions.sh` helm4_version=4.2.1;
# upgrade notes 3.4 -> 3.5), so the harness renders with the same major and version.
HELM_VERSION = "v4.2.1"
ARGOCD_HELM_MAJOR = 4


# tool -> (version, download URL for a `linux-amd64`-style platform, {platform: sha256})
_DOWNLOADS: dict[str, tuple[str, str, dict[str, str]]] = {
    "kind": (KIND_VERSION, "https://github.com/kubernetes-sigs/kind/releases/download/{v}/kind-{os}-{arch}", {
        "linux-amd64": "aee6151561422756b764a4ae28e7f44cda5af5a9eead3cc9985112b1de8d8e0d",
        "linux-arm64": "20022bee6cfcd5086cb7234d218e3454e6090022f2a8f55d1fa7fcf42c3867a2",
        "darwin-amd64": "5a99f26f57246dc9319dd294803313197a0f34d33c525b3ea8b655db5916ece0",
        "darwin-arm64": "0c8c7dbe5e23594a198b786c4bc13dacc101fa6196b0cb0b23a1ca44e61f4b4f",
    }),
    "kubectl": (KUBECTL_VERSION, "https://dl.k8s.io/release/{v}/bin/{os}/{arch}/kubectl", {
        "linux-amd64": "8b8f088da2dab964f853b38464033b1be15ede2839eca751482357c45abdd05a",
        "linux-arm64": "0ecf44450ee6063bf19dd166a103ee6df4a9034455c2abce626e6eea657d73fb",
        "darwin-arm64": "c9e4f713d6fee0043a3d835cca13077cda2bc0973840eb9779360df0b5bdfc69",
    }),
    "helm": (HELM_VERSION, "https://get.helm.sh/helm-{v}-{os}-{arch}.tar.gz", {
        "linux-amd64": "479dca836e5b45e8bd222400c5591b0e3a647378f03ff96597180db97c17fdae",
        "linux-arm64": "596b9a73d366c1e72ce67d595c22805480e30914593aafbc9f547694e72814db",
        "darwin-amd64": "2a21c9f368d608bcf6eb794ebc06514eb6b529a846b60fe4a43dea7bcce65228",
        "darwin-arm64": "896472d2ec0740c60f64a9df0fc30d478beee38a1a2a6ed91aa6e6ee177c1575",
    }),
}
TOOLS: dict[str, dict[str, Tool]] = {
    name: {platform: Tool(name, version, url.format(v=version, os=platform.split("-")[0],
                                                    arch=platform.split("-")[1]), sha256)
           for platform, sha256 in sums.items()}
    for name, (version, url, sums) in _DOWNLOADS.items()
}

# kind node images built for KIND_VERSION, pinned by digest (kind v0.33.0 release notes, "Images pre-built for
# this release"). Two supported Kubernetes minors for the nightly matrix; the first is the default.
KIND_NODE_IMAGES: dict[str, str] = {
    "1.36": "kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed",
    "1.35": "kindest/node:v1.35.8@sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0",
}
DEFAULT_KUBERNETES = "1.36"

# Stack components (docs/facts.md "Versions seen").
VAULT_CHART_REPO = "https://helm.releases.hashicorp.com"
VAULT_CHART_VERSION = "0.34.1"
VAULT_IMAGE = "hashicorp/vault:2.0.4"
ESO_CHART_REPO = "https://charts.external-secrets.io"
ESO_CHART_VERSION = "2.9.0"
ESO_IMAGE = "ghcr.io/external-secrets/external-secrets:v2.9.0"
ARGOCD_VERSION = "v3.5.1"
ARGOCD_INSTALL_URL = f"https://raw.githubusercontent.com/argoproj/argo-cd/{ARGOCD_VERSION}/manifests/install.yaml"
ARGOCD_IMAGE = f"quay.io/argoproj/argocd:{ARGOCD_VERSION}"
GIT_SYNC_IMAGE = "registry.k8s.io/git-sync/git-sync:v4.7.1"
# The in-cluster SSH git server is built ONCE on the host (e2e/stack/gitserver.py DOCKERFILE) from this base,
# pinned by its multi-arch index digest (alpine 3.22.5, as cited by independent public Dockerfiles, some
# building for arm64), and loaded into kind: nothing is downloaded inside the cluster.
GIT_SERVER_BASE_IMAGE = ("docker.io/library/alpine:3.22.5"
                    "@sha256:14358309a308569c32bdc37e2e0e9694be33a9d99e68afb0f5ff33cc1f695dce")
POSTGRES_IMAGE = "docker.io/library/postgres:17.6-bookworm"


def tool_for(name: str, platform: str) -> Tool | None:
    """The pinned, checksummed download of a tool for `linux-amd64`-style platforms; None when not verified."""
    return TOOLS.get(name, {}).get(platform)


def node_image(kubernetes: str | None = None) -> str:
    """The digest-pinned kind node image for a Kubernetes minor (default: DEFAULT_KUBERNETES)."""
    minor = kubernetes or DEFAULT_KUBERNETES
    try:
        return KIND_NODE_IMAGES[minor]
    except KeyError:
        known = ", ".join(sorted(KIND_NODE_IMAGES))
        raise KeyError(f"no kind node image pinned for Kubernetes {minor}; known: {known}") from None
