"""RunConfig: every knob of a run in one place (CLI flags, pytest options and the environment feed it).

Why one object: `plan`, `up`, the pytest fixtures, scenarios and reproduction bundles must agree on what a run
is; a bundle is just a serialised RunConfig plus what the run observed.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from e2e import versions

REPO_ROOT = Path(__file__).resolve().parent.parent
# The bundled reference and DAG repositories are package data (in a checkout, links to fixtures/gitops and
# fixtures/dags), so an installed harness runs on them from any directory.
PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_GITOPS_DIR = (PACKAGE_DIR / "reference" / "gitops").resolve()
DEFAULT_DAGS_DIR = (PACKAGE_DIR / "reference" / "dags").resolve()

ClusterMode = Literal["kind", "existing"]
KeepPolicy = Literal["always", "on-failure", "never"]
RUN_ID_LABEL = "airflow-e2e.io/run-id"
EXPIRES_LABEL = "airflow-e2e.io/expires"
CREATED_BY_LABEL = "app.kubernetes.io/created-by"
CREATED_BY = "airflow-gitops-e2e"


def new_run_id() -> str:
    """Short, sortable, DNS-label safe: e2e-<utc yymmddhhmm>-<4 hex>."""
    return time.strftime("e2e-%y%m%d%H%M", time.gmtime()) + "-" + secrets.token_hex(2)


@dataclass(frozen=True)
class RunConfig:
    cluster: ClusterMode = "kind"
    cluster_name: str = "airflow-e2e"
    kubeconfig: Path | None = None
    context: str | None = None
    keep_cluster: KeepPolicy = "on-failure"
    keep_hours: float = 24.0  # expiry label on anything kept, for `airflow-e2e sweep`
    chart_version: str = versions.PINNED_CHART
    upgrade_from: str | None = None
    upgrade_to: str | None = None  # the chart-upgrade scenario's target; None: versions.LATEST_CHART
    gitops_dir: Path = DEFAULT_GITOPS_DIR
    dags_dir: Path = DEFAULT_DAGS_DIR
    payload_file: Path | None = None
    artifacts_dir: Path = field(default_factory=lambda: Path.cwd() / "artifacts")
    timeout_multiplier: float = 1.0
    registry_mirror: str | None = None
    node_image: str | None = None  # None: the pinned default in versions
    run_id: str = field(default_factory=new_run_id)
    airflow_version: str | None = None  # component tier: None = what the chart version ships
    require_cluster: bool = False
    airflow_namespace: str = "airflow"
    argocd_namespace: str = "argocd"
    eso_namespace: str = "external-secrets"
    vault_namespace: str = "vault"
    git_namespace: str = "git-server"
    db_namespace: str = "airflow-db"

    def timeout(self, seconds: float) -> float:
        """A per-operation deadline in wall-clock seconds, scaled for slow machines."""
        return seconds * self.timeout_multiplier

    def labels(self) -> dict[str, str]:
        """Labels on every object the harness creates, so `down` and `sweep` delete only ours."""
        return {RUN_ID_LABEL: self.run_id, CREATED_BY_LABEL: CREATED_BY}

    def with_(self, **changes: Any) -> RunConfig:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunConfig:
        paths = {"kubeconfig", "gitops_dir", "dags_dir", "payload_file", "artifacts_dir"}
        kwargs = {k: (Path(v) if k in paths and v is not None else v) for k, v in data.items()
                  if k in cls.__dataclass_fields__}
        return cls(**kwargs)

    @classmethod
    def from_env(cls, **overrides: Any) -> RunConfig:
        """`resolve` for code: typed overrides, no option text."""
        return cls.resolve({}, **overrides)

    @classmethod
    def resolve(cls, given: Mapping[str, str], *, pytest_spelling: bool = False,
                spellings: Mapping[str, str] | None = None, environ: Mapping[str, str] | None = None,
                **overrides: Any) -> RunConfig:
        """The one place a run's options meet, lowest first: RunConfig's defaults, then what the GitOps
        repository decides (repository_defaults), then AIRFLOW_E2E_* environment variables, then the options
        given (strings, by RunConfig field, as the option table parsed them from argv), then typed overrides.
        Every string is parsed and checked by the option table; a bad one is UnusableInput in one line."""
        from e2e.options import BY_FIELD, parse_value

        env = os.environ if environ is None else environ
        parsed: dict[str, Any] = {}
        for name, option in BY_FIELD.items():
            if option.env and env.get(option.env, "").strip() and name not in given:
                parsed[name] = parse_value(option, env[option.env], option.env)
        for name, text in given.items():
            option = BY_FIELD[name]
            spelling = (spellings or {}).get(name) or (option.pytest_flag if pytest_spelling else option.flag)
            parsed[name] = parse_value(option, text, spelling)
        parsed.update({k: v for k, v in overrides.items() if v is not None})
        gitops_dir = Path(parsed.get("gitops_dir") or DEFAULT_GITOPS_DIR)
        values: dict[str, Any] = repository_defaults(gitops_dir)
        values.update(parsed)
        for name in ("artifacts_dir", "gitops_dir", "dags_dir", "payload_file", "kubeconfig"):
            if values.get(name) is not None:  # absolute: a suite runs in another working directory
                values[name] = Path(values[name]).absolute()
        return cls(**values)


def repository_defaults(gitops_dir: Path) -> dict[str, Any]:
    """What the repository decides for a run: the namespace its Airflow Application deploys to, the chart
    version it pins (when the versions table knows it) and the namespace of the ServiceAccount its store logs
    in with (ESO is installed there). Why: a team's repository deploys release `af` to
    `data-platform` on chart 1.22.0; the harness must watch, diagnose and install what the repository says.
    An unreadable repository gives nothing here: the command that reads it reports why, in one line."""
    from e2e.errors import UnusableInput
    from e2e.gitops.loader import load_repository
    from e2e.install import find_install

    try:
        inst = find_install(load_repository(gitops_dir))
    except (UnusableInput, OSError, ValueError):
        return {}
    if inst is None:
        return {}
    found: dict[str, Any] = {}
    if inst.eso_namespace:
        found["eso_namespace"] = inst.eso_namespace  # ESO runs where the store's ServiceAccount lives
    if inst.namespace:
        found["airflow_namespace"] = inst.namespace
    if inst.known_chart_version:
        found["chart_version"] = inst.known_chart_version
    return found
