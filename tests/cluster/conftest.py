"""Cluster tests: every test here is marked `cluster` and runs against the `stack` fixture (e2e.cluster.fixtures).

Without a Docker engine (or a kubeconfig with --cluster existing) the fixtures skip with one clear reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.cluster)
