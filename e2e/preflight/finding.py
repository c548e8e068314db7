"""A finding: what one rule saw at one place, and how to fix it.

Why a plain record: the text and JSON outputs, the tests and the cluster tier's plan all read the same fields,
and a message may only name paths and keys (never a value), so findings are safe to print once masked.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    file: str
    line: int | None
    object: str
    message: str
    hint: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def sort_key(self) -> tuple[int, str, int, str]:
        return (SEVERITIES.index(self.severity), self.file, self.line or 0, self.rule)
