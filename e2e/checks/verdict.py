"""The result of one check: a name, ok or not, and the evidence that decided it.

Why evidence lines: a red nightly run must say *why* without a rerun ("airflow-metadata created 12.4 s after
the first Airflow pod"). Evidence never holds a secret value: key names, times, lengths, "equal"/"differs".
"""

from __future__ import annotations

from typing import Any

from e2e.judgement import Judgement
from e2e.masking import Masker


class Verdict(Judgement):
    """A named check's judgement, ok or failed (e2e.judgement is the one result type)."""

    def __init__(self, name: str, ok: bool, evidence: list[str] | None = None) -> None:
        super().__init__("ok" if ok else "failed", list(evidence or []), name)

    def __bool__(self) -> bool:
        return self.ok

    def masked(self, masker: Masker) -> Verdict:
        return Verdict(masker.mask(self.name), self.ok, [masker.mask(line) for line in self.evidence])

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        return cls(str(data["name"]), bool(data["ok"]), [str(e) for e in data.get("evidence") or []])
