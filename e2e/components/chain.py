"""The local chain: the payload seeded into a real Vault-API server (OpenBao dev-TLS) by the cluster tier's own
seeding -> read back as ESO would (the store's role's policies only, at ESO's path, TLS verified) -> the
repository's templates render the Secrets from WHAT VAULT RETURNED -> a running Airflow (api-server, scheduler,
dag-processor, triggerer, Celery worker) on the component tier's PostgreSQL and Redis -> DAGs cloned over SSH
the way git-sync does -> a DAG run triggered through the REST API as the admin the create-user Job made.

Why on the suite's database: the migrate -> create-user chain already ran there (the admin exists); the chain
starts once that passed. Each pod's environment is what the chart gives it: every `*SecretName` Secret as its env
var (e2e.chart.SECRET_REFS), the values' `env` and `config`, the executor; only what must differ on loopback
differs (ports, paths, the execution API URL: the chart's Service DNS name), and is listed in `notes`.
The controls reuse the running Airflow: a worker with another broker password, a Connection written with
another Fernet key, a clone with another host key; each must fail with FAILURES.md's symptom, bounded in time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet

from e2e import component_checks as ids
from e2e import payload as payload_mod
from e2e.checks import dag_run
from e2e.components import airflow_procs, fernet_stability, gitsync, inputs, jobenv, net, vault_leg
from e2e.components.airflow_cli import AirflowRunner
from e2e.components.airflow_procs import AirflowProcess
from e2e.components.encrypted_probe import INVALID_TOKEN
from e2e.components.openbao import MissingOpenBao, OpenBaoServer
from e2e.components.results import CheckResult
from e2e.components.waiting import GaveUp, NotReady, wait_until
from e2e.gitops import get_path
from e2e.observe.airflow_api import AirflowApi, AirflowSession
from e2e.stack import vault as stack_vault

if TYPE_CHECKING:
    from e2e.components.suite import ComponentSuite

NAME_RUN, NAME_BROKER, NAME_FERNET, NAME_KNOWN_HOST, NAME_IMPORT_ERROR = CHECKS = ids.CHAIN
PREREQUISITE = ids.USER_JOB_SUCCEEDS
WRONG_BROKER_SYMPTOM = "invalid username-password pair"  # Redis's WRONGPASS, as the worker logs it (FAILURES 9)
NOT_DEFINED = "isn't defined"  # what Airflow 3 tells the task when the API server cannot decrypt the row
WRITER = Path(__file__).with_name("connection_writer.py")
BRING_UP_SECONDS = 420.0
PARSE_SECONDS = 240.0
RUN_SECONDS = 300.0
SYMPTOM_SECONDS = 120.0
PIDFILE_ENV = "AIRFLOW_E2E_CHAIN_PIDFILE"
WORKER_CONCURRENCY = "2"  # the chart's default is 16; 2 shared cores here
EXECUTION_API_TIMEOUT = "60"  # default 5 s; "increase this value ... under high load" (its own doc): 2 shared cores
# [dag_processor] refresh_interval, default 300 s: how often the dag-processor looks for NEW files in a bundle.
# Loopback only: a file synced into the running dags folder (the import-error control) must be seen within the
# parse deadline; the chart's pods keep their default.
REFRESH_INTERVAL = "5"
BROKEN_DAG_ID = "e2e_import_error"
BROKEN_DAG_FILE = f"{BROKEN_DAG_ID}.py"
BROKEN_DAG_ERROR = "e2e: this DAG file raises at import"
BROKEN_DAG = f'''"""A DAG repository's DAG file that raises while the dag-processor imports it (airflow DAG)."""
raise RuntimeError("{BROKEN_DAG_ERROR}")
'''


def pod_env(values: dict[str, Any], secrets: dict[str, dict[str, str]], job: jobenv.JobEnv) -> dict[str, str]:
    """The env every Airflow pod gets from the chart: the Secrets-derived env of the Job minus createUserJob.env,
    plus the values' `env` (Secret references resolved), `executor` and `config` (AIRFLOW__SECTION__KEY)."""
    job_only = {str(i.get("name")) for i in get_path(values, "createUserJob.env") or [] if isinstance(i, dict)}
    env = {k: v for k, v in job.env.items() if k not in job_only}
    env.update({var: value for var, (value, _src) in jobenv.env_items(values.get("env"), secrets, "env").items()})
    if values.get("executor"):
        env["AIRFLOW__CORE__EXECUTOR"] = str(values["executor"])
    for section, options in (values.get("config") or {}).items():
        for key, value in (options or {}).items() if isinstance(options, dict) else ():
            env[f"AIRFLOW__{str(section).upper()}__{str(key).upper()}"] = str(value)
    return env


class LocalChain:
    """One running Airflow for the chain's checks; `stop()` ends every process group it started."""

    def __init__(self, suite: ComponentSuite) -> None:
        self.suite, self.stack, self.rec = suite, suite.stack, suite.rec
        self.root = self.stack.workdir / "chain"
        self.processes: list[AirflowProcess] = []
        self.notes: list[str] = []
        self.api_port = 0
        self.session: AirflowSession | None = None
        self.bao: OpenBaoServer | None = None
        self.eso: vault_leg.EsoRead | None = None  # what ESO read from OpenBao: the pods' Secrets
        self.runner: AirflowRunner | None = None
        self._lock = threading.Lock()
        self._started: CheckResult | None = None

    def attach(self) -> LocalChain:
        """Register the chain's checks on the suite (memoized; the controls ask for the run's result)."""
        self.suite.register({NAME_RUN: self.run_check, NAME_BROKER: self.broker_check,
                             NAME_FERNET: self.fernet_check, NAME_KNOWN_HOST: self.known_host_check,
                             NAME_IMPORT_ERROR: self.import_error_check})
        return self

    # -- bring-up ----------------------------------------------------------------------------------------
    def env(self, secrets: dict[str, dict[str, str]]) -> dict[str, str]:
        """A pod's env from these Secrets (what ESO made of Vault's answer), as the chart builds it."""
        job = jobenv.build(self.stack.inputs.values, secrets, self.stack.inputs.airflow_version,
                           str(self.stack.workdir / "airflow-home"))
        return pod_env(self.stack.inputs.values, secrets, job)

    def read_from_vault(self, payload: dict[str, Any]) -> vault_leg.EsoRead:
        """Seed OpenBao with `payload` (the cluster tier's seeding: policies, auth role, KV v2 at ESO's path),
        then read it back as ESO would: a token of the store's role's policies only, TLS verified with the CA.
        The first call starts the server; later calls write a new version (a rotation in Vault)."""
        repo = self.stack.inputs.repo
        if self.bao is None:
            token = stack_vault.dev_root_token()
            self.suite.generate(token)
            self.bao = OpenBaoServer(token)
            self.bao.start()
        root = self.bao.client()
        vault_leg.seed(root, repo, payload, kubernetes_ca_cert=self.bao.ca_pem)
        _role, policies = vault_leg.role_policies(repo)
        token = vault_leg.eso_token(root, policies)
        self.suite.generate(token)
        return vault_leg.read_as_eso(self.bao.client(token=token), repo, policies)

    def sync_dags(self, dest: Path, known_hosts: str | None = None, repo_path: str | None = None
                  ) -> gitsync.CloneResult:
        """Clone the DAG repository as git-sync does: the key of the SSH Secret ESO made from Vault's answer, the
        values' knownHosts pointed at the local server (or `known_hosts` as given), StrictHostKeyChecking=yes."""
        settings = self.suite.settings()
        ssh_secret = str(settings["ssh_key_secret"] or payload_mod.SSH_SECRET)
        key = jobenv.secret_value(self.eso.secrets, ssh_secret, "gitSshKey", "dags.gitSync.sshKeySecret") \
            if self.eso is not None else self.suite.payload_private_key()  # the host-key control needs no Vault
        if known_hosts is None:
            known_hosts, notes = self.suite.local_known_hosts(settings["known_hosts"])
            self.notes += notes
        assert self.stack.git is not None
        return gitsync.clone(self.stack.git.url(repo_path or settings["path"]), private_key=key,
                             known_hosts=known_hosts, branch=settings["branch"], dest=dest)

    def start(self) -> CheckResult | None:
        """Bring Airflow up once; None when running, else the result that says why it is not."""
        with self._lock:
            if self._started is None:
                self._started = self._start()
            return None if self._started.outcome == "pass" else self._started

    def _start(self) -> CheckResult:
        start = time.monotonic()
        if blocked := self.suite._needs(NAME_RUN, PREREQUISITE):
            return blocked
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            self.eso = self.read_from_vault(self.stack.payload)
        except (vault_leg.VaultLegError, MissingOpenBao, NotReady, GaveUp) as exc:
            return self.rec.result(NAME_RUN, "fail", time.monotonic() - start,
                                   f"the Vault leg failed: {self.stack.masker.mask(str(exc))}")
        self.notes.append(f"Secrets rendered from what OpenBao returned ({self.bao.url if self.bao else ''}, "
                          f"{len(self.eso.evidence)} ESO read(s): {self.eso.evidence[0] if self.eso.evidence else ''})")
        repo = self.root / "dags" / "repo"
        clone = self.sync_dags(repo)
        log = self.rec.keep_log(NAME_RUN, "git-sync clone", clone.output)
        if not clone.ok:
            return self.rec.result(NAME_RUN, "fail", time.monotonic() - start,
                                   f"git-sync could not clone the DAG repository: {clone.output[-200:]}", log=log)
        sub = str(get_path(self.stack.inputs.values, "dags.gitSync.subPath") or "")
        dags_folder = repo / sub if sub else repo
        self.api_port = net.free_port()
        self.local_env = {
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{net.LOOPBACK}:{self.api_port}/execution/",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(net.free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(net.free_port()),
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": WORKER_CONCURRENCY,
            "AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT": EXECUTION_API_TIMEOUT,
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": REFRESH_INTERVAL,
        }
        self.notes += [f"DAGs at {clone.commit and clone.commit[:12]} cloned over SSH into the dags folder "
                       "(git-sync's worktree)",
                       "on loopback: execution API URL, log server ports, AIRFLOW_HOME and the dags folder differ "
                       f"from the chart's; worker concurrency {WORKER_CONCURRENCY} (chart default 16), execution "
                       f"API timeout {EXECUTION_API_TIMEOUT} s (default 5 s), dag-processor refresh interval "
                       f"{REFRESH_INTERVAL} s (default 300 s)"]
        self.base_env = {**self.env(self.eso.secrets), **self.local_env}
        self.runner = runner = AirflowRunner(self.stack.venv, self.base_env, self.stack.workdir / "runs" / "chain")
        written = self.write_connection(runner, dag_run.PROBE_CONNECTION, self.base_env)
        if written is not None:
            return written
        specs = [("api-server", ["api-server", "--host", net.LOOPBACK, "--port", str(self.api_port),
                                 "--workers", "1"]),
                 ("scheduler", ["scheduler"]), ("dag-processor", ["dag-processor"]), ("triggerer", ["triggerer"]),
                 ("worker", ["celery", "worker", "--celery-hostname", "e2e-worker@%h", "--without-gossip",
                             "--without-mingle"])]
        for name, argv in specs:
            self.processes.append(AirflowProcess(name, argv, runner, extra_env=self.base_env,
                                                 masker=self.stack.masker).start())
        if pidfile := os.environ.get(PIDFILE_ENV):  # the clean-up tests read what must be gone afterwards
            Path(pidfile).write_text(json.dumps({"pids": [p.pid for p in self.processes],
                                                 "workdir": str(self.stack.workdir), "api_port": self.api_port,
                                                 "ports": self.ports()}))
        try:
            health = wait_until(self._healthy, timeout=BRING_UP_SECONDS, what="Airflow components healthy")
        except (NotReady, GaveUp) as exc:
            return self.rec.result(NAME_RUN, "fail", time.monotonic() - start, f"Airflow did not come up: {exc}",
                                   self._tails(), log=self.keep_logs(NAME_RUN))
        self.notes.append(f"Airflow up {time.monotonic() - start:.0f} s after the create-user Job passed: {health}")
        return self.rec.result(NAME_RUN, "pass", time.monotonic() - start, "Airflow is up", [f"health: {health}"])

    def _healthy(self) -> str | None:
        for process in self.processes:
            process.ensure_running()
        status, body = AirflowApi(self.base_url, self.stack.inputs.airflow_version).health()
        if status != 200 or not isinstance(body, dict):
            return None
        parts = {k: (v or {}).get("status") for k, v in body.items() if isinstance(v, dict)}
        worker = next(p for p in self.processes if p.name == "worker")
        if any(s != "healthy" for s in parts.values()) or " ready." not in worker.log_text():
            return None
        return ", ".join(f"{k} {v}" for k, v in sorted(parts.items())) + ", celery worker ready"

    @contextlib.contextmanager
    def rolled_api_server(self, secrets: dict[str, dict[str, str]]) -> Iterator[AirflowApi]:
        """One more api-server, as a rolled pod after ESO refreshed its Secrets: env from `secrets`, its own
        port, the running chain untouched; stopped (its process group) on leaving, on failure too."""
        assert self.runner is not None
        port = net.free_port()
        env = {**self.env(secrets), **self.local_env,
               "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{net.LOOPBACK}:{port}/execution/"}
        process = AirflowProcess("api-server-rolled", ["api-server", "--host", net.LOOPBACK, "--port", str(port),
                                                       "--workers", "1"], self.runner, extra_env=env,
                                 masker=self.stack.masker)
        self.processes.append(process)  # stop() ends it on Ctrl-C as well
        api = AirflowApi(f"http://{net.LOOPBACK}:{port}", self.stack.inputs.airflow_version)

        def up() -> bool:
            process.ensure_running()
            return api.health()[0] == 200
        try:
            process.start()
            wait_until(up, timeout=BRING_UP_SECONDS, what="the rolled api-server")
            yield api
        finally:
            process.stop()

    @property
    def base_url(self) -> str:
        return f"http://{net.LOOPBACK}:{self.api_port}"

    def write_connection(self, runner: Any, conn_id: str, env: dict[str, str], *,
                         fernet_key: str | None = None) -> CheckResult | None:
        """Store a Connection encrypted, as another component would (the key from `env`, or `fernet_key`);
        its extra holds the password's sha256, so the DAG checks the decryption without knowing the value."""
        secret = payload_mod.password(20)
        self.suite.generate(secret)
        extra = {**env, "E2E_CONN_ID": conn_id, "E2E_CONN_PASSWORD": secret,
                 "E2E_CONN_SHA256": hashlib.sha256(secret.encode()).hexdigest()}
        if fernet_key:
            extra["AIRFLOW__CORE__FERNET_KEY"] = fernet_key
        res = runner.python(WRITER, timeout=self.suite.job_timeout, extra_env=extra)
        log = self.rec.keep_log(NAME_RUN, f"store Connection {conn_id}", res.output)
        if res.ok and "E2E_CONNECTION_STORED" in res.output:
            return None
        return self.suite._failed(NAME_RUN, res, f"storing Connection {conn_id} failed", log, outcome="error")

    # -- the DAG run -------------------------------------------------------------------------------------
    def login(self) -> tuple[AirflowSession | None, str]:
        user = get_path(self.stack.payload, "createUserJob.defaultUser") or {}
        api = AirflowApi(self.base_url, self.stack.inputs.airflow_version)
        session, status, body = AirflowSession.login(api, str(user.get("username") or ""),
                                                     str(user.get("password") or ""))
        why = "" if session else f"POST /auth/token answered {status}: {str(body)[:200]}"
        return session, why

    def trigger_and_wait(self, conf: dict[str, Any] | None = None, dag_id: str = dag_run.CHAIN_DAG_ID
                         ) -> tuple[dag_run.Judgement, list[str]]:
        """Parsed? -> unpause -> trigger -> wait for the run to finish; evidence for every step."""
        assert self.session is not None
        s = self.session
        parsed = _wait_judgement(lambda: dag_run.dag_parsed(dag_id, *s.dag(dag_id), s.import_errors()[1]),
                                 PARSE_SECONDS, self.processes)
        if parsed.state != "ok":
            return parsed, list(parsed.evidence)
        status, _ = s.unpause(dag_id)
        status_t, created = s.trigger(dag_id, conf)
        run_id = created.get("dag_run_id") if isinstance(created, dict) else None
        evidence = [*parsed.evidence, f"PATCH is_paused=false -> {status}", f"POST dagRuns -> {status_t} {run_id}"]
        if not run_id:
            return dag_run.Judgement("failed", [*evidence, f"trigger refused: {str(created)[:200]}"]), evidence
        done = _wait_judgement(lambda: dag_run.run_finished(s.run(dag_id, run_id)[1],
                                                            s.task_instances(dag_id, run_id)[1]),
                               RUN_SECONDS, self.processes)
        return done, [*evidence, *done.evidence]

    def run_check(self) -> CheckResult:
        start = time.monotonic()
        if blocked := self.start():
            return blocked
        session, why = self.login()
        if session is None:
            return self.rec.result(NAME_RUN, "fail", time.monotonic() - start,
                                   f"the create-user Job's admin cannot log in to the API server: {why}",
                                   log=self.keep_logs(NAME_RUN))
        self.session = session
        begun = time.monotonic()
        judgement, evidence = self.trigger_and_wait()
        evidence.append(f"parse + run took {time.monotonic() - begun:.0f} s")
        tasks = len(dag_run.celery_workers_tasks(self.session.task_instances(dag_run.CHAIN_DAG_ID, run_id)[1])) \
            if (run_id := _run_id(evidence)) else 0
        with contextlib.suppress(NotReady):  # the worker logs a task's end just after the API records it
            wait_until(lambda: self.celery_workloads() >= tasks, timeout=30, what="the worker's log")
        evidence.append(f"Celery worker executed {self.celery_workloads()} workload(s) of {tasks} task(s) "
                        "(`execute_workload[...] succeeded` in its log)")
        log = self.keep_logs(NAME_RUN)
        evidence = ["logged in as the payload's admin (POST /auth/token -> bearer token)", *evidence, *self.notes]
        if judgement.state == "ok":
            return self.rec.result(NAME_RUN, "pass", time.monotonic() - start,
                                   f"{dag_run.CHAIN_DAG_ID} ran to success on the Celery worker; its task decrypted "
                                   f"Connection {dag_run.PROBE_CONNECTION}", evidence, log=log)
        return self.rec.result(NAME_RUN, "fail", time.monotonic() - start,
                               f"the DAG run did not succeed: {judgement.evidence[-1] if judgement.evidence else ''}",
                               [*evidence, *self._tails()], log=log)

    # -- controls ----------------------------------------------------------------------------------------
    def fernet_check(self) -> CheckResult:
        """A Connection written with another Fernet key than the API server's: the task fails, InvalidToken."""
        start = time.monotonic()
        before = self.suite.result(NAME_RUN)
        if before.outcome != "pass" or self.session is None:
            return self.rec.result(NAME_FERNET, "error", 0.0, f"not run: {NAME_RUN} did not pass")
        # A row under another key breaks every `connections list` on this database: fernet-key-stability (same
        # database) reads first, and the row is removed again when this check is done.
        self.suite.result(fernet_stability.NAME)
        other = Fernet.generate_key().decode()
        self.suite.generate(other)
        conn_id = f"{dag_run.PROBE_CONNECTION}_other_key"
        try:
            return self._fernet_check(start, conn_id, other)
        finally:
            self.runner.python(WRITER, timeout=self.suite.job_timeout, extra_env={
                **self.base_env, "E2E_CONN_ID": conn_id, "E2E_CONN_MODE": "delete"})

    def _fernet_check(self, start: float, conn_id: str, other: str) -> CheckResult:
        written = self.write_connection(self.runner, conn_id, self.base_env, fernet_key=other)
        if written is not None:
            return written
        judgement, evidence = self.trigger_and_wait({"connection": conn_id})
        task_said = self.task_error("read_encrypted_connection", prefer=(NOT_DEFINED, "CONNECTION_NOT_FOUND"))
        read = self.runner.python(WRITER, timeout=self.suite.job_timeout,
                                                      extra_env={**self.base_env, "E2E_CONN_ID": conn_id,
                                                                 "E2E_CONN_MODE": "read"})
        marker = read.output.rfind("E2E_CONNECTION_READ")
        line = read.output[marker:].splitlines()[0] if marker >= 0 else \
            f"no answer (exit {read.returncode}: {(read.output.strip().splitlines() or ['no output'])[-1][-200:]})"
        log = self.keep_logs(NAME_FERNET)
        self.rec.keep_log(NAME_FERNET, "the row read with the API server's key", read.output)
        evidence = [f"Connection {conn_id} written with a freshly generated Fernet key (another component's)",
                    *evidence, f"read_encrypted_connection's log: {task_said}",
                    f"the same row read with the API server's Fernet key: {line.removeprefix('E2E_CONNECTION_READ ')}"]
        not_found = NOT_DEFINED in task_said or "CONNECTION_NOT_FOUND" in task_said
        if judgement.state == "failed" and INVALID_TOKEN in line and not_found:
            return self.rec.result(NAME_FERNET, "pass", time.monotonic() - start,
                                   "the task fails: the API server cannot decrypt a Connection encrypted with another "
                                   "Fernet key (InvalidToken), and the task is told it `isn't defined`", evidence,
                                   failure="FAILURES.md 2", log=log)
        why = "the run succeeded" if judgement.state == "ok" else \
            "the row did not fail with InvalidToken" if INVALID_TOKEN not in line else \
            "the task failed for another reason"
        return self.rec.result(NAME_FERNET, "fail", time.monotonic() - start, f"expected InvalidToken: {why}",
                               evidence, log=log)

    def broker_check(self) -> CheckResult:
        """A Celery worker whose broker URL carries another password than Redis's: WRONGPASS in its log."""
        start = time.monotonic()
        blocked = self.start()
        if blocked:
            return self.rec.result(NAME_BROKER, "error", 0.0, f"not run: Airflow did not come up ({blocked.summary})")
        wrong = payload_mod.password(16)
        self.suite.generate(wrong)
        assert self.stack.redis is not None
        url = inputs.with_password(str(self.stack.payload.get("brokerUrl") or ""), wrong)
        worker = AirflowProcess("worker-wrong-broker", ["celery", "worker", "--celery-hostname", "e2e-wrong@%h",
                                                        "--without-gossip", "--without-mingle", "--skip-serve-logs"],
                                self.runner,
                                extra_env={**self.base_env, "AIRFLOW__CELERY__BROKER_URL": url},
                                masker=self.stack.masker).start()
        try:
            def symptom() -> bool:
                if WRONG_BROKER_SYMPTOM in worker.log_text():
                    return True
                worker.ensure_running()
                return False
            try:
                wait_until(symptom, timeout=SYMPTOM_SECONDS, what="the worker's broker error")
                seen = True
            except (NotReady, GaveUp) as exc:
                seen, reason = False, str(exc)
        finally:
            worker.stop()
        text = worker.log_text()
        log = self.rec.keep_log(NAME_BROKER, "celery worker with another broker password", text)
        line = next((x.strip() for x in text.splitlines() if WRONG_BROKER_SYMPTOM in x), "")
        if seen:
            return self.rec.result(NAME_BROKER, "pass", time.monotonic() - start,
                                   "the worker cannot reach the broker: Redis refuses the password", [line[-300:]],
                                   failure="FAILURES.md 9", log=log)
        return self.rec.result(NAME_BROKER, "fail", time.monotonic() - start,
                               f"expected `{WRONG_BROKER_SYMPTOM}` in the worker's log: {reason}", log=log)

    def known_host_check(self) -> CheckResult:
        """git-sync with knownHosts naming another key: the clone fails, so no DAG reaches the dag-processor."""
        start = time.monotonic()
        _private, other = payload_mod.ssh_keypair()
        text, _notes = self.suite.local_known_hosts(self.suite.settings()["known_hosts"],
                                                    key=" ".join(other.split()[:2]))
        dest = self.root / "dags-wrong-host" / "repo"
        dest.parent.mkdir(parents=True, exist_ok=True)
        res = self.sync_dags(dest, known_hosts=text)
        log = self.rec.keep_log(NAME_KNOWN_HOST, "git-sync clone with another host key", res.output)
        refused = "Host key verification failed" in res.output
        dags = sorted(p.name for p in dest.rglob("*.py")) if dest.exists() else []
        evidence = [f"git exit {res.returncode}", f"DAG files in the worktree: {dags or 'none'}"]
        if not res.ok and refused and not dags:
            return self.rec.result(NAME_KNOWN_HOST, "pass", time.monotonic() - start,
                                   "git-sync refuses the server: Host key verification failed; no DAG is delivered",
                                   evidence, failure="FAILURES.md 5", log=log)
        return self.rec.result(NAME_KNOWN_HOST, "fail", time.monotonic() - start,
                               "expected `Host key verification failed.`", evidence, log=log)

    def import_error_check(self) -> CheckResult:
        """A DAG repository whose DAG file raises at import, synced beside the running DAGs: the run check's
        own wait (trigger_and_wait) must end at once with a failed judgement naming the file and the error,
        from Airflow's importErrors API, never wait out its deadline. The broken folder is removed after."""
        start = time.monotonic()
        before = self.suite.result(NAME_RUN)  # after the main DAG parsed: its parse never sees this file
        if self.session is None:
            return self.rec.result(NAME_IMPORT_ERROR, "error", 0.0, f"not run: {NAME_RUN} did not log in "
                                   f"({before.outcome}: {before.summary})")
        source = self.root / "broken-dags-source"
        source.mkdir(parents=True, exist_ok=True)
        (source / BROKEN_DAG_FILE).write_text(BROKEN_DAG, encoding="utf-8")
        assert self.stack.git is not None
        self.stack.git.add_repository("e2e/broken-dags.git", source, self.suite.settings()["branch"])
        dest = Path(self.local_env["AIRFLOW__CORE__DAGS_FOLDER"]) / "e2e-broken-dags"
        try:
            clone = self.sync_dags(dest, repo_path="e2e/broken-dags.git")
            if not clone.ok:
                return self.rec.result(NAME_IMPORT_ERROR, "error", time.monotonic() - start,
                                       f"the broken DAG repository could not be cloned: {clone.output[-200:]}")
            begun = time.monotonic()
            judgement, evidence = self.trigger_and_wait(dag_id=BROKEN_DAG_ID)
            took = time.monotonic() - begun
        finally:
            shutil.rmtree(dest, ignore_errors=True)
        reason = judgement.evidence[-1] if judgement.evidence else ""
        evidence = [f"DAG repository e2e/broken-dags.git ({BROKEN_DAG_FILE} raises RuntimeError at import) cloned "
                    "into the running dags folder", *evidence, f"the wait ended after {took:.0f} s "
                    f"(its deadline: {PARSE_SECONDS:.0f} s)"]
        log = self.keep_logs(NAME_IMPORT_ERROR)
        if judgement.state == "failed" and BROKEN_DAG_FILE in reason and BROKEN_DAG_ERROR in reason \
                and took < PARSE_SECONDS:
            return self.rec.result(NAME_IMPORT_ERROR, "pass", time.monotonic() - start,
                                   f"the DAG run check fails with the reason: {reason}", evidence, log=log)
        return self.rec.result(NAME_IMPORT_ERROR, "fail", time.monotonic() - start,
                               f"expected a failed parse naming {BROKEN_DAG_FILE} and its error: {reason}",
                               evidence, log=log)

    # -- evidence and teardown ---------------------------------------------------------------------------
    def task_log(self, task_id: str) -> str:
        """The newest log of that task (the worker writes it under AIRFLOW_HOME/logs)."""
        root = Path(self.base_env.get("AIRFLOW_HOME", self.stack.workdir / "airflow-home")) / "logs"
        logs = [p for p in root.rglob("*") if p.is_file() and f"task_id={task_id}" in p.as_posix()]
        return max(logs, key=lambda p: p.stat().st_mtime).read_text(errors="replace") if logs else ""

    def task_error(self, task_id: str, prefer: tuple[str, ...] = ()) -> str:
        """The line of that task's log that says why it failed (`prefer`ed words first), shortened."""
        lines = self.task_log(task_id).splitlines()
        chosen = [x for x in lines if any(w in x for w in prefer)] or \
            [x for x in lines if "error" in x.lower() or "exception" in x.lower()]
        if not chosen:
            return "no task log" if not lines else "no error line"
        line = chosen[-1]
        at = min((line.find(w) for w in prefer if w in line), default=-1)
        return line[max(at - 80, 0):][:300] if at >= 0 else line[-300:]

    def celery_workloads(self) -> int:
        """Tasks the Celery worker ran to completion, counted from its own log."""
        worker = next((p for p in self.processes if p.name == "worker"), None)
        text = worker.log_text() if worker else ""
        return sum(1 for line in text.splitlines() if "execute_workload" in line and "succeeded" in line)

    def _tails(self) -> list[str]:
        out = []
        for process in self.processes:
            lines = [x for x in process.log_text().strip().splitlines() if x.strip()]
            out.append(f"{process.name} (pid {process.pid}): {lines[-1][-240:] if lines else 'no output'}")
        return out

    def keep_logs(self, check: str) -> str:
        """Every component's log, masked, into the check's log file in the artifacts."""
        log = ""
        for process in self.processes:
            log = self.rec.keep_log(check, f"{process.name} log", process.log_text())
        return log

    def ports(self) -> list[int]:
        """Every loopback port the chain and its stack listen on."""
        local = [int(self.local_env[k]) for k in ("AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT",
                                                  "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT")]
        servers = [getattr(x, "port", 0) for x in (self.bao, self.stack.pg, self.stack.redis, self.stack.git)]
        return sorted({self.api_port, *local, *(p for p in servers if p)})

    def stop(self) -> None:
        """Every Airflow process group, then OpenBao (its temp root goes with it)."""
        try:
            airflow_procs.stop_all(self.processes)
        finally:
            bao, self.bao = self.bao, None
            if bao is not None:
                bao.stop()


def _wait_judgement(judge: Any, timeout: float, processes: list[AirflowProcess]) -> dag_run.Judgement:
    """Poll a pure judgement until it is done or the deadline passes (a component exiting ends it at once)."""
    last: list[dag_run.Judgement] = []

    def probe() -> dag_run.Judgement | None:
        for process in processes:
            process.ensure_running()
        judgement = judge()
        last[:] = [judgement]
        return judgement if judgement.done else None

    try:
        return wait_until(probe, timeout=timeout, what="the DAG", interval=0.5, max_interval=2.0)
    except (NotReady, GaveUp) as exc:
        return dag_run.Judgement("failed", [*(last[0].evidence if last else []), str(exc)])


def _run_id(evidence: list[str]) -> str | None:
    line = next((x for x in evidence if x.startswith("POST dagRuns -> ")), "")
    run_id = line.rsplit(" ", 1)[-1] if line else ""
    return run_id if run_id and run_id != "None" else None

