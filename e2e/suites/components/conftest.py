"""Component-tier tests: the leak scan runs last, after every other test has written what it writes."""

from __future__ import annotations

import pytest

LAST = "test_nothing_the_tier_wrote_holds_a_payload_value"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.name == LAST)
