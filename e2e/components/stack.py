"""The component tier's running parts: PostgreSQL, Redis, sshd+git and the Airflow venv, brought up in
parallel threads, torn down (and temp dirs removed) even when something fails.

Why one object: the CLI and the pytest session share it; both need "the payload pointed at these servers",
"a runner with the Job's environment for this payload" and "a masker for every value involved".
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from e2e import payload as payload_mod
from e2e.components import airflow_venv, inputs, jobenv
from e2e.components.airflow_cli import AirflowRunner
from e2e.components.git_server import GitSshServer
from e2e.components.postgres import PostgresServer
from e2e.components.redis_server import RedisServer
from e2e.config import DEFAULT_DAGS_DIR
from e2e.masking import Masker, secret_values


def unique_names(data: dict[str, Any]) -> None:
    """Per-run first/last name and email: every payload value is then unique, so a leak scan can look for
    all of them (the fixed words `platform`/`admin` also occur in Airflow's own files)."""
    user = (data.get("createUserJob") or {}).get("defaultUser")
    if isinstance(user, dict):
        tag = secrets.token_hex(4)
        user.update(firstName=f"first-{tag}", lastName=f"last-{tag}", email=f"admin-{tag}@example.com")


@dataclass
class StackOptions:
    gitops_dir: Path
    dags_dir: Path = DEFAULT_DAGS_DIR
    payload_file: Path | None = None
    chart_version: str | None = None
    airflow_version: str | None = None
    artifacts: Path | None = None
    need_airflow: bool = True  # False: broker and git-sync only, no Airflow venv


@dataclass
class ComponentStack:
    options: StackOptions
    inputs: inputs.ComponentInputs
    payload: dict[str, Any]
    original_payload: dict[str, Any]
    masker: Masker
    workdir: Path
    artifacts: Path
    notes: list[str] = field(default_factory=list)
    pg: PostgresServer | None = None
    redis: RedisServer | None = None
    git: GitSshServer | None = None
    venv: airflow_venv.AirflowVenv | None = None
    dags_commit: str | None = None
    _exit: ExitStack = field(default_factory=ExitStack)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _databases: int = 0

    # -- construction ------------------------------------------------------------------------------------
    @classmethod
    def prepare(cls, options: StackOptions) -> ComponentStack:
        """Read inputs (UnusableInput on bad ones) without starting anything."""
        found = inputs.load_inputs(options.gitops_dir, chart_version=options.chart_version,
                                   airflow_version=options.airflow_version)
        if options.payload_file is not None:
            original = inputs.load_payload(options.payload_file)
            notes = [f"payload from {options.payload_file}"]
        else:
            shape = payload_mod.shape_for(found.repo)
            original = payload_mod.generate(db_host=payload_mod.DEFAULT_DB_HOST, db_port=5432,
                                            redis_host=shape.get("redis_host", payload_mod.DEFAULT_REDIS_HOST),
                                            redis_port=6379, ssh_secret=shape.get("ssh_secret", payload_mod.SSH_SECRET))
            unique_names(original)
            notes = ["payload generated for this run (e2e.payload.generate)"]
        inputs.db_login(original)  # fail early on a connection string without credentials
        workdir = Path(tempfile.mkdtemp(prefix="airflow-e2e-components-"))
        artifacts = options.artifacts or (workdir / "artifacts")
        artifacts.mkdir(parents=True, exist_ok=True)
        return cls(options, found, original, original, Masker(secret_values(original)), workdir, artifacts,
                   notes + found.notes)

    def start(self) -> ComponentStack:
        """Start every server and get the venv, in parallel; on any failure stop what started."""
        try:
            redis_password = str(self.original_payload.get("redisPassword") or "")
            private_key = payload_mod.git_ssh_key(self.original_payload)
            self.pg = self._stopped_on_exit(PostgresServer())
            self.redis = self._stopped_on_exit(RedisServer(redis_password))
            self.git = self._stopped_on_exit(GitSshServer(self._public_key(private_key)))
            with ThreadPoolExecutor(max_workers=4, thread_name_prefix="bring-up") as pool:
                futures = [pool.submit(self.pg.start), pool.submit(self.redis.start), pool.submit(self._start_git)]
                if self.options.need_airflow:
                    futures.append(pool.submit(self._venv))
                for future in futures:
                    future.result()
            self.payload, moved = inputs.point_at(self.original_payload, db=(self.pg.host, self.pg.port),
                                                  redis=(self.redis.host, self.redis.port))
            self.notes += moved
            self.masker = Masker(secret_values(self.original_payload, self.payload))
            login = inputs.db_login(self.payload)
            self.pg.create_login(login.user, login.password, login.database)
            return self
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        self._exit.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _stopped_on_exit(self, server: Any) -> Any:
        """Register the server's stop() before it starts, so a half-started server is stopped too."""
        self._exit.callback(server.stop)
        return server

    # -- helpers the checks use --------------------------------------------------------------------------
    @staticmethod
    def _public_key(private_key: str) -> str:
        try:
            return payload_mod.public_key_of(private_key if private_key.endswith("\n") else private_key + "\n")
        except Exception:
            return payload_mod.ssh_keypair()[1]  # an unusable key: serve a key nobody has; the check reports it

    def _start_git(self) -> None:
        assert self.git is not None
        self.git.start()
        settings = inputs.git_sync_settings(self.inputs.values)
        self.dags_commit = self.git.add_repository(settings["path"], self.options.dags_dir, settings["branch"])

    def _venv(self) -> None:
        self.venv = airflow_venv.ensure(self.inputs.airflow_version)

    def secrets(self, payload: dict[str, Any] | None = None) -> jobenv.RenderedSecrets:
        return jobenv.render_secrets(self.inputs.repo, payload or self.payload)

    def job_env(self, payload: dict[str, Any] | None = None, *, user_job: bool = True) -> jobenv.JobEnv:
        return jobenv.build(self.inputs.values, self.secrets(payload), self.inputs.airflow_version,
                            str(self.workdir / "airflow-home"), user_job=user_job)

    def runner(self, payload: dict[str, Any] | None = None, name: str = "main", *,
               user_job: bool = True) -> AirflowRunner:
        """The Airflow CLI with a container's env: the create-user Job's, or (user_job=False) any other's."""
        assert self.venv is not None
        job = self.job_env(payload, user_job=user_job)
        return AirflowRunner(self.venv, job.env, self.workdir / "runs" / name, secret_env=job.secret_vars)

    def fresh_database(self, purpose: str) -> dict[str, Any]:
        """A payload whose metadata connection points at a new, empty database on the same server."""
        assert self.pg is not None
        with self._lock:
            self._databases += 1
            tag = f"{self._databases}_{secrets.token_hex(3)}"  # unique across copies of the stack (test views)
            name = f"{inputs.db_login(self.payload).database}_{purpose}_{tag}".replace("-", "_")
        self.pg.create_database(name, owner=inputs.db_login(self.payload).user)
        return inputs.with_database(self.payload, name)

    def protect(self, *values: str) -> None:
        """Add values a control uses (e.g. a wrong password) to the masker."""
        self.masker.add(v for v in values if v)

    def server_logs(self) -> dict[str, str]:
        logs = {}
        for name, server in (("postgres", self.pg), ("redis", self.redis), ("sshd", self.git)):
            if server is not None and server.root is not None:
                logs[name] = server.log_text()
        return logs

    def keep_server_logs(self) -> None:
        """The servers' logs, masked, under `<artifacts>/servers/` (before the temp dirs are removed)."""
        folder = self.artifacts / "servers"
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in self.server_logs().items():
            (folder / f"{name}.log").write_text(self.masker.mask(text), encoding="utf-8")

