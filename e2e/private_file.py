"""Write a file only its owner can read, from its first byte: payloads, private keys.

Why one function: "create with 0600, then write" is what keeps a secret from being world-readable even
briefly; the chmod after covers a file that already existed with a wider mode (O_CREAT keeps the old mode).
Text is written as given (UTF-8, no newline translation), so a key keeps its exact bytes.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_MODE = 0o600


def write_private(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.chmod(path, PRIVATE_MODE)
    return path
