"""Wait for a condition with a deadline on the monotonic clock (never a fixed sleep).

Why here: every ephemeral server is "ready" when a real probe says so (pg_isready, PING, an SSH banner), and a
server process that dies while we wait must fail at once with its reason, not after the deadline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class NotReady(Exception):
    """The condition did not hold before the deadline; the message says what was awaited and the last error."""


class GaveUp(Exception):
    """A terminal state was seen while waiting (e.g. the server process exited): no point in waiting longer."""


def wait_until(probe: Callable[[], T | None], *, timeout: float, what: str,
               interval: float = 0.02, max_interval: float = 0.5) -> T:
    """Call `probe` until it returns a truthy value; it may raise to mean "not yet" or GaveUp to stop now."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    last_error = ""
    while True:
        try:
            result = probe()
            if result:
                return result
        except GaveUp:
            raise
        except Exception as exc:  # a probe failing is what "not ready yet" looks like
            last_error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            suffix = f" (last: {last_error})" if last_error else ""
            raise NotReady(f"{what}: not ready after {timeout:.0f} s{suffix}")
        pause.wait(min(interval, remaining))
        interval = min(interval * 1.5, max_interval)
