"""Materialisation, as the seed's "Validate" checks it, but byte-exact against Vault and without values shown."""

from __future__ import annotations

import pytest

from e2e.checks import secrets
from e2e.checks.expect import Expectations
from e2e.install import payload_location
from e2e.observe import snapshot
from e2e.observe.wait import Failed, Ok, Pending, eventually

pytestmark = pytest.mark.secrets


@pytest.fixture
def live(stack):
    return snapshot.take(stack.kube, stack.config)


def test_each_secret_exists_owned_by_its_external_secret(stack, live, judged):
    verdict = judged(secrets.secrets_owned_by_external_secrets(live, Expectations.for_stack(stack)))
    assert verdict.ok, verdict.explain()


def test_each_secret_carries_exactly_the_keys_the_chart_reads(stack, live, judged):
    verdict = judged(secrets.secrets_have_chart_keys(live, Expectations.for_stack(stack)))
    assert verdict.ok, verdict.explain()


def test_each_secret_is_byte_equal_to_the_vault_payload(stack, live, judged):
    vault = secrets.vault_view(stack.vault.read_payload(), *payload_location(stack.repo))
    verdict = judged(secrets.secrets_match_vault(live, Expectations.for_stack(stack), vault))
    assert verdict.ok, verdict.explain()


def test_no_chart_generated_secret_exists(stack, live, judged):
    verdict = judged(secrets.no_chart_made_secrets(live, Expectations.for_stack(stack)))
    assert verdict.ok, verdict.explain()


def test_fernet_key_is_unchanged_after_a_second_sync(stack, operator, recorder, live, judged):
    exp = Expectations.for_stack(stack)
    previous = ((operator.application(exp.chart_app).get("status") or {}).get("operationState") or {}).get(
        "startedAt")
    recorder.mark(f"test: sync {exp.chart_app} again")
    operator.sync(exp.chart_app, prune=False, hooks=True)

    def synced_again():
        op = (operator.application(exp.chart_app).get("status") or {}).get("operationState") or {}
        if op.get("startedAt") == previous:
            return Pending("the second sync has not started")
        if op.get("phase") in ("Failed", "Error"):
            return Failed(f"second sync {op.get('phase')}: {op.get('message')}")
        return Ok(op) if op.get("phase") == "Succeeded" else Pending(f"second sync {op.get('phase')}")
    eventually(synced_again, timeout=stack.config.timeout(300), interval=2, describe="second sync of the chart",
               masker=stack.masker)
    verdict = judged(secrets.fernet_key_unchanged(live, snapshot.take(stack.kube, stack.config), exp))
    assert verdict.ok, verdict.explain()
