"""Applications Synced/Healthy on plain-data Application dicts: the health check and a scenario's convergence
give one verdict with the same evidence, on the reference and on the team variant (names read from the repo).

Argo CD's words for the odd cases: an Application without a status is Unknown/Unknown, an absent one
Missing/Missing; the last operation's message says why it is not Synced/Healthy.
"""

from __future__ import annotations

import pytest

from e2e.checks import health
from e2e.checks.expect import Expectations
from e2e.gitops.loader import load_repository
from e2e.install import airflow_install
from e2e.observe.snapshot import Snapshot
from e2e.scenarios import convergence as conv
from e2e.scenarios.model import Memory

pytestmark = pytest.mark.unit


def application(name: str, status: dict | None) -> dict:
    body = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": name, "namespace": "argocd"}}
    return body if status is None else {**body, "status": status}


SYNCED = {"sync": {"status": "Synced"}, "health": {"status": "Healthy"}}
WHY = "one or more synchronization tasks completed unsuccessfully"
DEGRADED = {"sync": {"status": "OutOfSync"}, "health": {"status": "Degraded"},
            "operationState": {"phase": "Failed", "message": WHY}}

# case -> (chart Application's status; None = no status, "absent" = no Application), the chart app's line
CASES = {
    "synced and healthy": (SYNCED, "Synced/Healthy"),
    "no status yet": (None, "Unknown/Unknown"),
    "absent": ("absent", "Missing/Missing"),
    "degraded, with Argo CD's message": (DEGRADED, f"OutOfSync/Degraded ({WHY})"),
}


@pytest.fixture(scope="module")
def expect(root) -> Expectations:
    repo = load_repository(root)
    return Expectations.from_repository(repo, airflow_install(repo).airflow_version)


@pytest.mark.parametrize("case", CASES)
def test_the_check_and_the_scenario_give_one_verdict_on_application_dicts(expect, case):
    status, line = CASES[case]
    apps = [application(expect.secrets_app, SYNCED)]
    if status != "absent":
        apps.append(application(expect.chart_app, status))
    live = Snapshot.from_lists(applications=apps)
    checked = health.applications_synced_healthy(live, expect)
    converging = conv.apps_synced(expect.secrets_app, expect.chart_app).evaluate(live, Memory(before=live))
    want = [f"{expect.secrets_app}: Synced/Healthy", f"{expect.chart_app}: {line}"]
    assert list(checked.evidence) == list(converging.evidence) == want
    assert checked.ok is converging.ok is (line == "Synced/Healthy")
    assert converging.state == ("ok" if checked.ok else "pending")  # a scenario waits; the check fails now
