"""Build and drive tests/differential/gorender/main.go (our Go program that renders templates as ESO does).

Why a cache dir: the binary is built once per source and Go version, from Debian's Go packages, offline
(GOPATH mode, GOPROXY=off, no module download), never into the repository. `sprig/v3` and `semver/v3` are
module paths; in GOPATH mode they are reached through a small symlink farm in the cache dir.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

SOURCE = Path(__file__).with_name("gorender") / "main.go"
GOCODE = Path("/usr/share/gocode/src")
NEEDED = ("github.com/Masterminds/sprig", "sigs.k8s.io/yaml", "gopkg.in/yaml.v2")
MAJOR_PATHS = {"github.com/Masterminds/sprig/v3": "github.com/Masterminds/sprig",
               "github.com/Masterminds/semver/v3": "github.com/Masterminds/semver"}


def missing_toolchain() -> str | None:
    """One reason the oracle cannot be built here, or None."""
    if shutil.which("go") is None:
        return "no Go toolchain (install golang-go and the Debian Go packages: scripts/install-system-packages.sh)"
    absent = [p for p in NEEDED if not (GOCODE / p).is_dir()]
    if absent:
        return f"Debian Go source packages missing under {GOCODE}: {', '.join(absent)}"
    return None


def cache_root() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "airflow-e2e" / "gorender"


def build() -> Path:
    """The binary for this source and Go version, built once into the cache dir."""
    version = subprocess.run(["go", "version"], capture_output=True, text=True, check=True).stdout.strip()
    digest = hashlib.sha256(SOURCE.read_bytes() + version.encode()).hexdigest()[:16]
    root = cache_root() / digest
    binary = root / "gorender"
    if binary.is_file():
        return binary
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="build-", dir=root))  # per process: parallel sessions never collide
    try:
        src = work / "gopath" / "src" / "gorender"
        src.mkdir(parents=True)
        shutil.copyfile(SOURCE, src / "main.go")
        for major, plain in MAJOR_PATHS.items():
            link = work / "gopath" / "src" / major
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(GOCODE / plain)
        env = {**os.environ, "GOPATH": f"{work / 'gopath'}:{GOCODE.parent}", "GO111MODULE": "off",
               "GOPROXY": "off", "GOFLAGS": "", "GOCACHE": str(root.parent / "gocache"), "CGO_ENABLED": "0"}
        done = subprocess.run(["go", "build", "-o", str(work / "gorender"), "."], cwd=src, env=env,
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"go build of the ESO template oracle failed: {done.stderr.strip()[-2000:]}")
        os.replace(work / "gorender", binary)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return binary


class GoRenderer:
    """One long-lived gorender process: a request per line, an answer per line."""

    def __init__(self, binary: Path) -> None:
        self.proc = subprocess.Popen([str(binary)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     encoding="utf-8", start_new_session=True)

    def render(self, templates: dict[str, str], data: dict[str, str]) -> dict[str, Any]:
        """key -> bytes rendered, or ("parse"|"execute", Go's error text)."""
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps({"templates": templates, "data": data}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("gorender exited")
        out: dict[str, Any] = {}
        for key, answer in json.loads(line).items():
            out[key] = base64.b64decode(answer["ok"]) if "ok" in answer else (answer["stage"], answer["error"])
        return out

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
