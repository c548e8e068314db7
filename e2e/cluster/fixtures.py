"""Pytest options and fixtures of the cluster tier (cluster-seams.md).

Session fixtures chain phase by phase: `e2e_config` -> `cluster_session` (kind or kubeconfig; skips with ONE
clear reason when there is no Docker engine or no kubeconfig) -> `cluster` -> `recorder` (started before the
first apply) -> `stack` (everything up, both child Applications Synced/Healthy) -> `operator` (every change a
test makes). `artifacts_dir` gives each
test artifacts/<test-id>/ and writes masked diagnostics there when the test fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e.config import RunConfig

FAILED_KEY = pytest.StashKey[bool]()


def unavailable_reason(config: RunConfig) -> str | None:
    """ONE sentence when this machine cannot have the cluster the config asks for; None when it can."""
    from e2e.cluster import tools

    if config.cluster == "existing":
        if config.kubeconfig is None:
            return "cluster tier with --cluster existing needs --kubeconfig"
        if not config.kubeconfig.is_file():
            return f"cluster tier: kubeconfig {config.kubeconfig} not found"
        return None if tools.find("kubectl") else "cluster tier needs kubectl: run `bash scripts/install-tools.sh`"
    problem = tools.docker_problem()
    if problem:
        return problem
    for tool in ("kind", "kubectl", "helm"):
        if tools.find(tool) is None:
            return f"cluster tier needs {tool}: run `bash scripts/install-tools.sh`"
    return None


def test_id_dir(nodeid: str) -> str:
    """artifacts/<test-id>/: the node id made filesystem-safe."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[:150]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        item.stash[FAILED_KEY] = True
        item.session.stash[FAILED_KEY] = True


@pytest.fixture(scope="session")
def e2e_config(pytestconfig: pytest.Config) -> RunConfig:
    from e2e.fixtures import run_config  # resolved once from the `--e2e-*` options

    return run_config(pytestconfig)


@pytest.fixture(scope="session")
def cluster_session(e2e_config: RunConfig, request: pytest.FixtureRequest) -> Iterator[object]:
    reason = unavailable_reason(e2e_config)
    if reason:
        if e2e_config.require_cluster:
            pytest.fail(f"--e2e-require-cluster: {reason}", pytrace=False)
        pytest.skip(reason)
    from e2e.cluster.session import Session

    session = Session(e2e_config)
    failed = True
    try:
        session.start_cluster()
        failed = False
        yield session
        failed = bool(request.session.stash.get(FAILED_KEY, False))
    finally:
        session.finish(failed)


@pytest.fixture(scope="session")
def cluster(cluster_session):
    """The cluster's Kube client (kind created or reused, or the given kubeconfig)."""
    return cluster_session.run.k()


@pytest.fixture(scope="session")
def recorder(cluster_session):
    """A started TimelineRecorder over the run's namespaces, BEFORE the first apply."""
    from e2e.observe.recorder import TimelineRecorder
    from e2e.stack.common import run_namespaces

    rec = TimelineRecorder(cluster_session.run.k(), run_namespaces(cluster_session.config), cluster_session.masker)
    rec.start()
    try:
        yield rec
    finally:
        rec.stop()


def bring_up_or_collect(cluster_session, mark_failed) -> object:
    """The stack, or the bring-up's own error after masked diagnostics (a diagnostics failure never hides it)."""
    try:
        return cluster_session.bring_up()
    except Exception:
        mark_failed()
        try:
            cluster_session.collect(cluster_session.config.artifacts_dir / cluster_session.config.run_id / "bring-up")
        except Exception as exc:
            cluster_session.progress.say(f"diagnostics after the failed bring-up incomplete: {type(exc).__name__}")
        raise


@pytest.fixture(scope="session")
def stack(cluster_session, recorder, request: pytest.FixtureRequest):
    return bring_up_or_collect(cluster_session, lambda: request.session.stash.__setitem__(FAILED_KEY, True))


@pytest.fixture(scope="session")
def operator(stack):
    """What tests change on the stack, as an operator would (e2e/stack/operator.py): commit and revert in the
    GitOps or DAG repository, refresh, sync, scale, restart, run the Airflow CLI, write to Vault."""
    from e2e.stack.operator import Operator

    return Operator(stack)


@pytest.fixture
def artifacts_dir(request: pytest.FixtureRequest, e2e_config: RunConfig) -> Iterator[Path]:
    out = e2e_config.artifacts_dir / test_id_dir(request.node.nodeid)
    out.mkdir(parents=True, exist_ok=True)
    yield out
    if request.node.stash.get(FAILED_KEY, False) and "cluster_session" in request.fixturenames:
        request.getfixturevalue("cluster_session").collect(out)
