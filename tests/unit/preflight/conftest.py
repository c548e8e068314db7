"""Fixtures for preflight tests: a writable copy of the reference repository to break one thing at a time."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from e2e.preflight.engine import Report, run_preflight

ROOT = Path(__file__).resolve().parents[3]
REFERENCE = ROOT / "fixtures" / "gitops"
SEED = ROOT / "fixtures" / "seed-as-written"


class RepoCopy:
    """A copy of fixtures/gitops in tmp_path, with small text edits (each edit must apply exactly once)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.options: dict = {}  # keyword options for run_preflight (include, exclude, repo_urls)

    def edit(self, rel: str, old: str, new: str, count: int = 1) -> RepoCopy:
        path = self.root / rel
        text = path.read_text()
        found = text.count(old)
        assert found >= count, f"{rel}: expected {old!r} at least {count} time(s), found {found}"
        path.write_text(text.replace(old, new, count))
        return self

    def write(self, rel: str, text: str) -> RepoCopy:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return self

    def remove(self, rel: str) -> RepoCopy:
        (self.root / rel).unlink()
        return self

    def run(self, payload: Path | None = None) -> Report:
        return run_preflight(self.root, payload, **self.options)


@pytest.fixture
def repo_copy(tmp_path: Path) -> RepoCopy:
    target = tmp_path / "gitops"
    shutil.copytree(REFERENCE, target)
    return RepoCopy(target)


@pytest.fixture(scope="session")
def reference_report() -> Report:
    return run_preflight(REFERENCE)


def rule_ids(report: Report, severity: str | None = None) -> set[str]:
    return {f.rule for f in report.findings if severity is None or f.severity == severity}
