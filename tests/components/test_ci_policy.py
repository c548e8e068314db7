"""In CI nothing of the component tier may be skipped: a missing server binary fails the run there."""

from __future__ import annotations

import pytest

from e2e.components.fixtures import unavailable

pytestmark = pytest.mark.components


def test_an_unavailable_tier_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run in CI: initdb not found"):
        unavailable("initdb not found")


def test_an_unavailable_tier_skips_with_its_reason_on_a_laptop(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="initdb not found"):
        unavailable("initdb not found")
