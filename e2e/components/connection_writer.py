"""Run INSIDE the Airflow venv: store one Connection, encrypted with the process's Fernet key, in the metadata DB;
or (E2E_CONN_MODE=delete) remove it; or (E2E_CONN_MODE=read) read the row and decrypt it with the process's key,
printing whether it decrypts or fails with cryptography's InvalidToken (the API server logs that only at debug
level and tells the task the Connection "isn't defined").
Why Airflow's own model: `Connection.set_password` encrypts exactly as any Airflow component does, so the key in
this process's environment is the one at rest. The id, password and the password's sha256 (kept in the extra, so
a task can check a decryption without knowing the value) come from the environment, never argv. Replaces an
existing row of that id. Prints one marker line, no secret. Must not import the harness (not in this venv).
"""

from __future__ import annotations

import json
import logging
import os
import sys


def main() -> int:
    logging.disable(logging.CRITICAL)
    from airflow.models import Connection
    from airflow.utils.session import create_session

    conn_id = os.environ["E2E_CONN_ID"]
    if os.environ.get("E2E_CONN_MODE") == "delete":
        with create_session() as session:
            session.query(Connection).filter(Connection.conn_id == conn_id).delete()
        print(f"E2E_CONNECTION_DELETED {conn_id}")
        return 0
    if os.environ.get("E2E_CONN_MODE") == "read":
        from cryptography.fernet import InvalidToken

        with create_session() as session:
            row = session.query(Connection).filter(Connection.conn_id == conn_id).one_or_none()
            if row is None:
                print(f"E2E_CONNECTION_READ {conn_id} missing")
                return 1
            try:
                ok = row.password == os.environ.get("E2E_CONN_PASSWORD")
                print(f"E2E_CONNECTION_READ {conn_id} decrypted={ok}")
            except InvalidToken:
                print(f"E2E_CONNECTION_READ {conn_id} InvalidToken (row exists, encrypted={row.is_encrypted})")
        return 0
    with create_session() as session:
        session.query(Connection).filter(Connection.conn_id == conn_id).delete()
        conn = Connection(conn_id=conn_id, conn_type="generic", login="e2e-probe",
                          password=os.environ["E2E_CONN_PASSWORD"],
                          extra=json.dumps({"sha256": os.environ["E2E_CONN_SHA256"]}))
        session.add(conn)
        session.flush()
        encrypted = bool(conn.is_encrypted and conn.is_extra_encrypted)
    print(f"E2E_CONNECTION_STORED {conn_id} encrypted={encrypted}")
    return 0 if encrypted else 1


if __name__ == "__main__":
    sys.exit(main())
