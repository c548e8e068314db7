"""Read untrusted files and trees safely: regular files only, bounded, never through a link out of the root.

Why one place: a GitOps repository from a pull request, a bundle from CI or a timeline from a bug report can
hold a symlink to `/etc/shadow` or `/proc/self/environ`, a FIFO (blocks forever) or `/dev/zero` (never ends).
Every file the harness reads from such input goes through `read_bytes`; every tree it walks through `walk`.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from e2e.errors import UnusableInput

MAX_FILE_BYTES = 4 * 1024 * 1024


def read_bytes(path: Path | str, *, limit: int = MAX_FILE_BYTES, root: Path | None = None,
               shown_as: str | None = None) -> bytes:
    """The bytes of one regular file, at most `limit` of them; with `root`, only if the file (after every
    symlink) is inside root. Anything else is one UnusableInput line.

    The file is opened non-blocking (a FIFO's open returns at once) and checked with fstat on the open
    descriptor, so what is checked is what is read.
    """
    path = Path(path)
    name = shown_as or str(path)
    if root is not None and not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root)):
        raise UnusableInput(f"{name}: a symbolic link that leaves {root}; not read")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UnusableInput(f"{name}: no such file") from None
    except IsADirectoryError:
        raise UnusableInput(f"{name}: is a directory, not a file") from None
    except OSError as exc:
        raise UnusableInput(f"{name}: cannot read file: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file (FIFO, device or socket)"
            raise UnusableInput(f"{name}: is {kind}; not read")
        if info.st_size > limit:
            raise UnusableInput(f"{name}: file is {info.st_size} bytes, more than the {limit} bytes allowed")
        chunks: list[bytes] = []
        total = 0
        while True:  # /proc files report size 0: the bound is on what is read, not on what stat says
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise UnusableInput(f"{name}: file is more than the {limit} bytes allowed")
        return b"".join(chunks)
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            raise UnusableInput(f"{name}: is a directory, not a file") from None
        raise UnusableInput(f"{name}: cannot read file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def read_text(path: Path | str, *, limit: int = MAX_FILE_BYTES, root: Path | None = None,
              shown_as: str | None = None) -> str:
    """read_bytes decoded as UTF-8 (one clear line when it is not)."""
    raw = read_bytes(path, limit=limit, root=root, shown_as=shown_as)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnusableInput(f"{shown_as or path}: not UTF-8 text (invalid byte at offset {exc.start})") from None


@dataclass
class Tree:
    """What a walk found: regular files to read (sorted) and what it refused, with why (relative posix paths)."""

    files: list[Path] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def walk(root: Path, *, skip_hidden: bool = True, max_files: int = 20_000,
         skip_dirs: tuple[str, ...] = (".git",)) -> Tree:
    """Every regular file below root without following a link out of it: a symlink to a file inside root is
    listed, one that leaves root (or dangles) is refused; symlinked directories are not descended (as
    `Path.rglob` does); FIFOs, devices and sockets and unreadable directories are refused, each with a reason.
    """
    root = Path(root)
    real_root = Path(os.path.realpath(root))
    tree = Tree()
    count = 0

    def refuse(rel: str, why: str) -> None:
        tree.refused.append((rel, why))

    def onerror(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else root
        rel = where.relative_to(root).as_posix() if where.is_relative_to(root) else str(where)
        refuse(rel or ".", f"a directory that cannot be read ({exc.strerror or exc}); skipped")

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
        base = Path(dirpath)
        dirnames.sort()
        keep: list[str] = []
        for name in dirnames:
            if (skip_hidden and name.startswith(".")) or name in skip_dirs:
                continue
            child = base / name
            if child.is_symlink():
                rel = child.relative_to(root).as_posix()
                target = Path(os.path.realpath(child))
                refuse(rel, "a symbolic link to a directory; not followed" if target.is_relative_to(real_root)
                       else "a symbolic link that leaves the repository; not followed")
                continue
            keep.append(name)
        dirnames[:] = keep
        for name in sorted(filenames):
            if skip_hidden and name.startswith("."):
                continue
            path = base / name
            rel = path.relative_to(root).as_posix()
            try:
                link = path.is_symlink()
                if link and not Path(os.path.realpath(path)).is_relative_to(real_root):
                    refuse(rel, "a symbolic link that leaves the repository; not read")
                    continue
                mode = os.stat(path).st_mode
            except OSError as exc:
                refuse(rel, f"a file that cannot be read ({exc.strerror or exc}); skipped")
                continue
            if not stat.S_ISREG(mode):
                refuse(rel, "not a regular file (FIFO, device or socket); not read")
                continue
            tree.files.append(path)
            count += 1
            if count > max_files:
                raise UnusableInput(f"{root}: more than {max_files} files; point at one repository")
    tree.files.sort()
    return tree
