"""Parse HCL (Vault policies, Terraform) with python-hcl2, paying for the parser only once per machine.

Why: importing hcl2 and loading its LALR tables costs about 0.2 s per process, more than the rest of a
preflight run, and a read-only site-packages makes hcl2 rebuild its grammar (0.5 s) in every process. So the
grammar table lives in the user cache directory, and so does the parsed result of each HCL text (JSON keyed
by the sha256 of the text and the hcl2 version): an unchanged policy file never imports hcl2 again.
A cache that cannot be written or read is ignored; the parse is then done as usual.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
from pathlib import Path
from typing import Any

from e2e.private_file import write_private

CACHE_ENV = "AIRFLOW_E2E_CACHE_DIR"


def cache_dir() -> Path:
    """`$AIRFLOW_E2E_CACHE_DIR`, else `$XDG_CACHE_HOME/airflow-e2e`, else `~/.cache/airflow-e2e`."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "airflow-e2e"


@functools.lru_cache(maxsize=1)
def _hcl2_version() -> str:
    """hcl2's version without importing it (importlib.metadata alone costs 40 ms): its version.py, hashed."""
    spec = importlib.util.find_spec("hcl2")
    where = Path(spec.origin).parent if spec and spec.origin else None
    try:
        text = (where / "version.py").read_text(encoding="utf-8") if where else ""
    except OSError:
        text = str(where)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _parse(text: str) -> dict[str, Any]:
    """The real parse: hcl2 with its grammar table cached in the user cache directory."""
    import hcl2
    import hcl2.parser

    grammar_cache = cache_dir() / f"hcl2-{_hcl2_version()}.lark"
    if hasattr(hcl2.parser, "PARSER_FILE") and _writable_dir(grammar_cache.parent):
        hcl2.parser.PARSER_FILE = grammar_cache
    return hcl2.loads(text)


def parse_hcl(text: str) -> dict[str, Any]:
    """HCL text -> hcl2's dict; raises what hcl2 raises for broken HCL (never cached)."""
    key = hashlib.sha256(f"{_hcl2_version()}\0{text}".encode()).hexdigest()
    entry = cache_dir() / "hcl" / key[:2] / f"{key}.json"
    try:
        cached = json.loads(entry.read_text(encoding="utf-8"))
        if isinstance(cached, dict):
            return cached
    except (OSError, ValueError):
        pass
    parsed = _parse(text)
    _store(entry, parsed)
    return parsed


def _writable_dir(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(path, os.W_OK)


def _store(entry: Path, parsed: dict[str, Any]) -> None:
    """Write atomically (a parallel run never reads half a file); any failure just skips the cache."""
    try:
        write_private(entry, json.dumps(parsed))
    except (OSError, TypeError, ValueError):
        return
