"""Replace secret values in any text before it reaches a log, an exception, a report or an artifact.

Why one masker: every output path (CLI, JSON, diagnostics, HTML, JUnit) goes through the same function, so
a leak needs a bug here, which one test can catch. Each value is masked as given, URL-encoded and base64-
encoded (how it appears in connection strings and Secret data), and multi-line values (private keys) are
also masked line by line.
"""

from __future__ import annotations

import base64
import re
import urllib.parse
from collections.abc import Iterable
from typing import Any

MASK = "***MASKED***"
# For files that must still parse (the plan's YAML): `***MASKED***` is a YAML alias (`*name`), so a masked plain
# scalar broke the file. This token is a plain scalar in every YAML context and a valid shell word.
YAML_SAFE_MASK = "MASKED-BY-AIRFLOW-E2E"
MIN_SECRET_LEN = 6  # shorter strings (e.g. "admin", "Admin") would mask ordinary words


class Masker:
    def __init__(self, values: Iterable[str] = (), token: str = MASK) -> None:
        self._needles: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.token = token
        self.add(values)

    def with_token(self, token: str) -> Masker:
        """The same secrets, replaced by another token (YAML_SAFE_MASK for files that must parse)."""
        other = Masker(token=token)
        other._needles, other._pattern = set(self._needles), self._pattern
        return other

    def add(self, values: Iterable[str]) -> None:
        for value in values:
            for form in _forms(value):
                if len(form) >= MIN_SECRET_LEN:
                    self._needles.add(form)
        if self._needles:
            ordered = sorted(self._needles, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(n) for n in ordered))

    def __call__(self, text: str) -> str:
        return self.mask(text)

    def mask(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(self.token, text)

    def mask_data(self, data: Any) -> Any:
        """Mask every string inside a JSON-like structure (keys too)."""
        if isinstance(data, str):
            return self.mask(data)
        if isinstance(data, dict):
            return {self.mask_data(k): self.mask_data(v) for k, v in data.items()}
        if isinstance(data, list | tuple):
            return [self.mask_data(v) for v in data]
        return data

    def leaks(self, text: str) -> list[str]:
        """Which secret forms occur in text (for tests); returns lengths only, never the values."""
        return [f"<{len(n)} chars>" for n in self._needles if n in text]


def _forms(value: str) -> set[str]:
    forms = {value, value.strip(), urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value)}
    forms.add(base64.b64encode(value.encode()).decode())
    if "\n" in value.strip():
        forms |= {line.strip() for line in value.splitlines() if "-----" not in line}
    return {f for f in forms if f}
