"""An encrypted value in the metadata database, written and read back through the real Airflow CLI.

Why a Connection read by `airflow connections list --show-values`: it loads the rows straight from the database
and decrypts each password with the process's Fernet key, so another key surfaces as Airflow's own
`cryptography.fernet.InvalidToken` traceback and a non-zero exit. (`connections get` swallows the error and says
"Connection not found."; a Variable's read logs it and returns nothing: neither names the cause.)
The probe password is generated per run and only ever compared in memory; callers add it to the masker.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from e2e.components.airflow_cli import AirflowRunner, CommandResult
from e2e.private_file import write_private

CONN_ID = "e2e_fernet_probe"
INVALID_TOKEN = "InvalidToken"  # what Airflow logs for a row encrypted with another Fernet key


@dataclass
class ProbeRead:
    result: CommandResult
    decrypted: bool  # the CLI printed the connection and its password is the stored one
    encrypted_at_rest: bool  # Airflow reports the stored password as encrypted
    invalid_token: bool  # cryptography.fernet.InvalidToken: another key than the one that encrypted it


def store(runner: AirflowRunner, secret: str, *, timeout: float) -> CommandResult:
    """`airflow connections import FILE`: the password reaches the CLI in a 0600 file, never on its command line
    (where every process could read it); imported is only "Imported connection <id>" (the CLI exits 0 on a skip)."""
    path = runner.workdir / "probe-connection.json"
    write_private(path, json.dumps({CONN_ID: {"conn_type": "postgres", "host": "probe.invalid",
                                              "login": "e2e_probe", "password": secret}}), replace=True)
    try:
        res = runner.airflow("connections", "import", str(path), timeout=timeout)
    finally:
        path.unlink(missing_ok=True)
    if res.ok and f"Imported connection {CONN_ID}" not in res.output:
        res.returncode = 1
    return res


def read(runner: AirflowRunner, secret: str, *, timeout: float, extra_env: dict[str, str] | None = None,
         ) -> ProbeRead:
    res = runner.airflow("connections", "list", "--show-values", "--output=json", timeout=timeout,
                         extra_env=extra_env)
    shown = _connection(res.output) if res.ok else None
    return ProbeRead(res, shown is not None and shown.get("password") == secret,
                     shown is not None and str(shown.get("is_encrypted")) == "True", INVALID_TOKEN in res.output)


def token_line(output: str) -> str:
    """The traceback's last line naming InvalidToken (Airflow's own words for a key that does not fit)."""
    lines = [line.strip() for line in output.splitlines() if INVALID_TOKEN in line]
    return lines[-1][-300:] if lines else ""


def _connection(output: str) -> dict | None:
    start = output.find("[")
    while start != -1:
        try:
            data, _ = json.JSONDecoder().raw_decode(output[start:])
        except ValueError:
            start = output.find("[", start + 1)
            continue
        rows = data if isinstance(data, list) else []
        return next((r for r in rows if isinstance(r, dict) and r.get("conn_id") == CONN_ID), None)
    return None
