"""Messages blame the right thing (issue 15 item 9). Plain data: command output as Airflow and SQLAlchemy
print it, Secret values as ESO would render them."""

from __future__ import annotations

from cryptography.fernet import Fernet

from e2e.components import diagnose, inputs
from e2e.components.airflow_cli import CommandResult
from e2e.components.fernet_stability import fernet_key_problem
from e2e.components.results import Recorder
from e2e.components.suite import ComponentSuite
from e2e.masking import Masker, secret_values

SECRET = "airflow-fernet-key/fernet-key"
SERVER = 'connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "other" does not exist'
DBNAME_OUTPUT = f"""Traceback (most recent call last):
  File "/venv/lib/python3.11/site-packages/sqlalchemy/engine/base.py", line 145, in __init__
psycopg2.OperationalError: {SERVER}

The above exception was the direct cause of the following exception:

sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) {SERVER}

(Background on this error at: https://sqlalche.me/e/20/e3q8)
"""
BAD_FERNET_OUTPUT = ("airflow.exceptions.AirflowException: Could not create Fernet object: "
                     "Fernet key must be 32 url-safe base64-encoded bytes.\n")


def test_a_template_that_did_not_render_is_blamed_not_the_fernet_key():
    assert "template reads a payload key that is not there" in fernet_key_problem("<no value>", SECRET)
    assert "template was not rendered" in fernet_key_problem("{{ (fromYaml .config).fernetKey }", SECRET)


def test_a_malformed_fernet_key_names_its_secret_and_a_good_one_or_a_rotation_list_passes():
    assert "Secret airflow-fernet-key/fernet-key is not 32" in fernet_key_problem("short", SECRET).replace(
        "the Fernet key in ", "")
    keys = [Fernet.generate_key().decode() for _ in range(2)]
    assert fernet_key_problem(keys[0], SECRET) is None
    assert fernet_key_problem(",".join(keys), SECRET) is None


def test_a_dbname_override_shows_the_server_s_reason_not_sqlalchemy_s_link():
    found = diagnose.diagnose(DBNAME_OUTPUT)
    assert found is not None and "?dbname=" in found.meaning
    assert 'database "other" does not exist' in found.line
    assert "Background on this error" not in diagnose.last_error_line(DBNAME_OUTPUT)
    assert "does not exist" in diagnose.last_error_line(DBNAME_OUTPUT)


def test_a_diagnosed_failure_of_a_harness_probe_is_a_failed_check_not_an_error(tmp_path):
    suite = ComponentSuite.__new__(ComponentSuite)
    suite.rec = Recorder(Masker(), tmp_path)
    res = CommandResult("store probe", 1, BAD_FERNET_OUTPUT, 2.0)
    result = suite._failed("fernet-key-stability", res, "storing the encrypted probe failed", "log", outcome="error")
    assert result.outcome == "fail"
    assert "the Fernet key is malformed" in result.summary
    unexplained = suite._failed("x", CommandResult("probe", 1, "Segmentation fault\n", 1.0), "probe", "log",
                                outcome="error")
    assert unexplained.outcome == "error"


def test_a_full_width_at_in_a_password_is_read_as_sqlalchemy_reads_it_and_kept_for_celery():
    """Python's urlsplit refuses the netloc (NFKC), SQLAlchemy's own pattern reads it: no internal error;
    the broker URL keeps its text so the broker check fails it as kombu does."""
    password = "long-pass\uff20word-123"
    payload = {"metadataConnection": f"postgresql://airflow:{password}@db.example:5432/airflow",
               "brokerUrl": f"redis://:{password}@airflow-redis:6379/0"}
    assert inputs.db_login(payload) == inputs.DbLogin("airflow", password, "airflow")
    moved, _notes = inputs.point_at(payload, db=("127.0.0.1", 5000), redis=("127.0.0.1", 6000))
    assert moved["brokerUrl"] == f"redis://:{password}@127.0.0.1:6000/0"
    assert inputs.db_login(moved).password == password
    assert password not in Masker(secret_values(payload)).mask(f"a message with {password} in it")
