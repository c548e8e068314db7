"""Write a file only its owner can read, from its first byte: payloads, private keys, sensitive output.

Why one function: "create with 0600, then write" keeps a secret from being world-readable even briefly, and
the way the file is created decides what an attacker who owns the directory can do. A new file is created
with O_CREAT|O_EXCL|O_NOFOLLOW (it fails on any existing file or symlink, dangling or not); a replacement is
written to a fresh temporary file in the same directory and renamed over the old name, so a symlink there is
replaced, never followed, and nobody else's file is opened, truncated or chmod-ed.
Text is written as given (UTF-8, no newline translation), so a key keeps its exact bytes.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

PRIVATE_MODE = 0o600
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, _FLAGS, PRIVATE_MODE)
    try:
        os.fchmod(fd, PRIVATE_MODE)  # the umask can only narrow it; this makes it exactly 0600
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def write_private(path: Path, text: str, *, replace: bool = True) -> Path:
    """Write text to path, mode 0600 from the first byte. replace=False: refuse an existing name
    (FileExistsError), symlinks included; replace=True: atomically replace whatever is there by name."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    if not replace:
        _write_new(path, data)
        return path
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        _write_new(temp, data)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return path
