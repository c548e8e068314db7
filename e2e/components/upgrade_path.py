"""Check `chart-upgrade` (FAILURES.md 11): the pre-upgrade validation, on one fresh database, for real.

Why offline: what breaks on a chart upgrade is the metadata database and what the values still mean. The old
chart's Airflow migrates an empty database, runs the values' createUserJob script and stores an encrypted
Connection; then the new chart's Airflow runs the migration Job's command, the values' check-migrations and the
createUserJob script again, and the admin must still log in with the payload password (FAB) and the Connection
must still decrypt with the same Fernet key. `values_migration_findings` (e2e/chart_upgrade.py) adds what
the upgrade changes about the values; an error there fails the check as it would fail the cluster test.
"""

from __future__ import annotations

import shlex
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from e2e import component_checks as ids
from e2e import payload as payload_mod
from e2e import versions
from e2e.chart_upgrade import chart_key, values_migration_findings
from e2e.components import airflow_venv, encrypted_probe, inputs, jobenv
from e2e.components.airflow_cli import AirflowRunner, CommandResult
from e2e.components.jobscript import job_argv
from e2e.components.results import CheckResult
from e2e.errors import UnusableInput

if TYPE_CHECKING:
    from e2e.components.suite import ComponentSuite

NAME = ids.CHART_UPGRADE
CHART_MIGRATE = ["airflow", "db", "migrate"]  # the chart's migrateDatabaseJob default on Airflow >= 2.7


@dataclass(frozen=True)
class UpgradeSpec:
    old_chart: str
    old_airflow: str
    new_chart: str
    new_airflow: str


def resolve(old_chart: str, new_chart: str, new_airflow: str | None = None) -> UpgradeSpec:
    """Both charts known, old before new; UnusableInput (one line) otherwise."""
    known = ", ".join(sorted(versions.CHART_AIRFLOW, key=chart_key))
    for flag, chart in (("--upgrade-from", old_chart), ("--chart-version", new_chart)):
        if chart not in versions.CHART_AIRFLOW:
            raise UnusableInput(f"{flag} {chart}: unknown Airflow chart version; known: {known}")
    if chart_key(new_chart) <= chart_key(old_chart):
        raise UnusableInput(f"--upgrade-from {old_chart} -> chart {new_chart} is not an upgrade "
                            f"({'the same chart' if old_chart == new_chart else 'a downgrade'}); "
                            "name an older chart than --chart-version")
    return UpgradeSpec(old_chart, versions.CHART_AIRFLOW[old_chart], new_chart,
                       new_airflow or versions.CHART_AIRFLOW[new_chart])


def migrate_argv(values: dict[str, Any]) -> list[str]:
    """The migration Job's command: the values' own when set (and not templated), else the chart's."""
    argv = job_argv(values, "migrateDatabaseJob")
    return argv if argv and not any("{{" in a for a in argv) else list(CHART_MIGRATE)


class _Steps:
    """Runs the steps in order, stops at the first failure, keeps every output (masked) and one evidence line."""

    def __init__(self, suite: ComponentSuite) -> None:
        self.suite = suite
        self.evidence: list[str] = []
        self.seconds = 0.0
        self.log: str | None = None
        self.failed: CheckResult | None = None

    def run(self, label: str, runner: AirflowRunner, argv: list[str]) -> None:
        if not self.failed:
            self.record(label, runner.run(argv, timeout=self.suite.job_timeout, what=label))

    def record(self, label: str, res: CommandResult) -> None:
        self.seconds += res.seconds
        self.log = self.suite.rec.keep_log(NAME, label, res.output)
        self.evidence.append(f"{label}: exit {res.returncode} after {res.seconds:.1f} s")
        if not res.ok:
            self.failed = self.suite._failed(NAME, res, f"{label} failed", self.log)
            self.failed.evidence[:0] = [self.suite.rec.masker.mask(line) for line in self.evidence]


def check(suite: ComponentSuite, spec: UpgradeSpec) -> CheckResult:
    stack, rec = suite.stack, suite.rec
    start = time.monotonic()
    values = stack.inputs.values
    release = stack.inputs.install.release
    findings = values_migration_findings(spec.old_chart, spec.new_chart, values, release=release)
    payload = stack.fresh_database("upgrade")
    database = inputs.db_login(payload).database
    old_venv = airflow_venv.ensure(spec.old_airflow)
    new_venv = stack.venv if stack.venv is not None and stack.venv.airflow_version == spec.new_airflow else \
        airflow_venv.ensure(spec.new_airflow)
    secrets = stack.secrets(payload)
    runs = stack.workdir / "runs"
    old_env = jobenv.build(values, secrets, spec.old_airflow, str(stack.workdir / "upgrade-home-old"))
    new_env = jobenv.build(values, secrets, spec.new_airflow, str(stack.workdir / "upgrade-home-new"))
    suite.generate(*(v for env in (old_env, new_env) for k, v in env.env.items()  # random chart-key stand-ins
                     if env.sources[k].startswith("chart-generated")))
    old = AirflowRunner(old_venv, old_env.env, runs / "upgrade-old")
    new = AirflowRunner(new_venv, new_env.env, runs / "upgrade-new")
    secret = payload_mod.password(18)
    suite.generate(secret)
    a = f"chart {spec.old_chart} (Airflow {spec.old_airflow})"
    b = f"chart {spec.new_chart} (Airflow {spec.new_airflow})"
    steps = _Steps(suite)
    steps.evidence.append(f"fresh database {database}; values findings {spec.old_chart} -> {spec.new_chart}: "
                          + (str(len(findings)) if findings else "none"))
    steps.evidence += [f"values finding [{f.severity}] {f.old}: {f.message}" for f in findings]

    migrate, job = migrate_argv(values), suite.job_argv()
    steps.run(f"{a}: {' '.join(migrate)}", old, migrate)
    before = _revision(stack, database)
    steps.run(f"{a}: createUserJob script", old, job)
    if not steps.failed:
        steps.record(f"{a}: store encrypted Connection {encrypted_probe.CONN_ID}",
                     encrypted_probe.store(old, secret, timeout=suite.job_timeout))
    steps.run(f"{b}: {' '.join(migrate)}", new, migrate)
    after = _revision(stack, database) if not steps.failed else before
    check_cmd = suite.migration_check_command()
    steps.run(f"{b}: {shlex.join(check_cmd)}", new, check_cmd)
    steps.run(f"{b}: createUserJob script again", new, job)
    if steps.failed:
        return steps.failed
    steps.evidence.append(f"alembic revision: {before} -> {after}")
    auth = suite.authenticate(NAME, runner=new)
    read = encrypted_probe.read(new, secret, timeout=suite.job_timeout)
    rec.keep_log(NAME, f"{b}: {read.result.what}", read.result.output)
    steps.evidence += [
        *auth.evidence,
        f"{b}: Connection {encrypted_probe.CONN_ID} stored by {spec.old_airflow} decrypts with the same key: "
        f"{read.decrypted} (exit {read.result.returncode}"
        + (f", {encrypted_probe.token_line(read.result.output)})" if read.invalid_token else ")")]
    seconds = time.monotonic() - start
    errors = [f for f in findings if f.severity == "error"]
    problems = ([] if auth.outcome == "pass" else ["the admin no longer logs in with the payload password"]) + \
        ([] if read.decrypted else ["the encrypted Connection no longer decrypts"]) + \
        ([f"{len(errors)} values finding(s) of severity error"] if errors else [])
    if problems:
        return rec.result(NAME, "fail", seconds, f"upgrade {spec.old_chart} -> {spec.new_chart}: "
                          + "; ".join(problems), steps.evidence, failure="FAILURES.md 11", log=steps.log)
    return rec.result(NAME, "pass", seconds, f"upgrade {spec.old_chart} -> {spec.new_chart}: migrated, the admin "
                      "still logs in, the encrypted Connection still decrypts", steps.evidence, log=steps.log)


def _revision(stack: Any, database: str) -> str:
    """The alembic revision Airflow recorded (the migrations applied so far)."""
    try:
        return stack.pg.sql("SELECT version_num FROM alembic_version;", database=database).strip() or "none"
    except RuntimeError:
        return "none"
