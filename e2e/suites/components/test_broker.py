"""The broker URL must authenticate against Redis started with redisPassword (FAILURES.md 9)."""

from __future__ import annotations

import pytest

from e2e.components import inputs
from e2e.payload import broker_url

pytestmark = pytest.mark.components


def test_the_payload_broker_url_authenticates(component_suite):
    result = component_suite.result("broker.url-authenticates")
    assert result.outcome == "pass", result.summary


def test_a_broker_password_other_than_redis_password_is_failure_9(component_suite, component_stack, redis_server):
    other = "a-different-redis-password"
    component_stack.protect(other)
    mismatched = {**component_stack.payload, "brokerUrl": broker_url(other, redis_server.host, redis_server.port)}
    assert inputs.db_login(mismatched)  # the rest of the payload is intact
    result = component_suite.broker("broker.mismatch-control", mismatched)
    assert result.outcome == "fail"
    assert result.failure == "FAILURES.md 9"
    assert "invalid username-password pair" in result.summary
