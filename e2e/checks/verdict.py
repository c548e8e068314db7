"""The result of one check: a name, ok or not, and the evidence that decided it.

Why evidence lines: a red nightly run must say *why* without a rerun ("airflow-metadata created 12.4 s after
the first Airflow pod"). Evidence never holds a secret value: key names, times, lengths, "equal"/"differs".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from e2e.masking import Masker


@dataclass(frozen=True)
class Verdict:
    name: str
    ok: bool
    evidence: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.ok

    def explain(self) -> str:
        head = f"{'PASS' if self.ok else 'FAIL'} {self.name}"
        return "\n".join([head, *(f"  - {line}" for line in self.evidence)])

    def masked(self, masker: Masker) -> Verdict:
        return Verdict(masker.mask(self.name), self.ok, [masker.mask(line) for line in self.evidence])

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "evidence": list(self.evidence)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        return cls(str(data["name"]), bool(data["ok"]), [str(e) for e in data.get("evidence") or []])
