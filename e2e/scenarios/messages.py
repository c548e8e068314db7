"""The exact messages the reported failures produce (FAILURES.md, docs/facts.md), as data in one table.

Why one table: the symptom matchers, their unit tests and the docs all quote the same strings; when an
upstream project rewords a message, one line changes here. Patterns are regular expressions matched
case-sensitively against condition messages, event messages and log lines.
"""

from __future__ import annotations

import re

SECRET_NOT_FOUND = r'secret "(?P<secret>[^"]+)" not found'  # kubelet, CreateContainerConfigError (entry 1)
PERMISSION_DENIED = r"permission denied"
MAP_NO_ENTRY = r'map has no entry for key "?(?P<key>[^"\s]+)"?'  # ESO template engine v2 (entry 4)
HOST_KEY_FAILED = r"Host key verification failed\."  # OpenSSH via git-sync (entry 5)
TOO_MANY_FAILURES = r"too many failures, aborting"  # git-sync v4 with maxFailures 0
LOAD_KEY_INVALID = r"Load key .*: invalid format"  # private key without its trailing newline
LIBCRYPTO = r"error in libcrypto"
UNAPPLIED_MIGRATIONS = r"There are still unapplied migrations"  # `airflow db check-migrations` (entries 6, 14)
WAITING_FOR_MIGRATIONS = r"Waiting for migrations"
PG_AUTH_FAILED = r'password authentication failed for user "(?P<user>[^"]+)"'  # entry 6
REDIS_WRONGPASS = r"invalid username-password pair or user is disabled"  # Redis AUTH (entry 9)
FERNET_FORMAT = r"Fernet key must be 32 url-safe base64-encoded bytes\."  # Airflow (entry 10)
KIND_MISSING = r"Object 'Kind' is missing in"  # Argo CD directory source (entry 16)


def search(pattern: str, text: str | None) -> re.Match[str] | None:
    """`re.search` (the re module caches compiled patterns) over a text that may be absent."""
    return re.search(pattern, text or "")
