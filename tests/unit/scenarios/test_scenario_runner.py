"""The runner's order of work on a scripted stack (recorded calls, scripted observations, no cluster):
baseline, break, symptom, recovery (always), convergence, invariants."""

from __future__ import annotations

import pytest

from e2e.scenarios import runner
from e2e.scenarios.registry import REGISTRY

from . import api_objects as k
from .recording_stack import RecordingStack
from .stack_states import AIRFLOW_SECRETS, COMPONENTS, SECRET_KEYS

KIND_MISSING = ("Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = "
                "Unknown desc = Object 'Kind' is missing in '{\"executor\":\"CeleryExecutor\"}'")


def state(*, comparison_error: bool = False, drop_secret: str | None = None) -> dict[str, list[dict]]:
    secrets_app = k.application("airflow-secrets", sync="Unknown" if comparison_error else "Synced", conditions=(
        [{"type": "ComparisonError", "message": KIND_MISSING}] if comparison_error else None))
    return {
        "pods": [k.pod(f"airflow-{c}-0", c) for c in COMPONENTS],
        "externalsecrets": [k.external_secret(n) for n in AIRFLOW_SECRETS],
        "clustersecretstores": [k.store()],
        "applications": [secrets_app, k.application("airflow")],
        "secrets": [k.secret(n, {key: f"value-of-{n}"}) for n, key in SECRET_KEYS.items() if n != drop_secret],
    }


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch):
    monkeypatch.setattr(runner, "POLL_SECONDS", 0.01)


def quick(stack: RecordingStack) -> RecordingStack:
    stack.config = stack.config.with_(timeout_multiplier=0.002)  # bounds of a few hundred milliseconds
    return stack


def test_a_scenario_runs_break_symptom_recovery_convergence_and_invariants_in_order():
    stack = RecordingStack([state(), state(comparison_error=True), state()])
    result = runner.run(REGISTRY["values-in-directory-source"], stack)
    assert [p.name for p in result.phases] == ["break", "symptom", "recovery", "converged", "invariants"]
    assert result.ok
    assert [c[2] for c in stack.git.commits] == ["airflow-secrets: read every file in apps/airflow",
                                                 "airflow-secrets: exclude the values file"]
    symptom = next(p for p in result.phases if p.name == "symptom")
    assert any("Object 'Kind' is missing in" in e for e in symptom.evidence)


def test_recovery_runs_even_when_the_symptom_never_shows():
    stack = quick(RecordingStack([state()]))
    with pytest.raises(runner.ScenarioFailed, match="symptom") as failure:
        runner.run(REGISTRY["values-in-directory-source"], stack)
    phases = {p.name: p.ok for p in failure.value.result.phases}
    assert phases["symptom"] is False and phases["recovery"] is True and phases["converged"] is True
    assert stack.git.commits[-1][2] == "airflow-secrets: exclude the values file"


def test_a_broken_throughout_invariant_ends_the_wait_at_once():
    stack = RecordingStack([state(), state(drop_secret="airflow-metadata"), state()])
    with pytest.raises(runner.ScenarioFailed, match="invariant broken") as failure:
        runner.run(REGISTRY["values-in-directory-source"], stack)
    symptom = next(p for p in failure.value.result.phases if p.name == "symptom")
    assert not symptom.ok and "Secret airflow-metadata deleted" in symptom.evidence[0]
    assert symptom.seconds < 5


def test_a_failing_break_step_is_reported_masked_and_recovery_still_runs():
    stack = RecordingStack([state()])
    stack.payload = {"createUserJob": {"defaultUser": {"username": "admin"}}}
    stack.masker.add(["s3cret-value-123"])

    def broken_read(path="airflow/config"):
        raise RuntimeError("vault said s3cret-value-123")

    stack.vault.read_payload = broken_read
    with pytest.raises(runner.ScenarioFailed) as failure:
        runner.run(REGISTRY["bad-fernet-key"], quick(stack))
    break_phase = failure.value.result.phases[0]
    assert break_phase.name == "break" and not break_phase.ok
    assert "s3cret-value-123" not in break_phase.evidence[0] and "***MASKED***" in break_phase.evidence[0]
    assert "recovery" in [p.name for p in failure.value.result.phases]


def test_an_admin_user_lost_on_the_way_fails_the_final_invariants():
    stack = RecordingStack([state(), state(comparison_error=True), state()])
    answers = iter(['[{"username": "admin"}]'])
    stack.kube.kubectl = lambda *args, input_text=None: next(answers, "[]") if "users" in args else ""
    with pytest.raises(runner.ScenarioFailed, match="admin user 'admin' missing") as failure:
        runner.run(REGISTRY["values-in-directory-source"], stack)
    assert failure.value.result.phases[-1].name == "invariants" and not failure.value.result.phases[-1].ok
