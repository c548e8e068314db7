"""Wait on conditions with deadlines: `eventually` and `consistently`, and what counts as terminal.

Why: a fixed sleep is either too short (flaky) or too long (slow), and a loop counted in iterations hides how
long it really waited. A check returns Pending(reason), Ok(value) or Failed(reason): Failed ends the wait at
once with its reason (a Job that failed will not un-fail), Pending is retried until a monotonic deadline and
the last reason is what the error says. Transient API errors (429, 5xx, dropped connections) are retried with
tenacity inside the deadline; any other exception is a bug and propagates.

Terminal states, decided here once (docs/assertions.md):
- Job condition Failed=True; Argo CD operationState.phase Failed/Error; health Degraded;
  ExternalSecret Ready=False SecretSyncedError; ClusterSecretStore Ready=False.
- container waiting ImagePullBackOff, ErrImagePull, InvalidImageName, ErrImageNeverPull, CreateContainerError:
  the harness preloads images, so a pull failure is an infrastructure fault, never fixed by waiting.
- CrashLoopBackOff only once restartCount >= 3 (a git-sync or migration container that failed three times).
- NOT terminal: CreateContainerConfigError ("secret not found"): the seed's own recovery is that the kubelet
  retries and the pod starts once ESO writes the Secret (FAILURES.md 1); it stays Pending with its reason.
Scenarios that break something on purpose pass `tolerate={...}` to keep an expected reason pending.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection
from typing import Any

from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_exponential

from e2e.judgement import Judgement
from e2e.masking import Masker
from e2e.observe.snapshot import condition, name_of

TRANSIENT_HTTP = {429, 500, 502, 503, 504}
TERMINAL_WAITING = frozenset({"ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull",
                              "CreateContainerError"})
CRASHLOOP_RESTARTS = 3


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


def consistently(check: Callable[[], Outcome], duration: float, interval: float = 1.0,
                 describe: str = "condition", *, masker: Masker | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = _pause) -> Any:
    """`check` must stay Ok for the whole duration; the first Pending or Failed raises WaitFailed with it."""
    mask = masker.mask if masker else (lambda s: s)
    timer = _Clock(clock, duration)
    value = None
    while True:
        outcome = _call(check, max(timer.remaining, interval))
        if not outcome.ok:
            raise WaitFailed(describe, "stopped holding: " + mask(outcome.reason), timer.elapsed)
        value = outcome.value
        if timer.remaining <= 0:
            return value
        sleep(min(interval, max(timer.remaining, 0.0)))


# --- outcomes of single objects (pure, over the API's JSON shape) -------------------------------------------
def _name(obj: dict[str, Any]) -> str:
    return name_of(obj) or "?"


def job_outcome(job: dict[str, Any]) -> Outcome:
    complete, failed = condition(job, "Complete"), condition(job, "Failed")
    if complete and complete.get("status") == "True":
        return Ok(job)
    if failed and failed.get("status") == "True":
        return Failed(f"Job {_name(job)} failed: {failed.get('reason') or ''} {failed.get('message') or ''}".strip())
    status = job.get("status") or {}
    return Pending(f"Job {_name(job)}: active {status.get('active', 0)}, failed pods {status.get('failed', 0)}")


def pod_terminal_reason(pod: dict[str, Any], tolerate: Collection[str] = ()) -> str | None:
    status = pod.get("status") or {}
    for cs in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        waiting = (cs.get("state") or {}).get("waiting") or {}
        reason = waiting.get("reason")
        if not reason or reason in tolerate:
            continue
        crashlooping = reason == "CrashLoopBackOff" and int(cs.get("restartCount") or 0) >= CRASHLOOP_RESTARTS
        if reason in TERMINAL_WAITING or crashlooping:
            return f"pod {_name(pod)} container {cs.get('name')}: {reason}: {waiting.get('message') or ''}".strip()
    return None


def pod_outcome(pod: dict[str, Any], tolerate: Collection[str] = ()) -> Outcome:
    terminal = pod_terminal_reason(pod, tolerate)
    if terminal:
        return Failed(terminal)
    ready = condition(pod, "Ready")
    if ready and ready.get("status") == "True":
        return Ok(pod)
    status = pod.get("status") or {}
    waiting = [f"{cs.get('name')} {((cs.get('state') or {}).get('waiting') or {}).get('reason')}"
               for cs in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or [])
               if (cs.get("state") or {}).get("waiting")]
    return Pending(f"pod {_name(pod)} {status.get('phase', 'Pending')}" + (f", waiting: {', '.join(waiting)}"
                                                                          if waiting else ""))


def application_outcome(app: dict[str, Any], sync: str = "Synced", health: str = "Healthy",
                        tolerate: Collection[str] = ()) -> Outcome:
    status = app.get("status") or {}
    got_sync = (status.get("sync") or {}).get("status")
    got_health = (status.get("health") or {}).get("status")
    if got_sync == sync and got_health == health:
        return Ok(app)
    op = status.get("operationState") or {}
    if op.get("phase") in ("Failed", "Error") and "OperationFailed" not in tolerate:
        return Failed(f"Application {_name(app)} operation {op['phase']}: {op.get('message') or ''}".strip())
    if got_health == "Degraded" and "Degraded" not in tolerate:
        message = (status.get("health") or {}).get("message") or ""
        return Failed(f"Application {_name(app)} Degraded {message}".strip())
    return Pending(f"Application {_name(app)}: sync {got_sync}, health {got_health}, operation {op.get('phase')}")


def external_secret_outcome(es: dict[str, Any], tolerate: Collection[str] = ()) -> Outcome:
    ready = condition(es, "Ready")
    if ready and ready.get("status") == "True":
        return Ok(es)
    if ready and ready.get("reason") == "SecretSyncedError" and "SecretSyncedError" not in tolerate:
        return Failed(f"ExternalSecret {_name(es)} SecretSyncedError: {ready.get('message') or ''}".strip())
    return Pending(f"ExternalSecret {_name(es)}: Ready={ready.get('status') if ready else 'unknown'}")


def store_outcome(store: dict[str, Any], tolerate: Collection[str] = ()) -> Outcome:
    ready = condition(store, "Ready")
    if ready and ready.get("status") == "True":
        return Ok(store)
    if ready and ready.get("status") == "False" and ready.get("reason") not in tolerate:
        return Failed(f"store {_name(store)} {ready.get('reason')}: {ready.get('message') or ''}".strip())
    return Pending(f"store {_name(store)}: not validated yet")
