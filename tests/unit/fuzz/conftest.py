"""The long fuzz runs only when asked for: `pytest -m fuzz_long tests/unit/fuzz` (make test keeps the short twin)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fuzz_long: thousands of examples per command; deselected unless -m fuzz_long")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "fuzz_long" in (config.getoption("-m") or ""):
        return
    long = [item for item in items if item.get_closest_marker("fuzz_long")]
    if long:
        config.hook.pytest_deselected(items=long)
        items[:] = [item for item in items if not item.get_closest_marker("fuzz_long")]
