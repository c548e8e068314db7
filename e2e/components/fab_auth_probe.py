"""Run INSIDE the Airflow venv: does the default user exist, and does its password authenticate?

Why Airflow's own code: the check must answer what the login form answers, so it goes through the FAB
provider's security manager (`auth_user_db`, the database-auth login path), with the application builder the
`airflow users` CLI itself uses, never through SQL on the user tables. Credentials come from the
environment (E2E_AUTH_USERNAME / E2E_AUTH_PASSWORD), never argv. Prints one JSON line, no secret in it.
This file must not import the harness: the Airflow venv does not have it.
"""

from __future__ import annotations

import json
import logging
import os
import sys


def main() -> int:
    logging.disable(logging.CRITICAL)
    from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder

    username = os.environ["E2E_AUTH_USERNAME"]
    password = os.environ["E2E_AUTH_PASSWORD"]
    with get_application_builder() as appbuilder:
        sm = appbuilder.sm
        user = sm.find_user(username=username)
        report = {
            "exists": user is not None,
            "active": bool(user is not None and user.is_active),
            "roles": sorted(role.name for role in (user.roles if user is not None else [])),
            "authenticated": sm.auth_user_db(username, password, rotate_session_id=False) is not None,
            "wrong_password_rejected": sm.auth_user_db(username, password + "-wrong",
                                                        rotate_session_id=False) is None,
        }
    print("E2E_AUTH_RESULT " + json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
