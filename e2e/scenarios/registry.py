"""The scenario registry: names -> Scenario, for the CLI, the pytest parametrisation and the docs.

Why a registry separate from the catalog: callers ask for names and one scenario (laid out for their own
repository, the bundled reference when they name none) without knowing how scenarios are built.
`REGISTRY` is the reference repository's, built on first use.
"""

from __future__ import annotations

from functools import cache

from e2e import versions
from e2e.config import DEFAULT_GITOPS_DIR, RunConfig
from e2e.errors import UnusableInput
from e2e.gitops.model import Repository
from e2e.install import NoAirflowInstall
from e2e.scenarios.catalog import NAMES, build
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import Scenario


def names() -> list[str]:
    return list(NAMES)


@cache
def _reference() -> dict[str, Scenario]:
    from e2e.gitops import load_repository

    built, _refused = build(Layout.from_repository(load_repository(DEFAULT_GITOPS_DIR)))
    return built


def __getattr__(attr: str) -> dict[str, Scenario]:
    if attr == "REGISTRY":
        return _reference()
    raise AttributeError(attr)


def get(name: str, repo: Repository | None = None, upgrade_to: str = versions.LATEST_CHART,
        config: RunConfig | None = None) -> Scenario:
    """One scenario, laid out for `repo` (the reference repository when None) with the names it chooses and
    the namespaces of `config` (the repository's own when None); one clear error for an unknown name or a
    scenario this repository cannot have."""
    if name not in NAMES:
        raise UnusableInput(f"unknown scenario {name!r}; `airflow-e2e scenario --list` shows the {len(NAMES)} known")
    if repo is None and config is None and upgrade_to == versions.LATEST_CHART:
        return _reference()[name]
    if repo is None:
        from e2e.gitops import load_repository

        repo = load_repository(DEFAULT_GITOPS_DIR)
    try:
        layout = Layout.from_repository(repo, config)
    except NoAirflowInstall as exc:
        raise UnusableInput(f"scenario {name}: {exc}") from None
    built, refused = build(layout, upgrade_to=upgrade_to)
    if name in refused:
        raise UnusableInput(f"scenario {name}: {refused[name]}")
    return built[name]
