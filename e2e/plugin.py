"""The pytest plugin (entry point `pytest11`): the harness's options and markers, and nothing else.

Why so little: it loads in every pytest run of any project that installs the harness. Its whole footprint
there is prefixed options (`--e2e-...`, from the option table in e2e/options.py) and the markers the
harness's suites use. Fixtures and hooks live in `e2e.fixtures`, which only the harness's own suites load
(their conftest.py), or a project that asks for them (`pytest_plugins = ["e2e.fixtures"]` or
`-p e2e.fixtures`): a foreign project's run is unchanged in output, JUnit and files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

MARKERS = {
    "unit": "pure tests over plain data (Kubernetes objects as dicts), no servers",
    "components": "real PostgreSQL, Redis, OpenSSH and the Airflow CLI on loopback",
    "cluster": "needs a Kubernetes cluster (kind or a kubeconfig)",
    "ordering": "secrets before pods, waves, migrations before the user job",
    "secrets": "Secret materialisation byte-exact against Vault",
    "migration": "the migration Job",
    "userjob": "the create-user Job and admin login",
    "gitsync": "git-sync cloning with verified host keys",
    "recovery": "a reported failure reproduced and recovered",
    "upgrade": "chart upgrade path",
    "benchmark": "pytest-benchmark measurements",
    "browser": "renders in headless Chromium",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    from e2e.options import add_pytest_options

    group = parser.getgroup("airflow-e2e", "airflow-e2e harness (active for its suites or with -p e2e.fixtures)")
    add_pytest_options(group)
    group.addoption("--e2e-shard", default=None, metavar="I/N",
                    help="run only shard I of N (sorted round-robin over test ids), e.g. --e2e-shard 2/3")
    group.addoption("--e2e-only-ids", default=None, type=Path, metavar="FILE",
                    help="run only the test ids listed in FILE (one per line): the CI rerun of infrastructure "
                         "failures")
    group.addoption("--e2e-ci-out", default=None, type=Path, metavar="DIR",
                    help="where failures.json, rerun.txt and bundle.json go (default $AIRFLOW_E2E_CI_OUT, else "
                         "<artifacts>/ci)")


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
