"""wait_until (the component tier's wait on a probe) on plain probes: real monotonic clock, short deadlines."""

from __future__ import annotations

import time

import pytest

from e2e.components.waiting import GaveUp, NotReady, wait_until


def test_a_probe_that_raises_is_not_ready_yet_and_its_first_truthy_answer_is_returned():
    answers = iter([ConnectionRefusedError("port 5432"), None, 0, "accepting"])

    def probe():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer
    assert wait_until(probe, timeout=5, what="PostgreSQL") == "accepting"


def test_gave_up_stops_the_wait_at_once():
    started = time.monotonic()
    with pytest.raises(GaveUp, match="exited"):
        wait_until(lambda: (_ for _ in ()).throw(GaveUp("redis exited (1)")), timeout=30, what="Redis")
    assert time.monotonic() - started < 5


def test_the_deadline_says_what_was_awaited_and_the_last_error():
    with pytest.raises(NotReady, match=r"^sshd: not ready after 0 s \(last: OSError: banner missing\)$"):
        wait_until(lambda: (_ for _ in ()).throw(OSError("banner missing\nmore")), timeout=0.2, what="sshd")
    with pytest.raises(NotReady, match=r"^the DAG: not ready after 0 s$"):
        wait_until(lambda: False, timeout=0.1, what="the DAG")
