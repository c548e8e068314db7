"""What a correct run must show, derived from the GitOps repository model (never hard-coded names).

Why one place: the checks ask "which Application holds the ExternalSecrets", "which Secrets do the values
name and which data keys does the chart read from each", "what are the Jobs called"; the repository says all
of it, and a user's own repository with other names must work unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from e2e import chart
from e2e.gitops.model import Application, ExternalSecret, Repository, get_path

MIGRATION_JOB = "{release}-run-airflow-migrations"  # chart/templates/jobs/migrate-database-job.yaml
USER_JOB = "{release}-create-user"  # chart/templates/jobs/create-user-job.yaml
GIT_SYNC_CONTAINERS = ("git-sync", "git-sync-init")  # chart/templates/_helpers.yaml git_sync_container


@dataclass(frozen=True)
class Expectations:
    namespace: str
    argocd_namespace: str
    secrets_app: str
    chart_app: str
    release: str
    airflow_version: str
    external_secrets: tuple[ExternalSecret, ...]
    required_keys: dict[str, tuple[str, ...]]  # Secret name -> the data keys the chart (or a Job env) reads
    referenced: tuple[str, ...]  # Secrets Airflow pods need at start, for this Airflow version
    chart_generated: dict[str, str] = field(default_factory=dict)  # chart-made Secret name -> its purpose
    migration_job: str = ""
    user_job: str = ""
    git_sync_repo: str | None = None
    git_sync_branch: str | None = None
    known_hosts_set: bool = False
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def managed_secrets(self) -> tuple[str, ...]:
        return tuple(es.target_name for es in self.external_secrets)

    def external_secret_for(self, secret: str) -> ExternalSecret | None:
        return next((es for es in self.external_secrets if es.target_name == secret), None)

    @classmethod
    def for_stack(cls, stack: Any) -> Expectations:
        """For a RunningStack: its pushed repository and the Airflow of the chart the stack installed, which
        the pushed repository records (with --upgrade-from that is the older chart until the upgrade is
        committed; the run's --chart-version is only the target then)."""
        from e2e.versions import CHART_AIRFLOW, airflow_version_for_chart

        installed = installed_chart(stack.repo)
        chart = installed if installed in CHART_AIRFLOW else stack.config.chart_version
        return cls.from_repository(stack.repo, airflow_version_for_chart(chart))

    @classmethod
    def from_repository(cls, repo: Repository, airflow_version: str) -> Expectations:
        chart_app = _chart_app(repo)
        secrets_app = _secrets_app(repo)
        values = repo.merged_values(chart_app)
        source = chart_app.chart_sources[0]
        release = str(source.helm.get("releaseName") or chart_app.name)
        namespace = chart_app.destination_namespace or "default"
        required: dict[str, set[str]] = {}
        for ref in chart.SECRET_REFS:
            name = get_path(values, ref.value_path)
            if isinstance(name, str) and name:
                required.setdefault(name, set()).add(ref.data_key)
        env_refs = _env_secret_refs(values)
        for name, key in env_refs:
            required.setdefault(name, set()).add(key)
        referenced = sorted(set(chart.secret_names(values, airflow_version)) | {n for n, _ in env_refs})
        generated = {}
        for ref in chart.SECRET_REFS:
            if ref.chart_generates and chart.applies_to(ref, airflow_version):
                generated[ref.chart_generates.format(release=release)] = ref.value_path
        return cls(
            namespace=namespace,
            argocd_namespace=chart_app.obj.namespace or "argocd",
            secrets_app=secrets_app.name,
            chart_app=chart_app.name,
            release=release,
            airflow_version=airflow_version,
            external_secrets=tuple(repo.external_secrets_in(namespace)),
            required_keys={k: tuple(sorted(v)) for k, v in sorted(required.items())},
            referenced=tuple(referenced),
            chart_generated=generated,
            migration_job=MIGRATION_JOB.format(release=release),
            user_job=USER_JOB.format(release=release),
            git_sync_repo=get_path(values, "dags.gitSync.repo"),
            git_sync_branch=get_path(values, "dags.gitSync.branch") or get_path(values, "dags.gitSync.ref"),
            known_hosts_set=bool(get_path(values, "dags.gitSync.knownHosts")),
            values=values,
        )


def _chart_app(repo: Repository) -> Application:
    apps = [a for a in repo.applications if any(s.chart == "airflow" for s in a.chart_sources)]
    if not apps:
        raise ValueError("the repository has no Application with the Airflow Helm chart as a source")
    return apps[0]


def _secrets_app(repo: Repository) -> Application:
    """The Application whose directory source holds the ExternalSecrets."""
    for app in repo.applications:
        for source in app.directory_sources:
            if any(o.kind == "ExternalSecret" for o in repo.objects_under(source.path or "")):
                return app
    raise ValueError("the repository has no Application whose directory source holds ExternalSecrets")


def _env_secret_refs(values: dict[str, Any]) -> list[tuple[str, str]]:
    """(Secret, key) pairs the Jobs read through `<job>.env[].valueFrom.secretKeyRef` (the default user)."""
    found = []
    for job in chart.JOBS:
        for entry in get_path(values, f"{job}.env") or []:
            ref = get_path(entry, "valueFrom.secretKeyRef") if isinstance(entry, dict) else None
            if isinstance(ref, dict) and ref.get("name") and ref.get("key"):
                found.append((str(ref["name"]), str(ref["key"])))
    return found


def installed_chart(repo: Repository) -> str | None:
    """The Airflow chart version a repository installs: its chart source's targetRevision."""
    for app in repo.applications:
        for source in app.chart_sources:
            if source.chart == "airflow":
                return source.target_revision
    return None
