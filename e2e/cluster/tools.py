"""Thin wrappers around kind, kubectl, helm, docker and git (through `sh`): find the pinned binary, run it,
fail clearly.

Why thin: every decision lives in pure functions (plan, providers, diagnostics); this module only runs
commands. Binaries from `.bin/` (installed with checksums by scripts/install-tools.sh) win over PATH.
Errors carry the command and the first line of stderr, masked: never a secret in an exception message.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import sh

from e2e.config import REPO_ROOT
from e2e.masking import Masker
from e2e.private_file import write_private  # noqa: F401  (callers use tools.write_private)

BIN_DIR = REPO_ROOT / ".bin"
ANY_EXIT = list(range(-64, 256))  # the exit code is judged here (check=), never by an exception from `sh`


class ToolError(RuntimeError):
    """A command failed; the message is one masked line."""


def find(name: str) -> str | None:
    local = BIN_DIR / name
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which(name)


def require(name: str) -> str:
    path = find(name)
    if path is None:
        raise ToolError(f"`{name}` not found in .bin/ or PATH; run `bash scripts/install-tools.sh`")
    return path


def kubectl_base(kubeconfig: Path | None, context: str | None = None) -> list[str]:
    """`kubectl` with the kubeconfig and context flags, when given."""
    return ["kubectl", *(["--kubeconfig", str(kubeconfig)] if kubeconfig else []),
            *(["--context", context] if context else [])]


def run(argv: Sequence[str], *, input_text: str | None = None, timeout: float = 300, masker: Masker | None = None,
        env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    binary = require(argv[0])
    mask = masker.mask if masker else (lambda s: s)
    command = sh.Command(binary)
    try:
        done = command(*argv[1:], _in=input_text, _timeout=timeout, _env={**os.environ, **(env or {})},
                       _ok_code=ANY_EXIT, _tty_out=False, _return_cmd=True)
    except sh.TimeoutException:
        raise ToolError(mask(f"`{' '.join(argv[:4])}` did not finish within {timeout:.0f}s")) from None
    result = subprocess.CompletedProcess([binary, *argv[1:]], done.exit_code,
                                         _text(done.stdout), _text(done.stderr))
    if check and result.returncode != 0:
        lines = [line.strip() for line in (result.stderr or result.stdout or "").splitlines() if line.strip()]
        reason = " | ".join(lines[-4:]) if lines else f"exit {result.returncode}"  # git/ssh say why before the end
        raise ToolError(mask(f"`{' '.join(argv[:4])}` failed: {reason[:400]}"))
    return result


def _text(output: bytes | str | None) -> str:
    if isinstance(output, bytes):
        return output.decode("utf-8", errors="replace")
    return output or ""


def docker_problem() -> str | None:
    """None when a Docker engine answers; otherwise ONE sentence saying why the cluster tier cannot run."""
    if find("docker") is None:
        return "cluster tier needs a Docker engine: no `docker` client on PATH"
    try:
        result = subprocess.run([find("docker") or "docker", "info", "--format", "{{.ServerVersion}}"],
                                capture_output=True, text=True, timeout=20, check=False)
    except subprocess.TimeoutExpired:
        return "cluster tier needs a Docker engine: `docker info` did not answer within 20s"
    if result.returncode != 0:
        lines = [line.strip() for line in (result.stderr or "").splitlines() if line.strip()]
        detail = lines[-1] if lines else f"exit {result.returncode}"
        return f"cluster tier needs a Docker engine: `docker info` failed ({detail[:160]})"
    return None


def engine_cgroup_version() -> str | None:
    """`docker info`'s CgroupVersion ("1" or "2"), None when it cannot be read."""
    result = run(["docker", "info", "--format", "{{.CgroupVersion}}"], check=False, timeout=60)
    value = result.stdout.strip()
    return value if result.returncode == 0 and value in ("1", "2") else None


def local_images() -> set[str]:
    """Image references present in the local Docker engine (for `kind load docker-image`)."""
    fmt = "{{.Repository}}:{{.Tag}} {{.Repository}}@{{.Digest}}"
    result = run(["docker", "image", "ls", "--digests", "--format", fmt], check=False, timeout=60)
    return {ref for line in result.stdout.splitlines() for ref in line.split() if "<none>" not in ref}
