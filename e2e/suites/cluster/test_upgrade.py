"""The upgrade path (FAILURES.md 11): install the older chart, commit the new targetRevision as a pull request
would, and prove the migrations ran, the fernet key and the admin user survived, DAGs still sync, and the
values still mean what they meant. Runs only with `--upgrade-from VERSION` (the candidate is --chart-version);
it is the pre-upgrade validation run against a team's own repository with `--gitops-dir`.
"""

from __future__ import annotations

import json

import pytest

from e2e import versions
from e2e.chart_upgrade import values_migration_findings
from e2e.gitops import load_repository
from e2e.install import airflow_install
from e2e.scenarios import registry, runner
from e2e.stack import expected
from e2e.stack.operator import DAGS

pytestmark = pytest.mark.upgrade
PROBE_DAG = "airflow_e2e_upgrade_probe.py"


@pytest.fixture(scope="module")
def versions_pair(e2e_config, request) -> tuple[str, str]:
    old = e2e_config.upgrade_from
    if not old:
        pytest.skip("no --e2e-upgrade-from VERSION given: the upgrade path runs only when asked for")
    new = e2e_config.chart_version
    if new == old:
        pytest.fail(f"--e2e-chart-version {new} equals --e2e-upgrade-from: name the candidate chart to upgrade to")
    return old, new


def test_values_still_mean_what_they_meant(versions_pair, e2e_config):
    old, new = versions_pair
    repo = load_repository(e2e_config.gitops_dir)
    inst = airflow_install(repo)
    findings = values_migration_findings(old, new, inst.values, release=inst.release)
    errors = [f"{f.old}: {f.message}" for f in findings if f.severity == "error"]
    assert not errors, "values that change meaning from chart {} to {}:\n{}".format(old, new, "\n".join(errors))


def test_upgrade_keeps_key_user_and_dags(versions_pair, request, artifacts_dir):
    old, new = versions_pair
    stack, operator = request.getfixturevalue("stack"), request.getfixturevalue("operator")
    installed = operator.live_chart_version()
    assert installed == old, (f"the stack runs chart {installed}, not --upgrade-from {old}: the bring-up must "
                              "install the older chart first (pin it in the pushed repository)")
    scenario = registry.get("chart-upgrade", stack.repo, upgrade_to=new)
    lines: list[str] = []
    try:
        result = runner.run(scenario, stack, log=lines.append)  # migrations re-run, key, Secrets, admin kept
    finally:
        (artifacts_dir / "upgrade.log").write_text(stack.masker.mask("\n".join(lines)) + "\n", encoding="utf-8")
    (artifacts_dir / "upgrade.json").write_text(stack.masker.mask(json.dumps(result.to_json(), indent=2)),
                                                encoding="utf-8")
    # exits non-zero (kubectl raises) with "There are still unapplied migrations" when the upgrade skipped them
    operator.airflow("db", "check-migrations", "--migration-wait-timeout=1")
    _assert_dags_still_sync(stack, operator)


def _assert_dags_still_sync(stack, operator) -> None:
    from e2e.observe.wait import Ok, Pending, eventually

    dag = ("from airflow.sdk import DAG\n\nwith DAG(dag_id='airflow_e2e_upgrade_probe', schedule=None):\n"
           "    pass\n")
    sha = operator.commit({PROBE_DAG: dag}, "upgrade probe: a DAG committed after the upgrade", repo=DAGS)
    probe = f'test -f "$(airflow config get-value core dags_folder)/{PROBE_DAG}"'
    # the DAG files live where the chart mounts them: the dag processor on Airflow 3 (not the scheduler)
    reader = expected.dag_reader(stack.repo, versions.CHART_AIRFLOW[stack.config.chart_version])

    def synced():
        try:
            operator.exec(reader, "sh", "-c", probe)
        except Exception as exc:
            return Pending(f"{PROBE_DAG} (commit {sha[:12]}) not in the dags folder yet: {type(exc).__name__}")
        return Ok(sha)

    eventually(synced, timeout=stack.config.timeout(300), interval=5.0,
               describe="git-sync delivers a DAG committed after the upgrade", masker=stack.masker)
