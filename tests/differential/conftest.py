"""The Go oracle for the template differential tests: built once per session, one process for all tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from go_oracle import GoRenderer, build, missing_toolchain


@pytest.fixture(scope="session")
def go_renderer() -> Iterator[GoRenderer]:
    reason = missing_toolchain()
    if reason:
        pytest.skip(reason)
    renderer = GoRenderer(build())
    yield renderer
    renderer.close()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "long: long fuzz/differential runs, skipped unless selected (-m long)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`long` tests run only when asked for (`-m long`): `make test` stays fast."""
    if "long" in (config.getoption("-m") or ""):
        return
    for item in items:
        if item.get_closest_marker("long"):
            item.add_marker(pytest.mark.skip(reason="long run: select it with -m long"))
