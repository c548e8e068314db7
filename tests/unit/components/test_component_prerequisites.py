"""The component suite's prerequisites are fixtures: a prerequisite that did not pass makes its dependants
error naming it (never pass), and the xdist groups keep the main database's tests on one worker."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from e2e import suites
from e2e.components.fixtures import _prerequisite

pytestmark = pytest.mark.unit


class _Suite:
    def __init__(self, outcome: str) -> None:
        self.outcome = outcome

    def result(self, name: str):
        return SimpleNamespace(check=name, outcome=self.outcome, summary="airflow db migrate failed: timed out")


def test_a_prerequisite_that_did_not_pass_fails_the_dependant_naming_it():
    with pytest.raises(pytest.fail.Exception, match=r"prerequisite migration.migrate did not pass \(error\): "
                                                    "airflow db migrate failed"):
        _prerequisite(_Suite("error"), "migration.migrate")
    assert _prerequisite(_Suite("pass"), "migration.migrate").outcome == "pass"


class _Groups:
    def __init__(self) -> None:
        self.groups: dict[str, str] = {}

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            mark = item.get_closest_marker("xdist_group")
            self.groups[item.nodeid.split("/")[-1]] = mark.args[0] if mark else ""


def test_the_main_database_s_tests_are_one_xdist_group_and_the_leak_scan_runs_last():
    seen = _Groups()
    assert pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", str(suites.COMPONENTS)],
                       plugins=[seen]) == 0
    groups = seen.groups
    main = {n for n, g in groups.items() if g == "main-database"}
    assert "test_user_job.py::test_the_default_user_logs_in_with_the_payload_password" in main
    assert "test_migration.py::test_the_values_check_migrations_passes_after_db_migrate" in main
    assert {n for n in groups if n.startswith("test_chain.py")} <= main
    assert groups["test_migration.py::test_check_migrations_fails_before_migrate_with_the_real_message"] == "servers"
    assert groups["test_user_job.py::test_a_broken_metadata_connection_fails_the_job_and_says_why"] == "servers"
    assert all(g == "servers" for n, g in groups.items() if n.startswith(("test_upgrade_path", "test_broker")))
    assert list(groups)[-1].startswith("test_no_leaks.py::test_nothing_the_tier_wrote_holds_a_payload_value[all]")
