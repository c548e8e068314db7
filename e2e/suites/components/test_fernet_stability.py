"""A value the Job's Fernet key encrypted must be unreadable with another key (FAILURES.md 2), which is why every
*SecretName points at an ESO Secret and never lets the chart make `<release>-fernet-key` itself."""

from __future__ import annotations

import pytest

from e2e.components import encrypted_probe

pytestmark = pytest.mark.components


@pytest.fixture(scope="module")
def fernet_result(migrated_database, component_suite):
    return component_suite.result("fernet-key-stability")


def test_the_stored_connection_reads_back_encrypted_with_the_jobs_own_key(fernet_result, component_stack):
    assert fernet_result.outcome == "pass", fernet_result.summary
    assert "read with the same key: exit 0, decrypted: True, encrypted at rest: True" in fernet_result.evidence
    assert component_stack.job_env().sources["AIRFLOW__CORE__FERNET_KEY"] in fernet_result.evidence[0]


def test_another_fernet_key_fails_with_invalid_token_reported_as_failure_2(fernet_result):
    assert fernet_result.failure == "FAILURES.md 2"
    assert fernet_result.evidence[-1].endswith("exit 1, cryptography.fernet.InvalidToken")


def test_the_probe_finds_invalid_token_only_in_a_traceback():
    assert encrypted_probe.token_line("Traceback\n    raise InvalidToken\ncryptography.fernet.InvalidToken\n") == \
        "cryptography.fernet.InvalidToken"
    assert encrypted_probe.token_line("Connection not found.") == ""
