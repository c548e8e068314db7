"""A judgement with evidence: the one result type of checks, scenario predicates and waits.

Why one type: a check's verdict ("ok, because ..."), a scenario predicate ("still pending: ...") and a wait's
poll ("failed: ImagePullBackOff") are the same thing, pending, ok or failed with the lines that decided it;
adapters between three types lost evidence. Evidence lines name objects, keys, times and reasons, never a
secret value. `value` carries what an ok wait returns (an object, an observation); it is not compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from e2e.masking import Masker

State = Literal["pending", "ok", "failed"]


@dataclass(frozen=True)
class Judgement:
    state: State
    evidence: Sequence[str] = ()
    name: str = ""
    value: Any = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        return self.state == "ok"

    @property
    def failed(self) -> bool:
        return self.state == "failed"

    @property
    def pending(self) -> bool:
        return self.state == "pending"

    @property
    def reason(self) -> str:
        return "; ".join(self.evidence)

    def describe(self) -> str:
        return f"{self.state}: " + ("; ".join(self.evidence) if self.evidence else "no evidence")

    def explain(self) -> str:
        head = f"{'PASS' if self.ok else 'FAIL'} {self.name}"
        return "\n".join([head, *(f"  - {line}" for line in self.evidence)])

    def masked(self, masker: Masker) -> Judgement:
        return Judgement(self.state, [masker.mask(line) for line in self.evidence], masker.mask(self.name),
                         self.value)

    def to_json(self) -> dict[str, Any]:
        """The report's contract: name, ok, evidence (and the state when it is neither ok nor failed)."""
        out: dict[str, Any] = {"name": self.name, "ok": self.ok, "evidence": list(self.evidence)}
        if self.pending:
            out["state"] = "pending"
        return out


def ok(*evidence: str, value: Any = None) -> Judgement:
    return Judgement("ok", tuple(evidence), value=value)


def pending(*evidence: str) -> Judgement:
    return Judgement("pending", tuple(evidence))


def failed(*evidence: str) -> Judgement:
    return Judgement("failed", tuple(evidence))


def all_of(parts: Iterable[Judgement]) -> Judgement:
    """Ok when every part is ok; failed as soon as one failed; otherwise pending with what is missing."""
    parts = list(parts)
    if any(p.failed for p in parts):
        return failed(*[e for p in parts if p.failed for e in p.evidence])
    if all(p.ok for p in parts):
        return ok(*[e for p in parts for e in p.evidence])
    return pending(*[e for p in parts if p.pending for e in p.evidence])


def any_of(parts: Iterable[Judgement]) -> Judgement:
    """Ok when one part is ok (its evidence), failed when one failed, else pending with every reason."""
    parts = list(parts)
    matched = [p for p in parts if p.ok]
    if matched:
        return ok(*[e for p in matched for e in p.evidence])
    if any(p.failed for p in parts):
        return failed(*[e for p in parts if p.failed for e in p.evidence])
    return pending(*[e for p in parts for e in p.evidence])


def seen(evidence: list[str], missing: str) -> Judgement:
    """A matcher's evidence list as a judgement: ok with it when non-empty, pending with `missing` otherwise."""
    return ok(*evidence) if evidence else pending(missing)
