"""The pre-upgrade validation (FAILURES.md 11) on one fresh database: the old chart's Airflow migrates and
creates the admin, the new chart's Airflow migrates, passes check-migrations and reruns the user job; the admin
still logs in and what the old Airflow encrypted still decrypts."""

from __future__ import annotations

import subprocess
import sys

import pytest

from e2e import versions
from e2e.components import inputs, upgrade_path
from e2e.errors import UnusableInput

pytestmark = pytest.mark.components


@pytest.fixture(scope="module")
def upgrade_result(upgrade_suite):
    return upgrade_suite.result("chart-upgrade")


@pytest.fixture(scope="module")
def charts(upgrade_suite) -> tuple[str, str]:
    """How the evidence names the old and the new chart (by default the pinned and the latest one)."""
    spec = upgrade_suite.upgrade
    return (f"chart {spec.old_chart} (Airflow {spec.old_airflow})",
            f"chart {spec.new_chart} (Airflow {spec.new_airflow})")


def test_the_upgrade_is_from_the_chart_asked_for_else_the_pinned_to_the_latest(upgrade_suite, component_stack,
                                                                             request):
    asked = request.config.getoption("--e2e-upgrade-from")
    expected = (asked, component_stack.inputs.chart_version) if asked else (versions.PINNED_CHART,
                                                                            versions.LATEST_CHART)
    assert (upgrade_suite.upgrade.old_chart, upgrade_suite.upgrade.new_chart) == expected


def test_the_upgrade_keeps_migrations_the_admin_and_the_encrypted_connection(upgrade_result, charts):
    assert upgrade_result.outcome == "pass", f"{upgrade_result.summary}: {upgrade_result.evidence}"
    assert "payload password authenticates: True" in upgrade_result.evidence
    new = charts[1]
    assert any(line.startswith(f"{new}: Connection e2e_fernet_probe") and "decrypts with the same key: True" in line
               for line in upgrade_result.evidence)


def test_each_chart_ran_its_own_steps_in_order(upgrade_result, charts, upgrade_suite):
    old, new = charts
    gate = " ".join(upgrade_suite.migration_check_command())  # the values' own check-migrations command
    steps = [line.split(": exit", 1)[0] for line in upgrade_result.evidence if ": exit 0 after" in line]
    assert steps == [f"{old}: airflow db migrate", f"{old}: createUserJob script",
                     f"{old}: store encrypted Connection e2e_fernet_probe", f"{new}: airflow db migrate",
                     f"{new}: {gate}",
                     f"{new}: createUserJob script again"]


def test_the_values_migration_findings_are_in_the_evidence(upgrade_result, component_stack):
    database = inputs.db_login(component_stack.payload).database
    assert upgrade_result.evidence[0].startswith(f"fresh database {database}_upgrade_")
    assert "values finding [info] webserverSecretKeySecretName" in " ".join(upgrade_result.evidence)


def test_the_upgrade_used_its_own_database(upgrade_suite, component_stack, postgres_server):
    main = inputs.db_login(component_stack.payload).database
    databases = postgres_server.sql("SELECT datname FROM pg_database;").split()
    assert main in databases and any(d.startswith(f"{main}_upgrade_") for d in databases)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("9.9.9", "1.22.0", "--upgrade-from 9.9.9: unknown Airflow chart version"),
    ("1.22.0", "1.21.0", "is not an upgrade (a downgrade)"),
    ("1.22.0", "1.22.0", "is not an upgrade (the same chart)"),
])
def test_an_unknown_chart_or_a_downgrade_is_one_clear_line(old, new, message):
    with pytest.raises(UnusableInput, match=message.replace("(", r"\(").replace(")", r"\)")) as refused:
        upgrade_path.resolve(old, new)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(("args", "message"), [
    (["--upgrade-from", "0.0.1"], "--upgrade-from: unknown chart version 0.0.1; known: "),
    (["--upgrade-from", "1.22.0", "--chart-version", "1.21.0"], "1.22.0 -> chart 1.21.0 is not an upgrade"),
    (["--only", "chart-upgradee"], "--only 'chart-upgradee': no such check or group: chart-upgradee"),
])
def test_the_cli_refuses_a_bad_upgrade_with_one_line_and_exit_2(args, message, tmp_path):
    done = subprocess.run([sys.executable, "-m", "e2e.cli", "components", *args], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr and done.stderr.strip().count("\n") == 0
