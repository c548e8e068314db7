"""Shared plain-data inputs for the cluster tier's unit tests: the reference repository and a fresh plan."""

from __future__ import annotations

import pytest

from e2e.cluster import plan as plan_mod
from e2e.config import DEFAULT_GITOPS_DIR, RunConfig
from e2e.gitops.loader import load_repository


@pytest.fixture(scope="module")
def repo():
    return load_repository(DEFAULT_GITOPS_DIR)


@pytest.fixture(scope="module")
def config():
    return RunConfig(run_id="e2e-2611230000-abcd")


@pytest.fixture(scope="module")
def built(config):
    plan, material, repo = plan_mod.prepare(config)
    return plan, material, repo
