"""Realistic runs (fixtures/timelines/runs.py) as the checks judge them: timeline, final snapshot, expectations.

The fixtures shared with the other timeline tests (runs, repo, example_payload, masker) live in
tests/unit/conftest.py.
"""

from __future__ import annotations

import pytest


class Run:
    """One realistic install: its timeline (as the recorder would record it), final snapshot, expectations."""

    def __init__(self, runs, variant: str):
        from e2e.observe.convert import replay

        self.stream, self.exp = runs.build(variant)
        self.timeline = replay(self.stream.sorted_items())
        self.snapshot = runs.snapshot_of(self.stream)

    def secret(self, name: str) -> dict:
        return self.snapshot.get("Secret", name, self.exp.namespace)


@pytest.fixture
def run(runs):
    """A factory: run("good-run"), run("secrets-late"), ... (fresh objects each call, safe to mutate)."""
    return lambda variant="good-run": Run(runs, variant)


@pytest.fixture(scope="session")
def vault(example_payload):
    from e2e.checks.secrets import vault_view

    return vault_view(example_payload)


@pytest.fixture
def no_values_in(masker):
    """verdict -> True when its evidence holds no payload value in any form the masker knows."""
    return lambda verdict: masker.leaks(verdict.explain()) == []
