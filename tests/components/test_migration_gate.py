"""A createUserJob script without `airflow db check-migrations` is a missing gate (issue 15 item 4): the
check runs exactly the values' script on an empty database and never substitutes the chart's command."""

from __future__ import annotations

import copy

import pytest

pytestmark = pytest.mark.components

NO_GATE = ('airflow users create --username "${AIRFLOW_DEFAULT_USERNAME}" --firstname x --lastname y '
           '--role Admin --email "${AIRFLOW_DEFAULT_EMAIL}" --password "${AIRFLOW_DEFAULT_PASSWORD}"\n')


def test_a_script_without_the_gate_fails_as_a_missing_gate(component_stack, suite_on, tmp_path_factory):
    values = copy.deepcopy(component_stack.inputs.values)
    values["createUserJob"]["args"] = ["bash", "-ec", NO_GATE]
    suite = suite_on(values, artifacts=tmp_path_factory.mktemp("no-gate-artifacts"))
    result = suite.result("migration.check-fails-before-migrate")
    assert result.outcome == "fail", result.summary
    assert "has no `airflow db check-migrations` gate" in result.summary
    assert result.failure == "FAILURES.md 14"
    assert any("ran the values' createUserJob script" in line for line in result.evidence)
