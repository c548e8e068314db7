"""The harness's fixtures and hooks, for its shipped suites and for a team's own tests that ask for them.

Loaded by the suites' conftest.py (e2e/suites/conftest.py), or on request: `pytest_plugins = ["e2e.fixtures"]`
in a team's conftest.py, or `pytest -p e2e.fixtures`. Never by merely installing the harness (e2e/plugin.py).
The session's RunConfig is resolved here once, from the `--e2e-*` options and the environment, and a bad
value stops the run with one line before any test starts.
"""

from __future__ import annotations

import pytest

from e2e.config import RunConfig

pytest_plugins = [
    "e2e.components.fixtures",
    "e2e.cluster.fixtures",
    "e2e.ci.pytest_hooks",
]

RUN_CONFIG = pytest.StashKey[RunConfig]()


def run_config(config: pytest.Config) -> RunConfig:
    """The session's RunConfig (resolved at configure time; resolved now for a plugin loaded later)."""
    if RUN_CONFIG not in config.stash:
        from e2e.errors import UnusableInput
        from e2e.options import values_from_pytest

        try:
            config.stash[RUN_CONFIG] = RunConfig.resolve(values_from_pytest(config), pytest_spelling=True)
        except UnusableInput as exc:
            raise pytest.UsageError(str(exc)) from None
    return config.stash[RUN_CONFIG]


def pytest_configure(config: pytest.Config) -> None:
    run_config(config)
