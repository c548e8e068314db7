"""The Airflow install: where a GitOps repository installs Airflow and everything the harness derives from it.

Why one owner: release, namespaces, merged values (with where each value came from), chart and Airflow
versions, the Secrets and keys the chart reads, Job and workload names, the payload location and the
git-sync URL were re-derived in about ten modules, and the copies disagreed. Every tier reads this instead.
Read once per repository (`airflow_install(repo)` caches on the Repository).

Values come the ways Argo CD passes them, lowest precedence first: the wrapper chart's own `values.yaml`,
`helm.valueFiles` in order (`$<ref>/path` through any `ref` source, or relative to the chart source's
path), `helm.values` (a string), `helm.valuesObject`, then `helm.parameters`. A values file that cannot be
read is never taken as empty: it is listed in `unresolved` with why.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import PurePosixPath
from typing import Any

from e2e import chart, versions
from e2e.errors import UnusableInput
from e2e.gitops import esovault, shapes
from e2e.gitops.model import Application, AppSource, ExternalSecret, Repository, ValuesFile, deep_merge, get_path
from e2e.gitops.yamlio import load_documents

AIRFLOW_CHART = "airflow"
DEFAULT_PAYLOAD_KEY = "airflow/config"  # the seed's remote key and property, when a repository names none
DEFAULT_PAYLOAD_PROPERTY = "config"
DEFAULT_KV_MOUNT = "secret"  # Vault's dev-mode KV v2 mount, when the store names no path
MIGRATION_JOB = "{release}-run-airflow-migrations"  # chart/templates/jobs/migrate-database-job.yaml
USER_JOB = "{release}-create-user"  # chart/templates/jobs/create-user-job.yaml
SCHEDULER = "{release}-scheduler"  # chart/templates/scheduler/scheduler-deployment.yaml
REDIS_SERVICE = "{release}-redis"  # chart/templates/redis/redis-service.yaml
ENV_LISTS = ("env", "createUserJob.env", "migrateDatabaseJob.env")
_SCP_LIKE = re.compile(r"^(?:(?P<user>[^@/]+)@)?(?P<host>[^:/\[\]]+):(?!//)(?P<path>.*)$")


# --- git URLs -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GitUrl:
    url: str
    host: str
    port: int
    user: str
    path: str  # absolute path on the server (/platform/k8s-infra.git), or ~/path for scp-like relative paths

    @property
    def repo_path(self) -> str:
        """The path without its leading `/` or `~/` (what a local git server serves it as)."""
        return self.path.removeprefix("~/").lstrip("/")


def parse_git_url(url: str) -> GitUrl | None:
    """`ssh://git@host[:port]/path.git`, `git+ssh://...` or scp-like `git@host:path.git`; None otherwise
    (https://, a malformed port, no host). The one parser of SSH git URLs in the harness."""
    url = url.strip()
    if url.startswith(("ssh://", "git+ssh://")):
        try:  # an unclosed IPv6 bracket or a port that is not a number: not a URL ssh can use
            parsed = urllib.parse.urlsplit(url)
            port = parsed.port or 22
        except ValueError:
            return None
        if not parsed.hostname:
            return None
        return GitUrl(url, parsed.hostname, port, parsed.username or "git", parsed.path or "/")
    if "://" in url:
        return None
    match = _SCP_LIKE.match(url)
    if not match:
        return None
    path = match.group("path")
    return GitUrl(url, match.group("host").lower(), 22, match.group("user") or "git",
                  path if path.startswith("/") else "~/" + path)


# --- values with provenance -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ValueLayer:
    """One place values come from, in Helm's merge order."""

    kind: str  # "chart values.yaml", "valueFiles", "values", "valuesObject", "parameters"
    file: str  # the repository file it was read from (the Application's file for inline values)
    line: int
    data: dict[str, Any]
    line_offset: int = 0  # added to lines inside `data` (a `helm.values` string starts below its key)

    @property
    def from_file(self) -> bool:
        return self.kind in ("valueFiles", "chart values.yaml")


@dataclass(frozen=True)
class Unresolved:
    """A values source that could not be read: never treated as empty."""

    entry: str  # as the Application writes it
    file: str  # the Application's file
    line: int
    why: str
    foreign: bool = False  # it lives in another repository (not an error here: that repository is not checked)


@dataclass
class SecretNeed:
    """A Secret the install's pods or Jobs read, the data keys they read, and where the values name it."""

    name: str
    keys: set[str] = field(default_factory=set)
    file: str = ""
    line: int | None = None
    via: str = ""  # the value path that names it
    chart_key: str | None = None  # set when a *SecretName value names it (the chart reads exactly this key)


@dataclass(frozen=True)
class GitSync:
    enabled: bool
    url: str
    parsed: GitUrl | None
    branch: str
    known_hosts: str | None
    ssh_key_secret: str | None

    @property
    def known_hosts_host(self) -> str | None:
        """The host token of the first known_hosts line (what scenarios rewrite)."""
        lines = [ln.split() for ln in str(self.known_hosts or "").splitlines()
                 if ln.strip() and not ln.startswith("#")]
        return lines[0][0] if lines and lines[0] else None


@dataclass(frozen=True)
class Notice:
    """Airflow installed by something this harness does not read (a Flux HelmRelease...)."""

    file: str
    line: int
    obj: str
    message: str


# --- the install ----------------------------------------------------------------------------------------------
@dataclass
class AirflowInstall:
    repo: Repository
    app: Application
    source: AppSource  # the chart source, or the Git source of the wrapper chart
    how: str  # "chart" (the airflow chart itself) or "wrapper" (a chart in the repo depending on it)
    chart_version: str | None  # the version the repository pins (targetRevision, or the dependency's)
    layers: list[ValueLayer]
    unresolved: list[Unresolved]
    values_key: str = ""  # "airflow" (or the dependency's alias) for a wrapper chart
    airflow_override: str | None = None  # the Airflow a run really installs, when it is not the pinned chart's
    chart_repo: str | None = None  # the chart repository (HTTP(S) or OCI) the airflow chart is pulled from

    # -- identity and names --------------------------------------------------------------------------------
    @property
    def ref(self) -> str:
        return self.app.obj.ref

    @property
    def release(self) -> str:
        """`helm.releaseName` when it is a non-empty string (Argo CD ignores anything else), else the app's name."""
        name = self.source.helm.get("releaseName")
        return name if isinstance(name, str) and name else self.app.name

    @property
    def namespace(self) -> str | None:
        return self.app.destination_namespace

    @property
    def argocd_namespace(self) -> str:
        return self.app.obj.namespace or "argocd"

    @property
    def eso_namespace(self) -> str | None:
        """Where ESO runs: the namespace of the ServiceAccount the store logs in with."""
        ns = self.repo.stores[0].service_account_ref.get("namespace") if self.repo.stores else None
        return ns if isinstance(ns, str) and ns else None

    @property
    def migration_job(self) -> str:
        return MIGRATION_JOB.format(release=self.release)

    @property
    def user_job(self) -> str:
        return USER_JOB.format(release=self.release)

    @property
    def scheduler(self) -> str:
        return SCHEDULER.format(release=self.release)

    @property
    def redis_host(self) -> str:
        return REDIS_SERVICE.format(release=self.release)

    @property
    def known_chart_version(self) -> str | None:
        """The pinned chart version when e2e/versions knows it: what a run installs unless --chart-version
        says otherwise (an unknown one gives None, and the run installs versions.PINNED_CHART)."""
        return self.chart_version if self.chart_version in versions.CHART_AIRFLOW else None

    @property
    def airflow_version(self) -> str:
        """The Airflow the pinned chart ships (the nearest known chart's when the table does not know it)."""
        if self.airflow_override:
            return self.airflow_override
        return versions.CHART_AIRFLOW[versions.nearest_chart(self.chart_version)]

    def running(self, airflow_version: str) -> AirflowInstall:
        """The same install running another Airflow (a run's `--chart-version`): the Secrets it needs follow."""
        return replace(self, airflow_override=airflow_version)

    @property
    def values_complete(self) -> bool:
        """False when a values source could not be read: rules that would guess must not run."""
        return not self.unresolved

    # -- values --------------------------------------------------------------------------------------------
    @cached_property
    def merged(self) -> dict[str, Any]:
        """All layers merged (for a wrapper chart: its whole values, `airflow:` included)."""
        out: dict[str, Any] = {}
        for layer in self.layers:
            out = deep_merge(out, layer.data)
        return out

    @cached_property
    def values(self) -> dict[str, Any]:
        """The values the airflow chart receives."""
        if not self.values_key:
            return self.merged
        sub = self.merged.get(self.values_key)
        return sub if isinstance(sub, dict) else {}

    @property
    def values_files(self) -> list[ValuesFile]:
        return [self.repo.values_file(la.file) for la in self.layers if la.from_file]  # type: ignore[misc]

    def locate(self, dotted: str) -> tuple[str, int | None]:
        """File and line of a value (the last layer that sets it), else of its nearest parent, else the
        Application's own file and line."""
        parts = ([self.values_key] if self.values_key else []) + dotted.split(".")
        best: tuple[int, str, int | None] | None = None
        for layer in reversed(self.layers):
            node: Any = layer.data
            depth, line = 0, (getattr(layer.data, "line", 0) + layer.line_offset) or layer.line or 1
            for part in parts:
                if not isinstance(node, dict) or part not in node:
                    break
                line = node.line_of(part) + layer.line_offset if hasattr(node, "line_of") else layer.line
                node = node[part]
                depth += 1
            if depth == len(parts):
                return layer.file, line
            if best is None or depth > best[0]:
                best = (depth, layer.file, line)
        if best is not None:
            return best[1], best[2]
        return self.app.obj.origin.file, self.app.obj.origin.line

    # -- what the chart reads from Secrets -----------------------------------------------------------------
    def secret_refs(self) -> list[tuple[str, chart.SecretRef]]:
        """(Secret name, reference) for every `*SecretName` the values set that the chart reads for them."""
        out = []
        for ref in chart.SECRET_REFS:
            name = self.named_secret(ref.value_path)
            if name and chart.in_use(ref, self.values, self.airflow_version):
                out.append((name, ref))
        return out

    def secret_needs(self) -> dict[str, SecretNeed]:
        """Secret name -> what the install reads from it: every `*SecretName` in use (Airflow major, executor,
        redis.enabled: e2e.chart.in_use; the chart's data key) plus every non-optional `secretKeyRef` in the
        values' env lists (the default user's)."""
        needs: dict[str, SecretNeed] = {}
        for name, ref in self.secret_refs():
            file, line = self.locate(ref.value_path)
            need = needs.setdefault(name, SecretNeed(name, file=file, line=line, via=ref.value_path))
            need.keys.add(ref.data_key)
            need.chart_key = ref.data_key
        for list_path in ENV_LISTS:
            entries = get_path(self.values, list_path)
            if not isinstance(entries, list):
                continue
            file, _ = self.locate(list_path)
            for index, entry in enumerate(entries):
                pair = secret_key_ref(entry)
                if pair is None:
                    continue
                need = needs.setdefault(pair[0], SecretNeed(pair[0], file=file, line=getattr(entry, "line", None),
                                                            via=f"{list_path}[{index}]"))
                need.keys.add(pair[1])
        return needs

    def chart_generated(self) -> dict[str, chart.SecretRef]:
        """The Secrets the chart makes itself (for this Airflow), by name: `<release>-fernet-key`..."""
        return {ref.chart_generates.format(release=self.release): ref for ref in chart.SECRET_REFS
                if ref.chart_generates and chart.in_use(ref, self.values, self.airflow_version)}

    def named_secret(self, value_path: str) -> str | None:
        """The Secret the values name at `value_path` as the chart's `default` reads it: any non-empty scalar
        (`fernetKeySecretName: 2024` names Secret "2024"); None when unset, empty, false or not a scalar."""
        name = get_path(self.values, value_path)
        if not name or isinstance(name, (dict, list)):
            return None
        return "true" if name is True else str(name)

    def secret_name(self, value_path: str) -> str:
        """THE name of the Secret the chart reads for `value_path`: the values' name, else the chart's own."""
        return self.named_secret(value_path) or self.chart_generated_name(value_path)

    @property
    def fernet_secret(self) -> str:
        """The fernet key Secret (fernetKeySecretName, else the chart's `<release>-fernet-key`)."""
        return self.secret_name("fernetKeySecretName")

    def chart_generated_name(self, value_path: str) -> str:
        """The Secret the chart makes itself when `value_path` is unset (`<release>-fernet-key`)."""
        ref = next(r for r in chart.SECRET_REFS if r.value_path == value_path)
        return str(ref.chart_generates).format(release=self.release)

    # -- where the rest is ---------------------------------------------------------------------------------
    @property
    def external_secrets(self) -> list[ExternalSecret]:
        return self.repo.external_secrets_in(self.namespace)

    @property
    def payload_location(self) -> tuple[str, str]:
        return payload_location(self.repo, self.namespace)

    @property
    def secrets_app(self) -> Application | None:
        """The Application whose directory source holds the ExternalSecrets."""
        for app in self.repo.applications:
            for source in app.directory_sources:
                if any(o.kind == "ExternalSecret" for o in self.repo.objects_under(source.path or "")):
                    return app
        return None

    @cached_property
    def git_sync(self) -> GitSync:
        return git_sync_of(self.values)

    @property
    def values_file_paths(self) -> list[str]:
        """The repository files Helm reads values from, in order (what `helm template --values` gets)."""
        return [la.file for la in self.layers if la.from_file]


def git_sync_of(values: dict[str, Any]) -> GitSync:
    """The git-sync settings of chart values (an install's, or a scenario's edited copy)."""
    url = str(get_path(values, "dags.gitSync.repo") or "")
    known = get_path(values, "dags.gitSync.knownHosts")
    key_secret = get_path(values, "dags.gitSync.sshKeySecret")
    return GitSync(
        enabled=bool(get_path(values, "dags.gitSync.enabled")),
        url=url, parsed=parse_git_url(url) if url else None,
        branch=str(get_path(values, "dags.gitSync.branch") or get_path(values, "dags.gitSync.rev") or "main"),
        known_hosts=known if isinstance(known, str) else None,
        ssh_key_secret=key_secret if isinstance(key_secret, str) else None,
    )


class NoAirflowInstall(ValueError):
    """The repository installs no Airflow this harness can read."""


def secret_key_ref(entry: Any) -> tuple[str, str] | None:
    """(Secret, key) of an env entry's non-optional `valueFrom.secretKeyRef`, else None."""
    if not isinstance(entry, dict):
        return None
    ref = get_path(entry, "valueFrom.secretKeyRef")
    if not isinstance(ref, dict) or ref.get("optional") is True:
        return None
    name, key = ref.get("name"), ref.get("key")
    return (name, key) if isinstance(name, str) and isinstance(key, str) and name and key else None


def payload_location(repo: Repository, namespace: str | None = None) -> tuple[str, str]:
    """(remote key, property) that hold the whole Vault payload, as the ExternalSecrets read it.

    Why read, not assumed: a team's repository chooses both (`data-platform/airflow`, `settings`); the
    seed's `airflow/config` and `config` are only the answer when no ExternalSecret names a property.
    ExternalSecrets in the install's namespace are asked first.
    """
    ordered = sorted(repo.external_secrets, key=lambda es: es.namespace != namespace) if namespace else \
        repo.external_secrets
    for es in ordered:
        for item in es.data:
            ref = item.get("remoteRef")
            if isinstance(ref, dict) and isinstance(ref.get("key"), str) and isinstance(ref.get("property"), str):
                return ref["key"], ref["property"]
    return DEFAULT_PAYLOAD_KEY, DEFAULT_PAYLOAD_PROPERTY


def payload_kv(repo: Repository) -> tuple[str, str]:
    """(KV mount, path under it) where ESO reads the payload through the (first) Vault store, derived as ESO
    does (e2e.gitops.esovault); without a store, Vault's default mount `secret` and the remote key."""
    key = payload_location(repo)[0]
    if not repo.stores:
        return DEFAULT_KV_MOUNT, key
    where = esovault.read_location(repo.stores[0], key)
    return where.mount or DEFAULT_KV_MOUNT, where.path


# --- finding installs -----------------------------------------------------------------------------------------
def installs(repo: Repository) -> list[AirflowInstall]:
    """Every Airflow install the repository's Applications make (read once, cached on the Repository)."""
    cached = repo.cache.get("airflow_installs")
    if cached is None:
        cached = [inst for app in repo.applications for inst in _installs_of(repo, app)]
        repo.cache["airflow_installs"] = cached
    return cached


def airflow_install(repo: Repository) -> AirflowInstall:
    """The (first) Airflow install; NoAirflowInstall with one clear sentence when there is none."""
    found = installs(repo)
    if not found:
        foreign = notices(repo)
        extra = f" ({foreign[0].message})" if foreign else ""
        raise NoAirflowInstall(f"{repo.root}: no Argo CD Application installs the `airflow` chart{extra}")
    return found[0]


def find_install(repo: Repository) -> AirflowInstall | None:
    found = installs(repo)
    return found[0] if found else None


def notices(repo: Repository) -> list[Notice]:
    """Airflow installed by something not read here, so a silent pass never means "not looked at"."""
    out: list[Notice] = []
    for obj in repo.objects:
        group = obj.api_version.split("/", 1)[0]
        chart_name = get_path(obj.body, "spec.chart.spec.chart")
        if obj.kind == "HelmRelease" and group.endswith("fluxcd.io") and chart_name == AIRFLOW_CHART:
            out.append(Notice(obj.origin.file, obj.origin.line, obj.ref,
                              f"{obj.ref} (Flux) installs the airflow chart; Flux HelmReleases are not read"))
        elif obj.kind == "Kustomization" and group == "kustomize.config.k8s.io":
            out += _kustomize_notices(obj.body, obj.origin.file, obj.origin.line)
    for rel, docs in repo.data_files.items():
        if PurePosixPath(rel).name in ("kustomization.yaml", "kustomization.yml"):
            for line, data in docs:
                if isinstance(data, dict):
                    out += _kustomize_notices(data, rel, line)
    return out


def _kustomize_notices(body: dict[str, Any], file: str, line: int) -> list[Notice]:
    charts = body.get("helmCharts")
    if not isinstance(charts, list):
        return []
    return [Notice(file, getattr(c, "line", line) or line, file,
                   f"{file} renders the airflow chart through Kustomize helmCharts; not read")
            for c in charts if isinstance(c, dict) and c.get("name") == AIRFLOW_CHART]


def _installs_of(repo: Repository, app: Application) -> list[AirflowInstall]:
    found = []
    for source in app.sources:
        if source.chart == AIRFLOW_CHART:
            found.append(replace(_install(repo, app, source, "chart", source.target_revision, "", None),
                                 chart_repo=source.repo_url or None))
        elif source.path is not None and not source.chart and repo.is_local(source):
            base = _norm(source.path)
            meta = _chart_yaml(repo, base)
            if meta is None:
                continue
            if meta.get("name") == AIRFLOW_CHART:  # the chart itself, vendored into the repository
                found.append(_install(repo, app, source, "chart", _str(meta.get("version")), "", base))
                continue
            for dep in meta.get("dependencies") or []:
                if isinstance(dep, dict) and dep.get("name") == AIRFLOW_CHART:
                    key = str(dep.get("alias") or AIRFLOW_CHART)
                    found.append(replace(_install(repo, app, source, "wrapper", _str(dep.get("version")), key, base),
                                         chart_repo=_chart_repository(dep.get("repository"))))
                    break
    return found


def _chart_repository(value: Any) -> str | None:
    """A Chart.yaml dependency's repository when helm can pull from it (not `@name`/`alias:` or `file://`)."""
    text = _str(value)
    return text if text and text.startswith(("http://", "https://", "oci://")) else None


def _install(repo: Repository, app: Application, source: AppSource, how: str, version: str | None,
             values_key: str, chart_dir: str | None) -> AirflowInstall:
    layers: list[ValueLayer] = []
    unresolved: list[Unresolved] = []
    app_file = app.obj.origin.file
    helm = source.helm
    if chart_dir is not None:
        rel = _join(chart_dir, "values.yaml")
        vf = repo.values_file(rel)
        if vf is not None:
            layers.append(ValueLayer("chart values.yaml", rel, vf.origin.line, vf.data))
    files = helm.get("valueFiles")
    file_lines = getattr(files, "line", 0)
    for entry in files if isinstance(files, list) else []:
        if not isinstance(entry, str):
            continue
        rel, why = _resolve_value_file(app, chart_dir, entry)
        foreign_url = _foreign_ref(repo, app, entry)
        if foreign_url is not None:
            unresolved.append(Unresolved(entry, app_file, _line(helm, "valueFiles", file_lines),
                                         f"is in another repository ({foreign_url}), not read here", foreign=True))
            continue
        vf = repo.values_file(rel) if rel is not None else None
        if vf is not None:
            layers.append(ValueLayer("valueFiles", rel, vf.origin.line, vf.data))
        elif helm.get("ignoreMissingValueFiles") is True and rel is not None and rel not in repo.data_files:
            continue  # Argo CD skips it too
        else:
            if why is None:
                why = ("not found in this repository" if rel not in repo.data_files
                       else "is not a YAML mapping")
            unresolved.append(Unresolved(entry, app_file, _line(helm, "valueFiles", file_lines), why))
    text = helm.get("values")
    if isinstance(text, str) and text.strip():
        try:
            docs = load_documents(text, f"{app_file} helm.values")
        except UnusableInput as exc:
            docs, why = [], str(exc)
        else:
            why = "is not a YAML mapping"
        data = docs[0][1] if len(docs) == 1 else None
        if isinstance(data, dict):
            key_line = _line(helm, "values", app.obj.origin.line)
            layers.append(ValueLayer("values", app_file, key_line, data, line_offset=key_line))
        else:
            unresolved.append(Unresolved("helm.values", app_file, _line(helm, "values", app.obj.origin.line), why))
    elif isinstance(text, dict):  # written as a mapping (Argo CD accepts it)
        layers.append(ValueLayer("values", app_file, _line(helm, "values", app.obj.origin.line), text))
    inline = helm.get("valuesObject")
    if isinstance(inline, dict):
        layers.append(ValueLayer("valuesObject", app_file, _line(helm, "valuesObject", app.obj.origin.line),
                                 inline))
    params = helm.get("parameters")
    if isinstance(params, list):
        data = _parameters(params)
        if data:
            layers.append(ValueLayer("parameters", app_file, _line(helm, "parameters", app.obj.origin.line), data))
    return AirflowInstall(repo, app, source, how, version, layers, unresolved, values_key)


def _resolve_value_file(app: Application, chart_dir: str | None, entry: str) -> tuple[str | None, str | None]:
    """A valueFiles entry -> (repository path, None), or (None, why it cannot be read)."""
    if "://" in entry:
        return None, "is a URL (not read)"
    if entry.startswith("$"):
        name, _, rest = entry[1:].partition("/")
        if not any(s.ref == name for s in app.sources):
            return None, f"names ${name}, but no source of the Application has `ref: {name}`"
        return _norm(rest), None
    if chart_dir is None:
        return None, "is relative to the chart package (not in this repository)"
    return _join(chart_dir, entry), None


def _foreign_ref(repo: Repository, app: Application, entry: str) -> str | None:
    """The repoURL of the `ref` source a `$ref/...` entry names, when that is not this repository."""
    if not entry.startswith("$"):
        return None
    name = entry[1:].split("/", 1)[0]
    source = next((s for s in app.sources if s.ref == name), None)
    return source.repo_url if source is not None and not repo.this.is_this(source.repo_url) else None


def _parameters(params: list[Any]) -> dict[str, Any]:
    """`helm.parameters` as the values they set (`--set name=value`, typed unless forceString)."""
    out: dict[str, Any] = {}
    for param in params:
        if not isinstance(param, dict) or not isinstance(param.get("name"), str):
            continue
        value: Any = param.get("value")
        if isinstance(value, str) and param.get("forceString") is not True:
            value = _typed(value)
        node = out
        parts = [p.replace("\\.", ".") for p in re.split(r"(?<!\\)\.", param["name"])]
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = value
    return out


def _typed(text: str) -> Any:
    """Helm's `--set` typing: true/false, null and integers are typed; anything else stays a string."""
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    if re.fullmatch(r"-?(0|[1-9][0-9]*)", text):
        return int(text)
    return text


def _chart_yaml(repo: Repository, base: str) -> dict[str, Any] | None:
    docs = repo.data_files.get(_join(base, "Chart.yaml"))
    return docs[0][1] if docs and isinstance(docs[0][1], dict) else None


def _line(helm: dict[str, Any], key: str, default: int) -> int:
    return helm.line_of(key) if hasattr(helm, "line_of") else default


def _norm(path: str) -> str:
    return str(PurePosixPath(path.strip().strip("/") or "."))  # "./a/./b" -> "a/b", "" -> "."


def _join(base: str, rel: str) -> str:
    return _norm(rel) if base in ("", ".") else _norm(f"{base}/{rel}")


def _str(value: Any) -> str | None:
    return str(value) if value is not None else None


# --- the validated edge -----------------------------------------------------------------------------------------
def shape_problems(repo: Repository) -> list[shapes.ShapeProblem]:
    """Every shape the harness reads that is of the wrong type: objects (Application spec, ExternalSecret data,
    ConfigMap data, store server URL) and each install's values (env lists, extraSecrets, the git-sync URL,
    a values file with more than one YAML document). Cached on the Repository; preflight reports each."""
    cached = repo.cache.get("shape_problems")
    if cached is not None:
        return cached
    out: list[shapes.ShapeProblem] = []
    for obj in repo.objects:
        schema = shapes.KIND_SCHEMAS.get(obj.kind)
        if schema is not None:
            out += shapes.check(obj.body, schema, obj.origin.file, obj.origin.line, obj.ref)
        if obj.kind in ("SecretStore", "ClusterSecretStore"):
            server = get_path(obj.body, "spec.provider.vault.server")
            why = shapes.url_problem(server)
            if why:
                out.append(shapes.ShapeProblem(obj.origin.file, obj.origin.line,
                                               f"{obj.ref} spec.provider.vault.server", why))
    for inst in installs(repo):
        for layer in inst.layers:
            docs = repo.data_files.get(layer.file) if layer.from_file else None
            if docs is not None and len(docs) > 1:
                out.append(shapes.ShapeProblem(layer.file, docs[1][0], "values file",
                                               f"holds {len(docs)} YAML documents: Helm reads only the first "
                                               "(a stray `---`?)"))
            data = layer.data.get(inst.values_key) if inst.values_key else layer.data
            if isinstance(data, dict):
                out += shapes.check(data, shapes.VALUES_SCHEMA, layer.file, layer.line, "values",
                                    offset=layer.line_offset)
        why = shapes.url_problem(get_path(inst.values, "dags.gitSync.repo"))
        if why:
            file, line = inst.locate("dags.gitSync.repo")
            out.append(shapes.ShapeProblem(file, line, "values dags.gitSync.repo", why))
    unique = list(dict.fromkeys(out))
    repo.cache["shape_problems"] = unique
    return unique


def usable(repo: Repository) -> Repository:
    """The repository, if every shape the harness reads has its type; else UnusableInput naming the first
    problem (exit 2). Every command but preflight calls it right after loading (preflight reports them all)."""
    problems = shape_problems(repo)
    if problems:
        more = f" (and {len(problems) - 1} more: run `airflow-e2e preflight`)" if len(problems) > 1 else ""
        raise UnusableInput(problems[0].line_text + more)
    return repo
