"""Fixtures every unit test may ask for: the realistic runs (fixtures/timelines/runs.py) and the reference
repository, payload and masker they use; `root`, each bundled repository (the reference and a team's own) for
the tests that must hold on both and so name nothing of either.

Why here: the checks, observe, report and hostile-input tests all judge the same recorded installs; the runs
and the masker are defined once.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from e2e.gitops import load_repository
from e2e.masking import Masker, secret_values

ROOT = Path(__file__).resolve().parents[2]
TIMELINES = ROOT / "fixtures" / "timelines"


def _load_runs():
    if "timeline_runs" in sys.modules:
        return sys.modules["timeline_runs"]
    spec = importlib.util.spec_from_file_location("timeline_runs", TIMELINES / "runs.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["timeline_runs"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def runs():
    return _load_runs()


@pytest.fixture(scope="module", params=[ROOT / "fixtures" / "gitops", ROOT / "fixtures" / "variants" / "team-repo"],
                ids=lambda p: p.name)
def root(request) -> Path:
    return request.param


@pytest.fixture(scope="session")
def repo():
    return load_repository(ROOT / "fixtures" / "gitops")


@pytest.fixture(scope="session")
def example_payload(repo):
    return repo.payload_example


@pytest.fixture(scope="session")
def masker(example_payload):
    return Masker(secret_values(example_payload))
