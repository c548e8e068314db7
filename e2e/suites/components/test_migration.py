"""Migrations gate the user job: check-migrations refuses an empty database, passes after `db migrate`."""

from __future__ import annotations

import pytest

from e2e.components.jobscript import migration_gate

pytestmark = pytest.mark.components


def test_check_migrations_fails_before_migrate_with_the_real_message(component_suite):
    result = component_suite.result("migration.check-fails-before-migrate")
    assert result.outcome == "pass", result.summary
    assert any("There are still unapplied migrations" in line for line in result.evidence)


def test_the_values_check_migrations_passes_after_db_migrate(migrated_database, component_suite):
    result = component_suite.result("migration.check-passes-after-migrate")
    assert result.outcome == "pass", result.summary
    assert migration_gate(component_suite.job_argv())  # the values have their own gate ...
    assert " ".join(component_suite.migration_check_command()) in result.summary  # ... and it is what ran
