"""Fixtures the scenario tests share: a writable copy of the reference repository and the `airflow-e2e scenario`
command run in-process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from e2e import cli

from .recording_stack import REFERENCE


@pytest.fixture
def gitops_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(REFERENCE, tmp_path / "gitops"))


@pytest.fixture
def scenario_cli(capsys):
    """`airflow-e2e scenario ARGS...`: (exit code, stdout, stderr)."""
    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(["scenario", *argv])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
