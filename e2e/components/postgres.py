"""An ephemeral PostgreSQL server: initdb + pg_ctl from Debian's packages, on a free loopback port.

Why real: the create-user Job, `airflow db migrate` and `check-migrations` talk to PostgreSQL; only a real
server shows a wrong password (`password authentication failed`) or an unmigrated schema as Airflow sees it.
Password logins over TCP use scram-sha-256, so a wrong password in the payload really fails. The data dir
lives in a temp dir removed on stop; the server runs as the unprivileged identity (PostgreSQL refuses root).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from e2e.components import binaries, identity, net
from e2e.components.ephemeral import EphemeralServer
from e2e.components.waiting import GaveUp, wait_until

ADMIN = "e2e_admin"


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quote_ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class PostgresServer(EphemeralServer):
    """Context manager: `with PostgresServer() as pg: pg.create_login(user, password, db)`."""

    name, title = "pg", "PostgreSQL"

    def __init__(self, *, startup_timeout: float = 60.0, who: identity.Identity | None = None) -> None:
        super().__init__(startup_timeout=startup_timeout)
        self.who = who
        self._bins: dict[str, str] = {}

    # -- lifecycle ---------------------------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        assert self.root is not None
        return self.root / "sock"

    def start(self) -> PostgresServer:
        self._bins = {name: binaries.find(name) for name in ("initdb", "pg_ctl", "pg_isready", "psql")}
        self.who = self.who or identity.unprivileged()
        self.make_root()
        self.socket_dir.mkdir()
        self.who.own(self.root)
        self._run_as([self._bins["initdb"], "-D", str(self.data_dir), "-U", ADMIN, "-E", "UTF8", "--locale=C",
                      "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"], "initdb")
        self.port = net.free_port()
        options = (f"-c listen_addresses={self.host} -p {self.port} -c unix_socket_directories={self.socket_dir}"
                   " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run_as([self._bins["pg_ctl"], "-D", str(self.data_dir), "-l", str(self.log_file), "-o", options,
                      "-w", "-t", str(int(self.startup_timeout)), "start"], "pg_ctl start")
        wait_until(self._accepting, timeout=self.startup_timeout, what=f"PostgreSQL on port {self.port}")
        return self

    def stop(self) -> None:
        if self.root is None:
            return
        if (self.data_dir / "postmaster.pid").exists():
            subprocess.run(self._as([self._bins["pg_ctl"], "-D", str(self.data_dir), "-m", "immediate", "-w",
                                     "stop"]), capture_output=True, check=False, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    # -- use ---------------------------------------------------------------------------------------------
    def create_login(self, user: str, password: str, database: str) -> None:
        """A login role with this password owning this database (what the payload's connection expects)."""
        self.sql(f"CREATE ROLE {_quote_ident(user)} LOGIN PASSWORD {_quote_literal(password)};")
        self.create_database(database, owner=user)

    def create_database(self, database: str, owner: str) -> None:
        self.sql(f"CREATE DATABASE {_quote_ident(database)} OWNER {_quote_ident(owner)};")

    def sql(self, statements: str, database: str = "postgres") -> str:
        """Run SQL as the admin over the Unix socket; statements go through stdin, never argv."""
        result = subprocess.run(
            [self._bins["psql"], "-h", str(self.socket_dir), "-p", str(self.port), "-U", ADMIN, "-d", database,
             "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", "-"],
            input=statements, capture_output=True, text=True, check=False, timeout=60,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {(result.stderr.strip().splitlines() or ['?'])[-1]}")
        return result.stdout

    def can_login(self, user: str, password: str, database: str) -> bool:
        """A real TCP login with scram (psql reads the password from PGPASSWORD, never from argv)."""
        result = subprocess.run(
            [self._bins["psql"], "-h", self.host, "-p", str(self.port), "-U", user, "-d", database,
             "-X", "-q", "-A", "-t", "-w", "-c", "select 1"],
            env={"PGPASSWORD": password, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
            check=False, timeout=30,
        )
        return result.returncode == 0 and result.stdout.strip() == "1"

    # -- internals ---------------------------------------------------------------------------------------
    def _as(self, argv: list[str]) -> list[str]:
        assert self.who is not None
        return self.who.command(argv)

    def _run_as(self, argv: list[str], what: str) -> None:
        result = subprocess.run(self._as(argv), capture_output=True, text=True, check=False,
                                timeout=self.startup_timeout + 30, cwd="/")
        if result.returncode != 0:
            lines = (result.stderr.strip() or result.stdout.strip() or "no output").splitlines()
            tail = self.log_text().strip().splitlines()[-1:] if what.startswith("pg_ctl") else []
            raise RuntimeError(f"{what} failed (exit {result.returncode}): {lines[-1]}"
                               + (f"; log: {tail[0]}" if tail else ""))

    def _accepting(self) -> bool:
        if not (self.data_dir / "postmaster.pid").exists():
            raise GaveUp(f"PostgreSQL exited: {self.last_log_line()}")
        result = subprocess.run([self._bins["pg_isready"], "-h", self.host, "-p", str(self.port), "-t", "1"],
                                capture_output=True, check=False, timeout=10)
        return result.returncode == 0
