"""Find the Airflow chart's own values.schema.json for a chart version: an option, the user cache, or helm.

Why: the chart validates values against its schema (`additionalProperties: false` almost everywhere), so a
misspelt or renamed key fails the render, or is silently ignored where the schema allows extra keys. Where it
comes from, in order: `--chart-schema FILE` (that file), `--chart-schema DIR` (`DIR/<version>/values.schema.json`,
else `DIR/values.schema.json`), the user cache `<cache>/charts/airflow/<version>/values.schema.json`, else
`download_schema`: `helm pull` of the pinned chart from the chart repository the Application names, once,
within a deadline, into that cache (a failed attempt is remembered for an hour, so an offline machine pays for
it once). Without any, the caller says so once and goes on.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from e2e.errors import UnusableInput
from e2e.gitops.hclcache import cache_dir
from e2e.private_file import write_private

SCHEMA_FILE = "values.schema.json"
FAILED_FILE = "download-failed.json"
HELM_ENV = "AIRFLOW_E2E_HELM"  # the helm binary to use (else the harness's .bin/helm, else PATH)
OFFLINE_ENV = "AIRFLOW_E2E_OFFLINE"  # "1": never run helm (same as --offline)
DOWNLOAD_SECONDS = 30.0  # the deadline of one `helm pull`
RETRY_AFTER_SECONDS = 3600.0  # a failed download is not retried before this
MAX_SCHEMA_BYTES = 8 << 20
_BIN_DIR = Path(__file__).resolve().parents[2] / ".bin"  # scripts/install-tools.sh installs the pinned helm here


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


# --- the download -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Download:
    """What `download_schema` did: the schema (None when it could not), and one sentence for the note."""

    schema: ChartSchema | None
    said: str


def helm_binary() -> str | None:
    """`$AIRFLOW_E2E_HELM`, else the pinned `.bin/helm` (scripts/install-tools.sh), else `helm` on PATH."""
    named = os.environ.get(HELM_ENV)
    if named:
        return named if os.access(named, os.X_OK) else None
    pinned = _BIN_DIR / "helm"
    if pinned.is_file() and os.access(pinned, os.X_OK):
        return str(pinned)
    return shutil.which("helm")


def pull_argv(helm: str, chart: str, repo_url: str, version: str, destination: Path) -> list[str]:
    """`helm pull` of one chart version: `--repo URL` for an HTTP(S) repository, `oci://` as Argo CD names OCI
    repositories (`oci://host/path` or a bare `host/path`)."""
    base = [helm, "pull", "--version", version, "--destination", str(destination)]
    if repo_url.startswith(("http://", "https://")):
        return [*base[:2], chart, "--repo", repo_url, *base[2:]]
    oci = repo_url if repo_url.startswith("oci://") else f"oci://{repo_url}"
    return [*base[:2], f"{oci.rstrip('/')}/{chart}", *base[2:]]


def _failed_marker(chart_version: str) -> Path:
    return cached_schema_path(chart_version).with_name(FAILED_FILE)


def _recent_failure(chart_version: str, repo_url: str) -> str | None:
    try:
        seen = json.loads(_failed_marker(chart_version).read_text(encoding="utf-8"))
        if seen.get("repo") == repo_url and time.time() - float(seen["at"]) < RETRY_AFTER_SECONDS:
            return str(seen["why"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return None


def _remember_failure(chart_version: str, repo_url: str, why: str) -> None:
    try:
        marker = _failed_marker(chart_version)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps({"at": time.time(), "repo": repo_url, "why": why}), encoding="utf-8")
    except OSError:
        pass  # an unwritable cache: the next run tries again


def _schema_from_package(package: Path, chart: str) -> dict[str, Any]:
    """`<chart>/values.schema.json` of a pulled chart package, read in memory (nothing is extracted)."""
    import tarfile

    with tarfile.open(package, "r:gz") as archive:
        member = archive.getmember(f"{chart}/{SCHEMA_FILE}")
        if not member.isfile() or member.size > MAX_SCHEMA_BYTES:
            raise ValueError(f"{SCHEMA_FILE} is not a regular file of at most {MAX_SCHEMA_BYTES} bytes")
        handle = archive.extractfile(member)
        data = json.loads(handle.read().decode("utf-8")) if handle else None
    if not isinstance(data, dict):
        raise ValueError(f"{SCHEMA_FILE} is not a JSON object")
    return data


def download_schema(chart: str, repo_url: str, chart_version: str, *,
                    timeout: float = DOWNLOAD_SECONDS) -> Download:
    """Pull chart `chart` at `chart_version` from `repo_url` with helm, keep its values.schema.json in the user
    cache. Never raises: an offline machine, no helm, a slow or failing repository each give one sentence."""
    from_where = f"chart {chart} {chart_version} from {repo_url}"
    if os.environ.get(OFFLINE_ENV, "") not in ("", "0"):
        return Download(None, f"not downloaded ({OFFLINE_ENV}/--offline)")
    helm = helm_binary()
    if helm is None:
        return Download(None, f"no helm to download {from_where} (install it: bash scripts/install-tools.sh helm)")
    earlier = _recent_failure(chart_version, repo_url)
    if earlier is not None:
        return Download(None, f"downloading {from_where} failed within the last hour ({earlier}); not retried yet")
    import subprocess  # here: a run that finds its schema (or no helm) needs none of this
    import tarfile
    import tempfile

    try:
        with tempfile.TemporaryDirectory(prefix="airflow-e2e-chart-") as tmp:
            argv = pull_argv(helm, chart, repo_url, chart_version, Path(tmp))
            done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False,
                                  stdin=subprocess.DEVNULL)
            if done.returncode != 0:
                lines = [ln.strip() for ln in (done.stderr or done.stdout).splitlines() if ln.strip()]
                raise RuntimeError((lines[-1] if lines else f"helm exit {done.returncode}")[:300])
            packages = sorted(Path(tmp).glob("*.tgz"))
            if len(packages) != 1:
                raise RuntimeError(f"helm pull wrote {len(packages)} chart packages")
            data = _schema_from_package(packages[0], chart)
            target = write_private(cached_schema_path(chart_version), json.dumps(data))
            _failed_marker(chart_version).unlink(missing_ok=True)
    except subprocess.TimeoutExpired:
        why = f"helm pull did not finish within {timeout:.0f} s"
    except KeyError:
        why = f"the chart package has no {SCHEMA_FILE}"
    except (OSError, RuntimeError, ValueError, tarfile.TarError) as exc:
        why = str(exc) or type(exc).__name__
    else:
        return Download(ChartSchema(data, str(target), chart_version),
                        f"downloaded {from_where} with helm; its {SCHEMA_FILE} is cached at {target}")
    _remember_failure(chart_version, repo_url, why)
    return Download(None, f"downloading {from_where} with helm failed: {why}")
