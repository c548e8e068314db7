"""Pytest fixture of the local chain: one running Airflow on the component stack, stopped after the session.

`local_chain` starts nothing by itself; the first test that asks for a chain check brings Airflow up (after the
suite's create-user Job passed) and the session's teardown ends every Airflow process group, on pass, failure
and Ctrl-C (pytest runs session finalizers on KeyboardInterrupt).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def local_chain(component_suite) -> Iterator:
    from e2e.components.chain import LocalChain

    chain = LocalChain(component_suite).attach()
    try:
        yield chain
    finally:
        chain.stop()
