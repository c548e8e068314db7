"""Wait on conditions with deadlines: `eventually`, and the container states no waiting mends.

Why: a fixed sleep is either too short (flaky) or too long (slow), and a loop counted in iterations hides how
long it really waited. A check returns Pending(reason), Ok(value) or Failed(reason): Failed ends the wait at
once with its reason (a Job that failed will not un-fail), Pending is retried until a monotonic deadline and
the last reason is what the error says. Transient API errors (429, 5xx, dropped connections) are retried with
tenacity inside the deadline; any other exception is a bug and propagates.

Which states are terminal is each wait's judgement, next to what it reads (docs/assertions.md lists them);
the container waiting reasons that mean an image problem are named here once (TERMINAL_WAITING): the harness
preloads images, so a pull failure is an infrastructure fault, never fixed by waiting."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_exponential

from e2e.judgement import Judgement
from e2e.masking import Masker

TRANSIENT_HTTP = {429, 500, 502, 503, 504}
TERMINAL_WAITING = frozenset({"ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull",
                              "CreateContainerError"})


class Pending(Judgement):
    """Not yet: poll again (a Judgement; e2e.judgement is the one result type)."""

    def __init__(self, reason: str) -> None:
        super().__init__("pending", (reason,))


class Ok(Judgement):
    """Done: `value` is what the wait returns."""

    def __init__(self, value: Any = None) -> None:
        super().__init__("ok", (), value=value)


class Failed(Judgement):
    """A terminal state: waiting longer cannot help."""

    def __init__(self, reason: str) -> None:
        super().__init__("failed", (reason,))


Outcome = Judgement


class WaitError(AssertionError):
    """The message names what was awaited, for how long, and the deciding reason (masked)."""

    def __init__(self, describe: str, reason: str, elapsed: float) -> None:
        self.describe, self.reason, self.elapsed = describe, reason, elapsed
        super().__init__(f"{describe}: {reason} (after {elapsed:.1f}s)")


class WaitFailed(WaitError):
    """A terminal state: waiting longer cannot help."""


class WaitTimeout(WaitError):
    """The deadline passed while still pending."""


def is_transient(exc: BaseException) -> bool:
    status = getattr(exc, "status", None)
    if isinstance(status, int) and status in TRANSIENT_HTTP:
        return True
    if isinstance(exc, ConnectionError | TimeoutError):
        return True
    module = type(exc).__module__
    return module.startswith("urllib3") and type(exc).__name__ in {
        "ProtocolError", "MaxRetryError", "NewConnectionError", "ReadTimeoutError", "ConnectTimeoutError"}


def _pause(seconds: float) -> None:
    threading.Event().wait(seconds)


class _Clock:
    def __init__(self, clock: Callable[[], float], timeout: float) -> None:
        self.clock, self.start = clock, clock()
        self.deadline = self.start + timeout

    @property
    def elapsed(self) -> float:
        return self.clock() - self.start

    @property
    def remaining(self) -> float:
        return self.deadline - self.clock()


def _call(check: Callable[[], Outcome], remaining: float) -> Outcome:
    """One check, with transient API errors retried until the remaining time is used up."""
    for attempt in Retrying(retry=retry_if_exception(is_transient), stop=stop_after_delay(max(remaining, 0.0)),
                            wait=wait_exponential(multiplier=0.2, max=2.0), reraise=True):
        with attempt:
            outcome = check()
    if not isinstance(outcome, Judgement):
        raise TypeError(f"a wait check must return a Judgement (Pending, Ok, Failed), not {type(outcome).__name__}")
    return outcome


def eventually(check: Callable[[], Outcome], timeout: float, interval: float = 1.0, describe: str = "condition",
               *, masker: Masker | None = None, clock: Callable[[], float] = time.monotonic,
               sleep: Callable[[float], None] = _pause, max_interval: float | None = None) -> Any:
    """Poll `check` until Ok (returns its value) or Failed (raises WaitFailed at once) or the deadline; with
    `max_interval`, the pause grows 1.5x per poll up to it (fast first polls, no busy wait later)."""
    mask = masker.mask if masker else (lambda s: s)
    timer = _Clock(clock, timeout)
    reason = "not checked yet"
    while True:
        try:
            outcome = _call(check, timer.remaining)
        except Exception as exc:
            if not is_transient(exc):
                raise
            outcome = Pending(f"API unavailable: {type(exc).__name__} {getattr(exc, 'status', '') or ''}".strip())
        if outcome.ok:
            return outcome.value
        if outcome.failed:
            raise WaitFailed(describe, mask(outcome.reason), timer.elapsed)
        reason = outcome.reason
        if timer.remaining <= 0:
            raise WaitTimeout(describe, "still pending: " + mask(reason), timer.elapsed)
        sleep(min(interval, max(timer.remaining, 0.0)))
        interval = min(interval * 1.5, max_interval) if max_interval else interval
