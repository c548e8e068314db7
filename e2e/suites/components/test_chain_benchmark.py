"""The local chain's cost, warm (the Airflow venv cached) and cold (built into an empty cache), with
pytest-benchmark: `make bench-chain`. Under `make test` (--benchmark-disable) nothing is measured and no second
stack is started: the session's own chain result stands in, so the test still fails if the chain fails."""

from __future__ import annotations

import pytest

from e2e.components import airflow_venv, chain
from e2e.components.results import Recorder
from e2e.components.stack import ComponentStack, StackOptions
from e2e.components.suite import ComponentSuite
from e2e.config import DEFAULT_GITOPS_DIR

pytestmark = [pytest.mark.components, pytest.mark.benchmark]


def _one_chain() -> str:
    stack = ComponentStack.prepare(StackOptions(gitops_dir=DEFAULT_GITOPS_DIR))
    try:
        stack.start()
        suite = ComponentSuite(stack, Recorder(stack.masker, stack.artifacts))
        local = chain.LocalChain(suite).attach()
        try:
            return suite.result(chain.NAME_RUN).outcome
        finally:
            local.stop()
    finally:
        stack.stop()


@pytest.mark.parametrize("cache", ["warm", "cold"])
def test_the_chain_from_servers_to_a_successful_dag_run(benchmark, cache, tmp_path, monkeypatch, request):
    if benchmark.disabled:
        request.getfixturevalue("local_chain")
        assert request.getfixturevalue("component_suite").result(chain.NAME_RUN).outcome == "pass"
        return
    if cache == "cold":
        monkeypatch.setenv(airflow_venv.CACHE_ENV, str(tmp_path / "empty-cache"))
    outcome = benchmark.pedantic(_one_chain, rounds=1, iterations=1)
    assert outcome == "pass"
