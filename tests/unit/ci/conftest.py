"""What the reproduction-bundle tests share: a refused `airflow-e2e reproduce`."""

from __future__ import annotations

import pytest

from e2e.cli import main


@pytest.fixture
def refused(capsys):
    """`reproduce BUNDLE ARGS...` refused: exit 2 and ONE stderr line, which is returned."""
    def run(bundle, *args: str) -> str:
        assert main(["reproduce", str(bundle), *args]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1, err
        return err
    return run
