"""Component-tier tests: two groups for pytest-xdist (`-n 2 --dist loadgroup`), the leak scan last in each.

Why groups: the tests of the main database (a migrated database, the admin the create-user Job made, the local
chain on it) build on one another's state and run on one worker; the others (servers, broker, git-sync, the
controls on their own databases, the upgrade, the Vault leg) on the other. Each worker has its own servers,
so each group ends with its own leak scan of what it wrote. Without xdist everything runs in one process.
"""

from __future__ import annotations

import pytest

LAST = "test_nothing_the_tier_wrote_holds_a_payload_value"
MAIN, OTHERS = "main-database", "servers"
MAIN_FIXTURES = {"migrated_database", "created_admin", "local_chain"}


def xdist_workers(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def group_of(item: pytest.Item) -> str:
    if item.originalname == LAST:  # type: ignore[attr-defined]
        return item.callspec.params["group"]  # type: ignore[attr-defined]
    if MAIN_FIXTURES & set(getattr(item, "fixturenames", ())) or item.path.name.startswith("test_chain"):
        return MAIN
    return OTHERS


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.originalname == LAST:
        groups = [MAIN, OTHERS] if xdist_workers(metafunc.config) else ["all"]
        metafunc.parametrize("group", groups)


@pytest.hookimpl(tryfirst=True)  # before xdist's loadgroup reads the marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    used = {group_of(item) for item in items if getattr(item, "originalname", "") != LAST}
    idle = [item for item in items if getattr(item, "originalname", "") == LAST and group_of(item) not in used
            and group_of(item) != "all"]  # a group with nothing selected has nothing to scan
    if idle:
        config.hook.pytest_deselected(items=idle)
        items[:] = [item for item in items if item not in idle]
    for item in items:
        item.add_marker(pytest.mark.xdist_group(group_of(item)))
    items.sort(key=lambda item: getattr(item, "originalname", "") == LAST)
