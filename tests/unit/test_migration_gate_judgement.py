"""The values' createUserJob script is judged as written: its own check-migrations gate, or a missing one."""

from __future__ import annotations

from e2e.components.jobscript import migration_gate, shortened_gate

SCRIPT = "airflow db check-migrations --migration-wait-timeout=300\nairflow users create --role Admin || true\n"


def test_the_gate_is_the_script_s_own_command():
    assert migration_gate(["bash", "-ec", SCRIPT]) == ["airflow", "db", "check-migrations",
                                                       "--migration-wait-timeout=300"]


def test_a_script_without_the_gate_has_none_and_no_default_stands_in():
    assert migration_gate(["bash", "-ec", "airflow users create --role Admin\n"]) is None
    assert migration_gate(["bash", "-ec", "# airflow db check-migrations\nairflow users create\n"]) is None
    assert migration_gate([]) is None


def test_only_the_gate_s_wait_is_shortened_and_the_rest_is_run_as_written():
    out = shortened_gate(["bash", "-ec", SCRIPT], 5)
    assert out == ["bash", "-ec", SCRIPT.replace("=300", "=5")]
    bare = shortened_gate(["bash", "-ec", "exec airflow db check-migrations\nairflow users create\n"], 5)
    assert bare[-1] == "exec airflow db check-migrations --migration-wait-timeout=5\nairflow users create\n"
