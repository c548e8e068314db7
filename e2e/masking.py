"""Replace secret values in any text before it reaches a log, an exception, a report or an artifact.

Why one masker: every output path (CLI, JSON, diagnostics, HTML, JUnit) goes through the same function, so
a leak needs a bug here, which one test can catch. Each value is masked in every form it can take (see
`_forms`): as given, URL-decoded and -encoded, base64 with and without a trailing newline, a URL's password
and secret query values, and the parts of a password around separators.
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


SEPARATORS = re.compile(r"[@:/?#&=;,\s%+]+")
SECRET_QUERY_KEYS = re.compile(r"pass|pwd|secret|token|key|auth|cred", re.IGNORECASE)


def _url_secrets(value: str) -> set[str]:
    """The secret parts of a URL-shaped value: its password (as written and decoded) and the values of query
    parameters that name a secret (`?password=...`, `?token=...`)."""
    if "://" not in value:
        return set()
    # what a consumer might take for the password: everything between "user:" and the LAST "@" (a raw `#`,
    # `/` or `?` in it makes urlsplit cut it short, so this is read by hand as well)
    rest = value.strip().split("://", 1)[1]
    userinfo = rest.rsplit("@", 1)[0] if "@" in rest else ""
    found = {userinfo.split(":", 1)[1]} if ":" in userinfo else set()
    try:
        parts: urllib.parse.SplitResult | None = urllib.parse.urlsplit(value.strip())
        found |= {parts.password} if parts.password else set()
    except ValueError:  # e.g. an IPv6 host without its closing bracket
        parts = None
    found |= {urllib.parse.unquote(f) for f in found if f}
    query = parts.query if parts is not None else value.partition("?")[2]
    for key, item in urllib.parse.parse_qsl(query, keep_blank_values=False):
        if SECRET_QUERY_KEYS.search(key):
            found |= {item}
    return {f for f in found if f}


def _encodings(value: str) -> set[str]:
    raw = value.encode()
    forms = {value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value)}
    for data in (raw, raw + b"\n"):  # Secret data is often base64 of the value with its trailing newline
        for encoded in (base64.b64encode(data).decode(), base64.urlsafe_b64encode(data).decode()):
            forms |= {encoded, encoded.rstrip("=")}
    return forms


def _forms(value: str) -> set[str]:
    """Every form the value can take in output: raw, stripped, URL-decoded, the secret parts of a URL, each part
    around a separator (a password with a raw `@` is reported by libpq as part of the host), each line of a
    multi-line value, and each of these URL-encoded and base64-encoded with and without a trailing newline."""
    cores = {value, value.strip(), urllib.parse.unquote(value), urllib.parse.unquote_plus(value)}
    cores |= _url_secrets(value)
    if "\n" in value.strip():
        cores |= {line.strip() for line in value.splitlines() if "-----" not in line}
    for secret in _url_secrets(value):  # only a URL's secret parts: splitting an email would mask its domain
        cores |= {part for part in SEPARATORS.split(secret) if len(part) >= MIN_SECRET_LEN}
    forms: set[str] = set()
    for core in cores:
        if core:
            forms |= _encodings(core)
    return {f for f in forms if f}


DEFAULT_USER_IDENTITY = ("username", "email", "firstName", "lastName")  # not secret: masking them would hide
# ordinary words (`admin`, `platform`) everywhere


def secret_values(*payloads: Any) -> list[str]:
    """What masking must hide everywhere, the one walk of payload leaves: every leaf string except the default
    user's identity. The forms each leaf takes in output (a URL's password alone, decoded, base64...) are
    this module's to derive, so `Masker(secret_values(p))` is the whole masker for a payload."""
    return [leaf for payload in payloads for path, leaf in _leaves(payload, ())
            if not (len(path) >= 2 and path[-2] == "defaultUser" and path[-1] in DEFAULT_USER_IDENTITY)]


def _leaves(node: Any, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], str]]:
    if isinstance(node, dict):
        return [leaf for key, value in node.items() for leaf in _leaves(value, (*path, str(key)))]
    if isinstance(node, list):
        return [leaf for value in node for leaf in _leaves(value, path)]
    if isinstance(node, (int, float)) and not isinstance(node, bool):
        node = str(node)  # YAML reads an all-digit password as a number; Vault and the Secret hold its text
    return [(path, node)] if isinstance(node, str) and node else []
