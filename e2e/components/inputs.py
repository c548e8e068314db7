"""What the component tier reads: the GitOps repository's Airflow values, the chart and Airflow versions, and
the payload (given, or generated for the loopback servers).

Why separate from the checks: the same inputs feed the CLI and the pytest fixtures, and every question about
"which values, which version, which hosts" is answered once here. A user's payload with in-cluster hosts is
kept as is except host:port of the metadata connection and broker URL, which point at the local servers
(reported in `notes`).
"""

from __future__ import annotations

import string
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from e2e import versions
from e2e.errors import UnusableInput
from e2e.gitops import Repository, get_path, load_repository
from e2e.gitops.yamlio import load_single_mapping, plain
from e2e.install import AirflowInstall, NoAirflowInstall, airflow_install, git_sync_of, usable


@dataclass
class ComponentInputs:
    install: AirflowInstall
    chart_version: str
    airflow_version: str
    version_source: str
    notes: list[str] = field(default_factory=list)

    @property
    def repo(self) -> Repository:
        return self.install.repo

    @property
    def values(self) -> dict[str, Any]:
        return self.install.values


def load_inputs(gitops_dir: Path, *, chart_version: str | None = None,
                airflow_version: str | None = None) -> ComponentInputs:
    repo = usable(load_repository(gitops_dir))
    try:
        inst = airflow_install(repo)
    except NoAirflowInstall as exc:
        raise UnusableInput(str(exc)) from None
    values = inst.values
    chart = chart_version or inst.known_chart_version or versions.PINNED_CHART
    if airflow_version:
        return ComponentInputs(inst, chart, airflow_version, "--airflow-version")
    for key in ("airflowVersion", "defaultAirflowTag"):
        pinned = values.get(key)
        if isinstance(pinned, str) and pinned[:1].isdigit():
            return ComponentInputs(inst, chart, pinned, f"values `{key}`")
    try:
        found = versions.airflow_version_for_chart(chart)
    except KeyError as exc:
        raise UnusableInput(f"{exc.args[0]}; pass --airflow-version") from None
    return ComponentInputs(inst, chart, found, f"what chart {chart} ships, e2e/versions.py CHART_AIRFLOW")


def load_payload(path: Path) -> dict[str, Any]:
    data = load_single_mapping(path, "a payload")
    return plain(data)


def split_url(url: str) -> urllib.parse.SplitResult:
    """urlsplit, also for a netloc Python refuses because a character NFKC-normalises to a delimiter (a
    full-width `＠` in a password): SQLAlchemy parses such a URL with its own pattern and connects, so the
    non-ASCII characters are percent-encoded first (SQLAlchemy unquotes user and password: the same login)."""
    try:
        return urllib.parse.urlsplit(url)
    except ValueError:
        return urllib.parse.urlsplit(urllib.parse.quote(url, safe=string.punctuation))


def point_at(payload: dict[str, Any], *, db: tuple[str, int], redis: tuple[str, int]) -> tuple[dict, list[str]]:
    """The payload with host:port of `metadataConnection` and `brokerUrl` replaced; everything else unchanged."""
    out = plain(payload)
    notes: list[str] = []
    for key, (host, port) in (("metadataConnection", db), ("brokerUrl", redis)):
        url = out.get(key)
        if not isinstance(url, str) or "://" not in url:
            raise UnusableInput(f"payload: `{key}` is missing or not a URL")
        new, old_hostport = replace_host_port(url, host, port)
        if new != url:
            out[key] = new
            notes.append(f"payload `{key}`: host {old_hostport} -> {host}:{port} (the local server)")
    return out, notes


def replace_host_port(url: str, host: str, port: int) -> tuple[str, str]:
    """The URL with another host:port and the rest of its text unchanged (a URL Python cannot parse stays
    unparsable, so the checks meet it as the real clients do)."""
    parts = split_url(url)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if parts.geturl() != url:  # percent-encoded to parse: edit the original text instead
        return url.replace(f"@{hostport}", f"@{host}:{port}", 1) if at else url, hostport
    netloc = f"{userinfo}{at}{host}:{port}"
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)), hostport


@dataclass(frozen=True)
class DbLogin:
    user: str
    password: str
    database: str


def db_login(payload: dict[str, Any]) -> DbLogin:
    """The role, password and database the payload's metadata connection logs in with."""
    try:
        parts = split_url(str(payload.get("metadataConnection") or ""))
        parts.port  # noqa: B018  (a non-numeric port raises here)
    except ValueError:
        raise UnusableInput("payload: `metadataConnection` does not parse as a URL") from None
    if not parts.username or parts.password is None:
        raise UnusableInput("payload: `metadataConnection` has no user or password")
    database = parts.path.lstrip("/") or "airflow"
    return DbLogin(urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password), database)


def with_database(payload: dict[str, Any], database: str) -> dict[str, Any]:
    """The payload pointing its metadata connection at another database of the same server."""
    out = plain(payload)
    parts = split_url(out["metadataConnection"])
    out["metadataConnection"] = urllib.parse.urlunsplit(parts._replace(path=f"/{database}"))
    return out


def with_password(url: str, password: str) -> str:
    """The same URL with another password (user, host, port, path and the rest unchanged)."""
    parts = split_url(url)
    userinfo, _, hostport = parts.netloc.rpartition("@")
    netloc = f"{userinfo.split(':', 1)[0]}:{urllib.parse.quote(password, safe='')}@{hostport}"
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def with_db_password(payload: dict[str, Any], wrong_password: str) -> dict[str, Any]:
    """The payload with a different password in its metadata connection (a broken connection string)."""
    out = plain(payload)
    out["metadataConnection"] = with_password(out["metadataConnection"], wrong_password)
    return out


def git_sync_settings(values: dict[str, Any]) -> dict[str, Any]:
    """The git-sync values the check needs (e2e.install.git_sync_of): repo URL, its host, port and path,
    branch, knownHosts."""
    sync = git_sync_of(values)
    parsed = sync.parsed
    return {
        "enabled": sync.enabled,
        "repo": sync.url, "host": parsed.host if parsed else "", "port": parsed.port if parsed else None,
        "path": (parsed.repo_path if parsed else "") or "airflow-dags.git",
        "branch": sync.branch,
        "known_hosts": get_path(values, "dags.gitSync.knownHosts"),
        "ssh_key_secret": sync.ssh_key_secret,
    }
