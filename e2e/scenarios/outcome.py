"""What a scenario predicate says about what it saw: pending, ok or failed, always with evidence.

Why our own small type: scenario predicates are pure and unit-tested without the cluster tier; the runner
maps an Outcome onto the shared `eventually()` states (Pending/Ok/Failed) when it waits on a live stack.
Evidence lines name objects, reasons and messages; they never carry a secret value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

State = Literal["pending", "ok", "failed"]


@dataclass(frozen=True)
class Outcome:
    state: State
    evidence: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.state == "ok"

    @property
    def failed(self) -> bool:
        return self.state == "failed"

    @property
    def pending(self) -> bool:
        return self.state == "pending"

    def describe(self) -> str:
        return f"{self.state}: " + ("; ".join(self.evidence) if self.evidence else "no evidence")


def ok(*evidence: str) -> Outcome:
    return Outcome("ok", tuple(evidence))


def pending(*evidence: str) -> Outcome:
    return Outcome("pending", tuple(evidence))


def failed(*evidence: str) -> Outcome:
    return Outcome("failed", tuple(evidence))


def all_of(outcomes: Iterable[Outcome]) -> Outcome:
    """Ok when every part is ok; failed as soon as one failed; otherwise pending with what is missing."""
    parts = list(outcomes)
    if any(o.failed for o in parts):
        return failed(*[e for o in parts if o.failed for e in o.evidence])
    if all(o.ok for o in parts):
        return ok(*[e for o in parts for e in o.evidence])
    return pending(*[e for o in parts if o.pending for e in o.evidence])


def any_of(outcomes: Iterable[Outcome]) -> Outcome:
    """Ok when one part is ok (its evidence), failed when one failed, else pending with every reason."""
    parts = list(outcomes)
    matched = [o for o in parts if o.ok]
    if matched:
        return ok(*[e for o in matched for e in o.evidence])
    if any(o.failed for o in parts):
        return failed(*[e for o in parts if o.failed for e in o.evidence])
    return pending(*[e for o in parts for e in o.evidence])


def seen(evidence: list[str], missing: str) -> Outcome:
    """A matcher's evidence list as an Outcome: ok with it when non-empty, pending with `missing` otherwise."""
    return ok(*evidence) if evidence else pending(missing)
