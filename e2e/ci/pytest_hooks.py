"""Pytest hooks for CI: label every failure with its class, shard the suite, write the failure list and bundle.

Why here and not in each tier: classification, sharding and the reproduction bundle apply to every test the
same way. The hooks only observe (a JUnit property, files under the CI output directory) and never change a
test's outcome. Reruns happen in a fresh pytest process (`python -m e2e.ci.rerun`), not in this one: a
session-scoped cluster that failed to come up is cached by pytest, so an in-process rerun would replay the
same error instead of trying a new cluster.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from e2e.ci.classify import INFRASTRUCTURE, classify
from e2e.ci.shard import parse_shard, select_shard

if TYPE_CHECKING:
    from e2e.config import RunConfig

FAILURE_CLASS_PROPERTY = "failure_class"
FAILURE_RULE_PROPERTY = "failure_rule"
RUN_ID_PROPERTY = "run_id"
FAILURES_FILE = "failures.json"
RERUN_FILE = "rerun.txt"
BUNDLE_FILE = "bundle.json"
CLUSTER_MARKERS = frozenset({"cluster", "recovery", "upgrade"})
CI_OUT_ENV = "AIRFLOW_E2E_CI_OUT"


@dataclass(frozen=True)
class FailureRecord:
    nodeid: str
    phase: str
    failure_class: str
    rule: str
    cluster: bool  # a cluster-tier test: what a reproduction bundle can recreate
    run_id: str | None = None  # the cluster run it failed in (artifacts/<run id>/, a kept cluster's label)


RUN_CONFIG_KEY = pytest.StashKey[object]()  # the session's RunConfig, once a test has used `e2e_config`


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(FailureCollector(config), "airflow-e2e-ci-failures")
    shard = config.getoption("e2e_shard", default=None)
    if shard:
        try:
            parse_shard(shard)
        except ValueError as exc:
            raise pytest.UsageError(str(exc)) from None


@pytest.hookimpl(trylast=True)  # after `-m`/`-k` deselection, so shards split what would really run
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    keep: set[str] | None = None
    shard = config.getoption("e2e_shard", default=None)
    if shard:
        index, total = parse_shard(shard)
        keep = set(select_shard([item.nodeid for item in items], index, total))
    only = config.getoption("e2e_only_ids", default=None)
    if only is not None:
        try:
            listed = {line.strip() for line in only.read_text().splitlines() if line.strip()}
        except OSError as exc:
            raise pytest.UsageError(f"--e2e-only-ids {only}: cannot read: {exc.strerror or exc}") from None
        keep = listed if keep is None else keep & listed
    if keep is None:
        return
    selected = [item for item in items if item.nodeid in keep]
    deselected = [item for item in items if item.nodeid not in keep]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def failure_text(report: pytest.TestReport) -> str:
    """The error itself (pytest's `E ` lines and crash message), not the test's source lines around it."""
    text = report.longreprtext or ""
    errors = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    crash = getattr(getattr(report.longrepr, "reprcrash", None), "message", "")
    parts = [*errors, crash] if errors or crash else [text]
    return "\n".join(p for p in parts if p)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if not report.failed or hasattr(report, "wasxfail"):
        return
    if any(name == FAILURE_CLASS_PROPERTY for name, _ in item.user_properties):
        return  # the first failing phase decides
    found = classify(failure_text(report), report.when)
    added = [(FAILURE_CLASS_PROPERTY, found.failure_class), (FAILURE_RULE_PROPERTY, found.rule)]
    run_config = getattr(item, "funcargs", {}).get("e2e_config")
    if run_config is not None and getattr(run_config, "run_id", None):
        item.config.stash[RUN_CONFIG_KEY] = run_config
        added.append((RUN_ID_PROPERTY, run_config.run_id))
    targets = {id(item.user_properties): item.user_properties, id(report.user_properties): report.user_properties}
    for props in targets.values():
        props.extend(added)


class FailureCollector:
    """Gathers one record per failed test. Its logreport hook runs in the xdist controller too."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.records: dict[str, FailureRecord] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if not report.failed or hasattr(report, "wasxfail") or report.nodeid in self.records:
            return
        props = dict(report.user_properties)
        if FAILURE_CLASS_PROPERTY not in props:
            return
        cluster = any(marker in report.keywords for marker in CLUSTER_MARKERS) or "suites/cluster/" in report.nodeid
        self.records[report.nodeid] = FailureRecord(
            report.nodeid, report.when, str(props[FAILURE_CLASS_PROPERTY]),
            str(props.get(FAILURE_RULE_PROPERTY, "")), cluster, props.get(RUN_ID_PROPERTY))

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if hasattr(self.config, "workerinput") or not self.records:
            return  # an xdist worker (the controller writes the files), or nothing failed
        write_failure_files(self.config, list(self.records.values()))


def ci_out_dir(config: pytest.Config) -> Path:
    explicit = config.getoption("e2e_ci_out", default=None)
    if explicit:
        return Path(explicit)
    if os.environ.get(CI_OUT_ENV):
        return Path(os.environ[CI_OUT_ENV])
    from e2e.fixtures import run_config

    return run_config(config).artifacts_dir / "ci"


def write_failure_files(config: pytest.Config, records: list[FailureRecord]) -> Path:
    """failures.json always; rerun.txt when some failures are infrastructure; bundle.json for cluster tests."""
    out = ci_out_dir(config)
    out.mkdir(parents=True, exist_ok=True)
    (out / FAILURES_FILE).write_text(json.dumps({"failures": [asdict(r) for r in records]}, indent=2) + "\n")
    infrastructure = [r.nodeid for r in records if r.failure_class == INFRASTRUCTURE]  # only these are rerun
    if infrastructure:
        (out / RERUN_FILE).write_text("".join(f"{nodeid}\n" for nodeid in infrastructure))
    if any(r.cluster for r in records):
        from e2e.ci import bundle  # imported late: only a failed cluster run pays for it

        try:
            run_ids = [r.run_id for r in records if getattr(r, "run_id", None)]
            bundle.write_for_session(run_config_from_pytest(config, run_ids[0] if run_ids else None), records,
                                     out / BUNDLE_FILE)
        except Exception as exc:  # the bundle is a help; it must never hide the test results
            reporter = config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_line(f"airflow-e2e: no reproduction bundle ({type(exc).__name__})", yellow=True)
    return out


def run_config_from_pytest(config: pytest.Config, run_id: str | None = None) -> RunConfig:
    """The session's RunConfig: the one the `e2e_config` fixture made when a test used it (see
    this module), else rebuilt from the same pytest options by the cluster tier's own function."""
    from e2e.config import RunConfig

    stashed = config.stash.get(RUN_CONFIG_KEY, None) if hasattr(config, "stash") else None
    if isinstance(stashed, RunConfig):
        found = stashed
    else:
        from e2e.fixtures import run_config

        found = run_config(config)
    return found.with_(run_id=run_id) if run_id and run_id != found.run_id else found
