"""The scenario registry: names -> Scenario, for the CLI, the pytest parametrisation and the docs.

Why a registry separate from the catalog: callers ask for names and one scenario (optionally laid out for
their own repository) without knowing how scenarios are built.
"""

from __future__ import annotations

from e2e import versions
from e2e.config import RunConfig
from e2e.errors import UnusableInput
from e2e.gitops.model import Repository
from e2e.scenarios.catalog import build
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import Scenario

REGISTRY: dict[str, Scenario] = build()


def names() -> list[str]:
    return list(REGISTRY)


def get(name: str, repo: Repository | None = None, upgrade_to: str = versions.LATEST_CHART,
        config: RunConfig | None = None) -> Scenario:
    """One scenario, laid out for `repo` (the reference layout when None) with the names it chooses and the
    namespaces of `config` (the repository's own when None); a clear error for an unknown name."""
    if name not in REGISTRY:
        raise UnusableInput(f"unknown scenario {name!r}; `airflow-e2e scenario --list` shows the {len(REGISTRY)} known")
    if repo is None and config is None and upgrade_to == versions.LATEST_CHART:
        return REGISTRY[name]
    return build(Layout.from_repository(repo, config), upgrade_to=upgrade_to)[name]
