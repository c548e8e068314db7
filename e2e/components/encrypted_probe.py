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

CONN_ID = "e2e_fernet_probe"
INVALID_TOKEN = "InvalidToken"


@dataclass
class ProbeRead:
    result: CommandResult
    decrypted: bool  # the CLI printed the connection and its password is the stored one
    encrypted_at_rest: bool  # Airflow reports the stored password as encrypted
    invalid_token: bool  # cryptography.fernet.InvalidToken: another key than the one that encrypted it


def store(runner: AirflowRunner, secret: str, *, timeout: float) -> CommandResult:
    """`airflow connections add` with a password (`--opt=value`: a value is never read as an option)."""
    return runner.airflow("connections", "add", CONN_ID, "--conn-type=postgres", "--conn-host=probe.invalid",
                          "--conn-login=e2e_probe", f"--conn-password={secret}", timeout=timeout)


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
