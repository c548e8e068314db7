"""One broken ExternalSecret fails only what reads its Secret (ESO fails one Secret at a time): a payload
without the admin password leaves airflow-default-user unmade, so the create-user Job fails and says why,
while the migration Job (which never reads that Secret) and git-sync still run for real and pass."""

from __future__ import annotations

import copy

import pytest

pytestmark = pytest.mark.components


@pytest.fixture(scope="module")
def broken_admin_suite(component_stack, suite_on, tmp_path_factory):
    payload = copy.deepcopy(component_stack.fresh_database("brokenadmin"))
    del payload["createUserJob"]["defaultUser"]["password"]
    return suite_on(payload=payload, workdir=tmp_path_factory.mktemp("broken-admin-work"),
                    artifacts=tmp_path_factory.mktemp("broken-admin-artifacts"))


def test_the_create_user_job_fails_naming_the_secret_eso_would_not_make(broken_admin_suite):
    result = broken_admin_suite.result("user-job.script-succeeds")
    assert result.outcome == "fail", result.summary
    assert "Secret airflow-default-user is never made" in result.summary
    assert "password" in result.summary


@pytest.mark.parametrize("check", ["migration.migrate", "git-sync.clone-with-known-hosts"])
def test_checks_that_do_not_read_that_secret_still_pass(broken_admin_suite, check):
    result = broken_admin_suite.result(check)
    assert result.outcome == "pass", result.summary
