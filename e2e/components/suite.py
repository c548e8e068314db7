"""The component checks: migrations, the create-user Job, broker auth and git-sync over SSH, for real.

Why each check is a name with one memoized result: the tests in e2e/suites/components (the only runner:
pytest) and the local chain ask for the same checks; a check that needs another
(the user job needs a migrated database) asks for it, and it runs once per session. What ran is kept in run
order for results.json (`results()`). A check's outcome is "pass" when what must hold held: for a control such
as "a wrong host key is refused", pass means it was refused, with OpenSSH's own message as evidence.
"""

from __future__ import annotations

import json
import shlex
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from e2e import component_checks as ids
from e2e import known_hosts
from e2e import payload as payload_mod
from e2e.components import broker, diagnose, fernet_stability, gitsync, inputs, upgrade_path
from e2e.components.airflow_cli import AirflowRunner
from e2e.components.jobenv import JobEnvError, SecretNotRendered, secret_value
from e2e.components.jobscript import job_argv, migration_gate, shortened_gate
from e2e.components.results import CheckResult, Recorder
from e2e.components.stack import ComponentStack
from e2e.gitops import get_path

PROBE = Path(__file__).with_name("fab_auth_probe.py")
CHART_WAIT_FOR_MIGRATIONS = "airflow db check-migrations --migration-wait-timeout=60"  # chart default
PLACEHOLDER_KEY = "ssh-ed25519 <verified-public-host-key>"
HOST_KEY_REFUSED = "Host key verification failed"

CHECKS = ids.SUITE  # every check the suite knows, in report order


class ComponentSuite:
    def __init__(self, stack: ComponentStack, recorder: Recorder, *, negative_timeout: int = 5,
                 job_timeout: float = 600.0, upgrade: upgrade_path.UpgradeSpec | None = None) -> None:
        self.stack = stack
        self.upgrade = upgrade
        self.generated: list[str] = []  # secrets the checks made (probe passwords, other keys): the leak scan's
        self.rec = recorder
        self.negative_timeout = negative_timeout
        self.job_timeout = job_timeout
        self._results: dict[str, CheckResult] = {}
        self._impl: dict[str, Callable[[], CheckResult]] = {
            ids.MIGRATION_FAILS_BEFORE: self._check_fails_before_migrate,
            ids.MIGRATION_MIGRATE: self._migrate,
            ids.MIGRATION_PASSES_AFTER: self._check_passes_after_migrate,
            ids.USER_JOB_SUCCEEDS: lambda: self.user_job(ids.USER_JOB_SUCCEEDS),
            ids.USER_JOB_PASSWORD: self._password_authenticates,
            ids.USER_JOB_IDEMPOTENT: self._second_run,
            ids.USER_JOB_BROKEN_CONNECTION: self._broken_connection,
            ids.BROKER_URL: lambda: self.broker(ids.BROKER_URL, self.stack.payload),
            ids.GIT_SYNC_CLONE: self._clone_with_known_hosts,
            ids.GIT_SYNC_WRONG_KEY: self._refuses_wrong_key,
            ids.GIT_SYNC_PLACEHOLDER: self._refuses_placeholder,
            ids.GIT_SYNC_EMPTY: self._refuses_empty,
            ids.FERNET_STABILITY: lambda: fernet_stability.check(self),
            ids.CHART_UPGRADE: self._upgrade,
        }

    # -- running -----------------------------------------------------------------------------------------
    def register(self, checks: dict[str, Callable[[], CheckResult]]) -> None:
        """Checks another module runs on this suite's stack (the local chain), memoized like the others."""
        self._impl.update(checks)

    def result(self, name: str) -> CheckResult:
        """The check's result, computed once per session (a test asking again gets the same result)."""
        if name not in self._results:
            self._results[name] = self._guarded(name, self._impl[name])
        return self._results[name]

    def results(self) -> list[CheckResult]:
        """The checks that ran, in report order (CHECKS first, then registered ones in the order they ran)."""
        order = {name: i for i, name in enumerate(CHECKS)}
        return sorted(self._results.values(), key=lambda r: order.get(r.check, len(order)))

    def _guarded(self, name: str, body: Callable[[], CheckResult]) -> CheckResult:
        start = time.monotonic()
        try:
            return body()
        except SecretNotRendered as exc:  # the repository's fault, and only this check's (ESO: one Secret)
            return self.rec.result(name, "fail", time.monotonic() - start, str(exc), failure="FAILURES.md 4")
        except JobEnvError as exc:
            return self.rec.result(name, "error", time.monotonic() - start, f"Job environment: {exc}")
        except Exception as exc:  # a harness problem, not the system under test: say so, masked
            return self.rec.result(name, "error", time.monotonic() - start,
                                   f"harness error: {type(exc).__name__}: {str(exc)[:300]}")

    def generate(self, *values: str) -> None:
        """Secrets a check makes for itself: masked everywhere, and remembered for the leak scan."""
        self.stack.protect(*values)
        self.generated.extend(v for v in values if v)

    def _needs(self, name: str, prerequisite: str) -> CheckResult | None:
        before = self.result(prerequisite)
        if before.outcome == "pass":
            return None
        return self.rec.result(name, "error", 0.0, f"not run: {prerequisite} did not pass ({before.outcome})")

    # -- migration ---------------------------------------------------------------------------------------
    def migration_check_command(self) -> list[str]:
        """The values' own check-migrations gate, else the chart's wait-for-migrations command (used only to
        confirm a database is migrated, and then named as the chart's, never as the values')."""
        return migration_gate(self.job_argv()) or shlex.split(CHART_WAIT_FOR_MIGRATIONS)

    def _check_fails_before_migrate(self) -> CheckResult:
        """The values' createUserJob script, run as it is on an empty database (only the gate's wait is
        shortened): its `airflow db check-migrations` line must stop it before `users create`."""
        name = ids.MIGRATION_FAILS_BEFORE
        argv = self.job_argv()
        if not argv:
            return self.rec.result(name, "error", 0.0, "values set no createUserJob.args; nothing to run")
        gate = migration_gate(argv)
        run_argv = shortened_gate(argv, self.negative_timeout) if gate else argv
        runner = self.stack.runner(self.stack.fresh_database("unmigrated"), name="unmigrated")
        res = runner.run(run_argv, timeout=self.negative_timeout + 90, what="createUserJob args (empty database)")
        log = self.rec.keep_log(name, res.what, res.output)
        found = diagnose.diagnose(res.output)
        evidence = ["ran the values' createUserJob script on an empty database"
                    + (f" (the gate's wait shortened to {self.negative_timeout} s)" if gate else ""),
                    f"exit {res.returncode} after {res.seconds:.1f} s"] + ([found.line] if found else [])
        if gate is None:
            what = "it exited 0" if res.ok else f"it failed later: {diagnose.reason(res.output)}"
            return self.rec.result(name, "fail", res.seconds, "the values' createUserJob script has no `airflow db "
                                   "check-migrations` gate: on a fresh install it runs before migrations finish "
                                   f"({what})", evidence, failure="FAILURES.md 14", log=log)
        if not res.ok and found and "unapplied migrations" in found.line and not res.timed_out:
            return self.rec.result(name, "pass", res.seconds, "the script's check-migrations gate refuses an "
                                   "unmigrated database", evidence, log=log)
        why = "it passed" if res.ok else diagnose.reason(res.output)
        return self.rec.result(name, "fail", res.seconds, f"expected `There are still unapplied migrations`: {why}",
                               evidence, log=log)

    def _migrate(self) -> CheckResult:
        name = ids.MIGRATION_MIGRATE
        res = self.stack.runner(name="main", user_job=False).airflow("db", "migrate", timeout=self.job_timeout)
        log = self.rec.keep_log(name, res.what, res.output)
        if res.ok:
            return self.rec.result(name, "pass", res.seconds, "airflow db migrate succeeded",
                                   [f"exit 0 after {res.seconds:.1f} s"], log=log)
        return self._failed(name, res, "airflow db migrate failed", log)

    def _check_passes_after_migrate(self) -> CheckResult:
        name = ids.MIGRATION_PASSES_AFTER
        if blocked := self._needs(name, ids.MIGRATION_MIGRATE):
            return blocked
        command = self.migration_check_command()
        whose = "the values' gate" if migration_gate(self.job_argv()) else \
            "the chart's wait-for-migrations command (the values' script has no gate)"
        res = self.stack.runner(name="main", user_job=False).run(command, timeout=self.job_timeout,
                                                                 what=" ".join(command))
        log = self.rec.keep_log(name, res.what, res.output)
        if res.ok:
            return self.rec.result(name, "pass", res.seconds, f"`{' '.join(command)}` passes after migrate",
                                   [f"{whose}; exit 0 after {res.seconds:.1f} s"], log=log)
        return self._failed(name, res, "check-migrations failed after migrate", log)

    # -- the create-user Job -----------------------------------------------------------------------------
    def job_argv(self) -> list[str]:
        return job_argv(self.stack.inputs.values, "createUserJob")

    def user_job(self, name: str, payload: dict[str, Any] | None = None, *, needs_migration: bool = True,
                 runner_name: str = "main") -> CheckResult:
        """Run the values' createUserJob command+args with the Job's environment for this payload."""
        if needs_migration and (blocked := self._needs(name, ids.MIGRATION_MIGRATE)):
            return blocked
        argv = self.job_argv()
        if not argv:
            return self.rec.result(name, "error", 0.0, "values set no createUserJob.args; nothing to run")
        runner = self.stack.runner(payload, name=runner_name)
        res = runner.run(argv, timeout=self.job_timeout, what="createUserJob args")
        log = self.rec.keep_log(name, res.what, res.output)
        exposed = [f"{var} was on the command line of `{prog}` while it ran (every process can read it: ps); "
                   "give it on stdin or in a file" for var, prog in sorted(res.argv_exposed.items())]
        if res.ok:
            tail = [line for line in res.output.strip().splitlines() if "successfully" in line or "exists" in line]
            return self.rec.result(name, "pass", res.seconds, "the createUserJob script exited 0"
                                   + (f"; but {exposed[0]}" if exposed else ""),
                                   [f"exit 0 after {res.seconds:.1f} s", *tail[-2:], *exposed], log=log)
        return self._failed(name, res, "the createUserJob script failed", log)

    def authenticate(self, name: str, password: str | None = None, payload: dict[str, Any] | None = None,
                     runner: AirflowRunner | None = None) -> CheckResult:
        """Through FAB's security manager (the login path): the user exists, is Admin, the password works."""
        user = (get_path(payload or self.stack.payload, "createUserJob.defaultUser") or {})
        username, secret = str(user.get("username") or ""), password or str(user.get("password") or "")
        res = (runner or self.stack.runner(payload, name="auth")).python(PROBE, timeout=300, extra_env={
            "E2E_AUTH_USERNAME": username, "E2E_AUTH_PASSWORD": secret})
        log = self.rec.keep_log(name, "FAB auth_user_db", res.output)
        line = next((x for x in res.output.splitlines() if x.startswith("E2E_AUTH_RESULT ")), None)
        if not res.ok or line is None:
            return self._failed(name, res, "the FAB authentication probe did not run", log, outcome="error")
        report = json.loads(line.split(" ", 1)[1])
        evidence = [f"user exists: {report['exists']}, active: {report['active']}, roles: {report['roles']}",
                    f"payload password authenticates: {report['authenticated']}",
                    f"a wrong password is rejected: {report['wrong_password_rejected']}"]
        ok = report["exists"] and report["authenticated"] and report["wrong_password_rejected"] \
            and "Admin" in report["roles"]
        summary = "the payload's default user logs in (FAB auth_user_db) as Admin" if ok else \
            "the payload's default user cannot log in with the payload password"
        return self.rec.result(name, "pass" if ok else "fail", res.seconds, summary, evidence, log=log)

    def _password_authenticates(self) -> CheckResult:
        name = ids.USER_JOB_PASSWORD
        return self._needs(name, ids.USER_JOB_SUCCEEDS) or self.authenticate(name)

    def _second_run(self) -> CheckResult:
        name = ids.USER_JOB_IDEMPOTENT
        if blocked := self._needs(name, ids.USER_JOB_SUCCEEDS):
            return blocked
        again = self.user_job(name)
        if again.outcome != "pass":
            return again
        auth = self.authenticate(name)
        outcome = "pass" if auth.outcome == "pass" else "fail"
        return self.rec.result(name, outcome, again.seconds + auth.seconds,
                               "a second run exits 0 and the user still logs in" if outcome == "pass" else
                               "after a second run the user no longer logs in", again.evidence + auth.evidence,
                               log=again.log)

    def _broken_connection(self) -> CheckResult:
        name = ids.USER_JOB_BROKEN_CONNECTION
        wrong = payload_mod.password(12)
        self.stack.protect(wrong)
        broken = inputs.with_db_password(self.stack.payload, wrong)
        result = self.user_job(name, broken, needs_migration=False, runner_name="broken")
        if result.outcome == "pass":
            return self.rec.result(name, "fail", result.seconds,
                                   "with a wrong database password the script still exited 0 (`|| true` hid it)",
                                   result.evidence, failure="FAILURES.md 6", log=result.log)
        if result.failure:
            return self.rec.result(name, "pass", result.seconds,
                                   f"the script fails visibly: {result.summary.split(': ', 1)[-1]}",
                                   result.evidence, failure=result.failure, log=result.log)
        return self.rec.result(name, "fail", result.seconds, "the script failed but no cause could be named",
                               result.evidence, log=result.log)

    def _upgrade(self) -> CheckResult:
        if self.upgrade is None:
            return self.rec.result(ids.CHART_UPGRADE, "error", 0.0, "no upgrade asked for: pass --upgrade-from CHART")
        return upgrade_path.check(self, self.upgrade)

    # -- broker ------------------------------------------------------------------------------------------
    def broker(self, name: str, payload: dict[str, Any]) -> CheckResult:
        """The broker URL Airflow hands Celery against Redis started with the payload's redisPassword
        (FAILURES.md 9), judged by e2e.components.broker (expanded as conf.get does, RESP2 AUTH)."""
        url, where = self.broker_url(payload)
        verdict = broker.judge(url)
        evidence = [f"broker URL from {where}", "PING -> PONG" if verdict.outcome == "pass" else "PING refused",
                    *verdict.evidence]
        return self.rec.result(name, verdict.outcome, verdict.seconds, verdict.summary,  # type: ignore[arg-type]
                               evidence, failure=verdict.failure)

    def broker_url(self, payload: dict[str, Any]) -> tuple[str, str]:
        """The URL the workers get: the broker Secret ESO renders from this payload (else the payload's)."""
        secret = get_path(self.stack.inputs.values, "data.brokerUrlSecretName")
        if isinstance(secret, str) and secret:
            return (secret_value(self.stack.secrets(payload), secret, "connection", "data.brokerUrlSecretName"),
                    f"Secret {secret}/connection")
        return str(payload.get("brokerUrl") or ""), "payload brokerUrl"

    # -- git-sync ----------------------------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        return inputs.git_sync_settings(self.stack.inputs.values)

    def payload_private_key(self) -> str:
        """The `gitSshKey` of the airflow-ssh-secret Secret, rendered from the payload exactly as ESO would."""
        secret = str(self.settings()["ssh_key_secret"] or payload_mod.SSH_SECRET)
        return secret_value(self.stack.secrets(), secret, "gitSshKey", "dags.gitSync.sshKeySecret")

    def local_known_hosts(self, value: str | None, key: str | None = None) -> tuple[str, list[str]]:
        """The knownHosts lines ssh would use for the repository's host:port, pointed at the local server's
        key (as the cluster tier does); lines ssh would not use for it are dropped (e2e.known_hosts)."""
        git = self.stack.git
        assert git is not None
        host, port = self.settings()["host"], self.settings()["port"] or 22
        text, found = known_hosts.rewrite_for(value or "", host, port, git.known_hosts_name,
                                              key or git.host_public_key)
        if found.verifies:
            notes = [f"knownHosts: the line(s) ssh uses for {found.name} now name {git.known_hosts_name} with "
                     + ("the local server's host key (as the cluster tier does)" if key is None else
                        "the key under test")]
        else:
            notes = [f"git-sync could not verify {found.name}: "
                     + known_hosts.why_unverified(found, known_hosts.parse(value or ""))]
        return gitsync.chart_known_hosts(text), notes

    def git_clone(self, name: str, known_hosts: str, *, private_key: str | None = None, expect_refused: bool,
                  notes: list[str] | None = None) -> CheckResult:
        git = self.stack.git
        assert git is not None
        settings = self.settings()
        key = self.payload_private_key() if private_key is None else private_key
        res = gitsync.clone(git.url(settings["path"]), private_key=key, known_hosts=known_hosts,
                            branch=settings["branch"])
        log = self.rec.keep_log(name, "git clone (git-sync v4 GIT_SSH_COMMAND)", res.output)
        found = diagnose.diagnose(res.output)
        evidence = [*(notes or []), f"known_hosts: {len(known_hosts.splitlines())} line(s), "
                    f"trailing newline: {known_hosts.endswith(chr(10))}", f"git exit {res.returncode}"]
        if found:
            evidence.append(found.line)
        if expect_refused:
            if not res.ok and found and HOST_KEY_REFUSED in found.line:
                return self.rec.result(name, "pass", res.seconds, "ssh refused the server: Host key verification "
                                       "failed", evidence, log=log)
            why = "the clone succeeded" if res.ok else diagnose.reason(res.output)
            return self.rec.result(name, "fail", res.seconds, f"expected `{HOST_KEY_REFUSED}`: {why}", evidence,
                                   log=log)
        if res.ok and res.commit == self.stack.dags_commit:
            return self.rec.result(name, "pass", res.seconds, f"cloned {settings['branch']} at {res.commit[:12]} "
                                   "with StrictHostKeyChecking=yes", [*evidence, f"files: {', '.join(res.files)}"],
                                   log=log)
        if res.ok:
            return self.rec.result(name, "fail", res.seconds, "cloned, but not the served commit", evidence, log=log)
        return self.rec.result(name, "fail", res.seconds, f"git-sync would fail: {diagnose.reason(res.output)}",
                               evidence, failure=found.failure if found else None, log=log)

    def _clone_with_known_hosts(self) -> CheckResult:
        name, value = ids.GIT_SYNC_CLONE, self.settings()["known_hosts"] or ""
        text, notes = self.local_known_hosts(value)
        result = self.git_clone(name, text, expect_refused=False, notes=notes)
        found = known_hosts.lookup(value, self.settings()["host"], self.settings()["port"] or 22)
        if result.outcome == "fail" and not found.verifies:  # blame the knownHosts value, not "a wrong key"
            return self.rec.result(name, "fail", result.seconds, "git-sync would fail: Host key verification "
                                   f"failed: {known_hosts.why_unverified(found, known_hosts.parse(value))}",
                                   result.evidence, failure="FAILURES.md 5", log=result.log)
        return result

    def _refuses_wrong_key(self) -> CheckResult:
        git = self.stack.git
        assert git is not None
        _private, other = payload_mod.ssh_keypair()
        wrong = " ".join(other.split()[:2])
        text, notes = self.local_known_hosts(self.settings()["known_hosts"], key=wrong)
        if not any(line.startswith(git.known_hosts_name) for line in text.splitlines()):
            text = f"{git.known_hosts_name} {wrong}"  # the values name no line for the host: test the key alone
        return self.git_clone(ids.GIT_SYNC_WRONG_KEY, text, expect_refused=True,
                              notes=["known_hosts names the server with another ed25519 key", *notes])

    def _refuses_placeholder(self) -> CheckResult:
        git = self.stack.git
        assert git is not None
        text = gitsync.chart_known_hosts(f"{git.known_hosts_name} {PLACEHOLDER_KEY}\n")
        return self.git_clone(ids.GIT_SYNC_PLACEHOLDER, text, expect_refused=True,
                              notes=["known_hosts is the seed's placeholder line (OpenSSH skips it silently)"])

    def _refuses_empty(self) -> CheckResult:
        return self.git_clone(ids.GIT_SYNC_EMPTY, gitsync.chart_known_hosts(""),
                              expect_refused=True, notes=["knownHosts is empty"])

    # -- shared ------------------------------------------------------------------------------------------
    def _failed(self, name: str, res: Any, what: str, log: str, outcome: str = "fail") -> CheckResult:
        """A command of the system under test failed. `outcome="error"` (the harness's own probe did not run)
        stands only when no known cause explains it: a diagnosed cause is the system's failure, a "fail"."""
        found = diagnose.diagnose(res.output)
        if found is not None:
            outcome = "fail"
        reason = "timed out" if res.timed_out else diagnose.reason(res.output)
        evidence = [f"exit {res.returncode} after {res.seconds:.1f} s"] + ([found.line] if found else
                                                                           [diagnose.last_error_line(res.output)])
        return self.rec.result(name, outcome, res.seconds, f"{what}: {reason}", evidence,  # type: ignore[arg-type]
                               failure=found.failure if found else None, log=log)
