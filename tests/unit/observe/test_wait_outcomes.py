"""eventually/consistently on a fake monotonic clock, and which object states are terminal."""

from __future__ import annotations

import pytest

from e2e.masking import Masker
from e2e.observe.wait import (
    Failed,
    Ok,
    Pending,
    WaitFailed,
    WaitTimeout,
    application_outcome,
    consistently,
    eventually,
    external_secret_outcome,
    job_outcome,
    pod_outcome,
    store_outcome,
)


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class Unavailable(Exception):
    status = 503


class Forbidden(Exception):
    status = 403


def test_eventually_returns_the_value_once_ok():
    clock, answers = FakeClock(), iter([Pending("starting"), Pending("starting"), Ok(42)])
    assert eventually(lambda: next(answers), timeout=10, clock=clock, sleep=clock.sleep) == 42
    assert clock.now == 102.0


def test_a_terminal_state_fails_at_once_with_its_reason():
    clock, calls = FakeClock(), []

    def check():
        calls.append(1)
        return Failed("Job airflow-run-airflow-migrations failed: BackoffLimitExceeded")
    with pytest.raises(WaitFailed, match="BackoffLimitExceeded"):
        eventually(check, timeout=300, clock=clock, sleep=clock.sleep)
    assert len(calls) == 1 and clock.now == 100.0


def test_timeout_says_the_last_pending_reason_and_uses_the_deadline_not_a_count():
    clock = FakeClock()
    with pytest.raises(WaitTimeout, match=r"still pending: ExternalSecret airflow-metadata.*after 30.0s"):
        eventually(lambda: Pending("ExternalSecret airflow-metadata: Ready=False"), timeout=30, interval=7,
                   clock=clock, sleep=clock.sleep)
    assert clock.now == 130.0


def test_transient_api_errors_are_retried_but_others_propagate():
    answers = iter([Unavailable(), Ok("ready")])

    def flaky():
        item = next(answers)
        if isinstance(item, Exception):
            raise item
        return item
    assert eventually(flaky, timeout=10, interval=0.01) == "ready"
    with pytest.raises(Forbidden):
        eventually(lambda: (_ for _ in ()).throw(Forbidden()), timeout=10)


def test_reasons_are_masked():
    masker = Masker(["hunter2-secret-password"])
    with pytest.raises(WaitFailed) as err:
        eventually(lambda: Failed("login with hunter2-secret-password refused"), timeout=1, masker=masker)
    assert "hunter2" not in str(err.value)


def test_consistently_fails_on_the_first_lapse():
    clock, answers = FakeClock(), iter([Ok(1), Ok(1), Pending("Secret airflow-fernet-key re-created")])
    with pytest.raises(WaitFailed, match="stopped holding: Secret airflow-fernet-key re-created"):
        consistently(lambda: next(answers), duration=10, interval=1, clock=clock, sleep=clock.sleep)


def test_consistently_holds_for_the_whole_duration():
    clock = FakeClock()
    assert consistently(lambda: Ok("same"), duration=5, interval=1, clock=clock, sleep=clock.sleep) == "same"
    assert clock.now == 105.0


def pod(reason, restarts=0, message=""):
    return {"metadata": {"name": "airflow-worker-0"}, "status": {"phase": "Pending", "containerStatuses": [
        {"name": "worker", "restartCount": restarts, "state": {"waiting": {"reason": reason, "message": message}}}]}}


def test_image_pull_failures_are_terminal_but_a_missing_secret_is_pending():
    assert isinstance(pod_outcome(pod("ImagePullBackOff", message='Back-off pulling image "x"')), Failed)
    outcome = pod_outcome(pod("CreateContainerConfigError", message='secret "airflow-fernet-key" not found'))
    assert isinstance(outcome, Pending) and "CreateContainerConfigError" in outcome.reason


def test_crash_loop_is_terminal_only_after_three_restarts_and_can_be_tolerated():
    assert isinstance(pod_outcome(pod("CrashLoopBackOff", restarts=1)), Pending)
    assert isinstance(pod_outcome(pod("CrashLoopBackOff", restarts=3)), Failed)
    assert isinstance(pod_outcome(pod("CrashLoopBackOff", restarts=3), tolerate={"CrashLoopBackOff"}), Pending)


def test_job_application_and_eso_outcomes():
    failed_job = {"metadata": {"name": "j"}, "status": {"conditions": [
        {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "backoff limit"}]}}
    assert isinstance(job_outcome(failed_job), Failed)
    app = {"metadata": {"name": "airflow"}, "status": {"sync": {"status": "OutOfSync"}, "health": {
        "status": "Progressing"}, "operationState": {"phase": "Failed", "message": "one or more objects failed"}}}
    assert "operation Failed" in application_outcome(app).reason
    es = {"metadata": {"name": "airflow-metadata"}, "status": {"conditions": [
        {"type": "Ready", "status": "False", "reason": "SecretSyncedError", "message": "Code: 403"}]}}
    assert isinstance(external_secret_outcome(es), Failed)
    assert isinstance(external_secret_outcome(es, tolerate={"SecretSyncedError"}), Pending)
    store = {"metadata": {"name": "vault-airflow"}, "status": {"conditions": [
        {"type": "Ready", "status": "True", "reason": "Valid"}]}}
    assert isinstance(store_outcome(store), Ok)


def test_with_max_interval_the_pause_grows_one_and_a_half_times_up_to_it():
    clock, pauses = FakeClock(), []

    def sleep(seconds):
        pauses.append(round(seconds, 4))
        clock.sleep(seconds)
    with pytest.raises(WaitTimeout):
        eventually(lambda: Pending("starting"), timeout=3, interval=0.4, max_interval=1.0, clock=clock, sleep=sleep)
    assert pauses[:4] == [0.4, 0.6, 0.9, 1.0] and sum(pauses) == pytest.approx(3.0)
