"""eventually on a fake monotonic clock: Ok returns, Failed ends at once, Pending until the deadline."""

from __future__ import annotations

import pytest

from e2e.masking import Masker
from e2e.observe.wait import (
    Failed,
    Ok,
    Pending,
    WaitFailed,
    WaitTimeout,
    eventually,
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


def test_with_max_interval_the_pause_grows_one_and_a_half_times_up_to_it():
    clock, pauses = FakeClock(), []

    def sleep(seconds):
        pauses.append(round(seconds, 4))
        clock.sleep(seconds)
    with pytest.raises(WaitTimeout):
        eventually(lambda: Pending("starting"), timeout=3, interval=0.4, max_interval=1.0, clock=clock, sleep=sleep)
    assert pauses[:4] == [0.4, 0.6, 0.9, 1.0] and sum(pauses) == pytest.approx(3.0)
