"""What a correct run must show, derived from the GitOps repository model (never hard-coded names).

Why one place: the checks ask "which Application holds the ExternalSecrets", "which Secrets do the values
name and which data keys does the chart read from each", "what are the Jobs called"; the repository says all
of it, and a user's own repository with other names must work unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from e2e.gitops.model import ExternalSecret, Repository, get_path
from e2e.install import MIGRATION_JOB, USER_JOB, NoAirflowInstall, airflow_install, find_install

__all__ = ["GIT_SYNC_CONTAINERS", "MIGRATION_JOB", "USER_JOB", "Expectations"]
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
    fernet_secret: str = ""  # AirflowInstall.fernet_secret

    @property
    def managed_secrets(self) -> tuple[str, ...]:
        return tuple(es.target_name for es in self.external_secrets)

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
        """Read from the repository's AirflowInstall, running `airflow_version`."""
        found = airflow_install(repo)
        secrets_app = found.secrets_app
        if secrets_app is None:
            raise NoAirflowInstall("the repository has no Application whose directory source holds ExternalSecrets")
        inst = found.running(airflow_version)
        needs = inst.secret_needs()
        values = inst.values
        return cls(
            namespace=inst.namespace or "default",
            argocd_namespace=inst.argocd_namespace,
            secrets_app=secrets_app.name,
            chart_app=inst.app.name,
            release=inst.release,
            airflow_version=airflow_version,
            external_secrets=tuple(repo.external_secrets_in(inst.namespace or "default")),
            required_keys={name: tuple(sorted(need.keys)) for name, need in sorted(needs.items())},
            referenced=tuple(sorted(needs)),
            chart_generated={name: ref.value_path for name, ref in inst.chart_generated().items()},
            migration_job=inst.migration_job,
            user_job=inst.user_job,
            git_sync_repo=get_path(values, "dags.gitSync.repo"),
            git_sync_branch=get_path(values, "dags.gitSync.branch") or get_path(values, "dags.gitSync.ref"),
            known_hosts_set=bool(get_path(values, "dags.gitSync.knownHosts")),
            values=values,
            fernet_secret=inst.fernet_secret,
        )


def installed_chart(repo: Repository) -> str | None:
    """The Airflow chart version a repository installs (its AirflowInstall's pinned version)."""
    inst = find_install(repo)
    return inst.chart_version if inst is not None else None
