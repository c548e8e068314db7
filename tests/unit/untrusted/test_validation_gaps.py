"""Issue 16 item 10, the validation gaps that misled: each is one line and exit 2 before anything runs, in every
command that takes the input (the `test` command's own cases are in tests/unit/test_test_command.py; duplicate
keys and an Application without metadata.name are preflight rules, tests/unit/preflight/test_preflight_rules.py;
an unreadable vault/policies is test_unreadable_policies.py)."""

from __future__ import annotations

import pytest

from e2e.cli import main

pytestmark = pytest.mark.unit
HOSTILE = "x; rm -rf /"


@pytest.mark.parametrize(("argv", "env", "says"), [
    (["plan", "--output", "out"], {"AIRFLOW_E2E_CHART_VERSION": HOSTILE},
     f"environment AIRFLOW_E2E_CHART_VERSION: unknown chart version {HOSTILE}"),
    (["components", "--only", "broker"], {"AIRFLOW_E2E_CHART_VERSION": HOSTILE},
     f"environment AIRFLOW_E2E_CHART_VERSION: unknown chart version {HOSTILE}"),
    (["scenario", "chart-upgrade", "--dry-run", "--chart-version", HOSTILE], {},
     f"unknown chart version {HOSTILE}"),
    (["components", "--chart-version", "9.9.9", "--only", "broker"], {},
     "--chart-version: unknown chart version 9.9.9"),
    (["components", "--only", ""], {}, "--only '': names no check"),
    (["components", "--only", " , "], {}, "names no check"),
    (["components", "--dags-dir", "/nonexistent", "--only", "broker"], {}, "--dags-dir: /nonexistent: no such"),
    (["plan", "--dags-dir", "/nonexistent", "--output", "out"], {}, "--dags-dir: /nonexistent: no such"),
])
def test_a_bad_option_is_one_line_and_exit_2_before_anything_runs(argv, env, says, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(argv) == 2
    _, err = capsys.readouterr()
    assert says in err and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []
