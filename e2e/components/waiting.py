"""Wait for a condition with a deadline on the monotonic clock (never a fixed sleep).

Why here: every ephemeral server is "ready" when a real probe says so (pg_isready, PING, an SSH banner), and a
server process that dies while we wait must fail at once with its reason, not after the deadline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from e2e.observe.wait import Ok, Pending, WaitTimeout, eventually

T = TypeVar("T")


class NotReady(Exception):
    """The condition did not hold before the deadline; the message says what was awaited and the last error."""


class GaveUp(Exception):
    """A terminal state was seen while waiting (e.g. the server process exited): no point in waiting longer."""


def wait_until(probe: Callable[[], T | None], *, timeout: float, what: str,
               interval: float = 0.02, max_interval: float = 0.5) -> T:
    """Call `probe` until it returns a truthy value; it may raise to mean "not yet" or GaveUp to stop now.
    The loop is observe.wait.eventually's (monotonic deadline, growing pause)."""
    last_error = [""]

    def check() -> Ok | Pending:
        try:
            result = probe()
        except GaveUp:
            raise
        except Exception as exc:  # a probe failing is what "not ready yet" looks like
            last_error[0] = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
            return Pending(last_error[0])
        return Ok(result) if result else Pending(last_error[0] or "not yet")

    try:
        return eventually(check, timeout, interval, what, max_interval=max_interval)
    except WaitTimeout:
        suffix = f" (last: {last_error[0]})" if last_error[0] else ""
        raise NotReady(f"{what}: not ready after {timeout:.0f} s{suffix}") from None
