"""`airflow-e2e test` (and every command that takes the same inputs): bad input is one line and exit 2 before
anything runs; a phase is judged from its JUnit, where a skip is never a pass; the option table renders a
RunConfig into the suite's pytest options. Duplicate keys and an Application without metadata.name are
preflight rules (tests/unit/preflight/test_preflight_rules.py); an unreadable vault/policies is
tests/unit/untrusted/test_unreadable_policies.py."""

from __future__ import annotations

import pytest

from e2e import tiers
from e2e.cli import main
from e2e.config import DEFAULT_GITOPS_DIR, RunConfig
from e2e.options import to_pytest_args

pytestmark = pytest.mark.unit
HOSTILE = "x; rm -rf /"


@pytest.mark.parametrize(("argv", "env", "says"), [
    (["test", "/nonexistent", "--tier", "preflight"], {}, "DIR: /nonexistent: no such directory"),
    (["test", "--tier", "preflight", "--chart-version", "9.9.9"], {}, "--chart-version: unknown chart version 9.9.9"),
    (["test", "--tier", "preflight", "--dags-dir", "/nonexistent"], {}, "--dags-dir: /nonexistent: no such"),
    (["test", "--tier", "preflight"], {"AIRFLOW_E2E_TIMEOUT_MULTIPLIER": "abc"},
     "environment AIRFLOW_E2E_TIMEOUT_MULTIPLIER: 'abc' is not a number"),
    (["test", "--tier", "preflight", "--timeout-multiplier", "0"], {}, "--timeout-multiplier: 0 is not a positive"),
    (["components", "--only", ""], {}, "--only '': names no check"),
    # a home directory that does not exist (a path option or $KUBECONFIG starting with ~user)
    (["test", "--tier", "preflight"], {"KUBECONFIG": "~no-such-user/config"},
     "environment KUBECONFIG: ~no-such-user/config: no such user's home directory"),
    (["test", "~no-such-user/repo", "--tier", "preflight"], {}, "DIR: ~no-such-user/repo: no such user's home"),
    (["up", "--artifacts", "~no-such-user/a"], {}, "--artifacts: ~no-such-user/a: no such user's home directory"),
    # issue 16 item 10, the validation gaps that misled: refused in every command that takes the input
    (["plan", "--output", "out"], {"AIRFLOW_E2E_CHART_VERSION": HOSTILE},
     f"environment AIRFLOW_E2E_CHART_VERSION: unknown chart version {HOSTILE}"),
    (["components", "--only", "broker"], {"AIRFLOW_E2E_CHART_VERSION": HOSTILE},
     f"environment AIRFLOW_E2E_CHART_VERSION: unknown chart version {HOSTILE}"),
    (["scenario", "chart-upgrade", "--dry-run", "--chart-version", HOSTILE], {}, f"unknown chart version {HOSTILE}"),
    (["components", "--chart-version", "9.9.9", "--only", "broker"], {},
     "--chart-version: unknown chart version 9.9.9"),
    (["components", "--only", " , "], {}, "names no check"),
    (["components", "--dags-dir", "/nonexistent", "--only", "broker"], {}, "--dags-dir: /nonexistent: no such"),
    (["plan", "--dags-dir", "/nonexistent", "--output", "out"], {}, "--dags-dir: /nonexistent: no such"),
    (["preflight", "/nonexistent-dir"], {}, "/nonexistent-dir: no such directory"),
    (["report", "/nonexistent.json"], {}, "/nonexistent.json: no such timeline file"),
])
def test_bad_input_is_one_line_and_exit_2(argv, env, says, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert says in err and err.count("\n") == 1 and out == ""
    assert list(tmp_path.iterdir()) == []  # refused before anything was written


def test_a_phase_with_a_skip_is_not_a_pass(tmp_path):
    junit = tmp_path / "j.xml"
    junit.write_text('<testsuites><testsuite><testcase classname="a" name="ok"/>'
                     '<testcase classname="a" name="later"><skipped message="no Docker"/></testcase>'
                     '<testcase classname="a" name="bad"><failure message="boom&#10;more"/></testcase>'
                     '</testsuite></testsuites>')
    passed, failed, skipped, notes = tiers.read_junit(junit)
    assert (passed, failed, skipped) == (1, 1, 1)
    assert "SKIPPED a::later: no Docker" in notes and "FAILED a::bad: boom" in notes


def test_the_suite_gets_the_resolved_run_as_prefixed_options():
    config = RunConfig.resolve({"chart_version": "1.22.0", "upgrade_from": "1.21.0", "node_image": "1.35"},
                               run_id="e2e-x")
    argv = to_pytest_args(config)
    pairs = dict(zip(argv[::2], argv[1::2], strict=False))
    assert pairs["--e2e-chart-version"] == "1.22.0" and pairs["--e2e-upgrade-from"] == "1.21.0"
    assert pairs["--e2e-kubernetes"] == "1.35" and pairs["--e2e-run-id"] == "e2e-x"
    assert pairs["--e2e-gitops-dir"] == str(DEFAULT_GITOPS_DIR)
    assert all(flag.startswith("--e2e-") for flag in argv[::2])


def test_precedence_defaults_then_repository_then_environment_then_options(tmp_path):
    assert RunConfig.resolve({}, environ={}).chart_version == "1.21.0"  # the reference pins it
    assert RunConfig.resolve({}, environ={"AIRFLOW_E2E_CHART_VERSION": "1.22.0"}).chart_version == "1.22.0"
    assert RunConfig.resolve({"chart_version": "1.20.0"},
                             environ={"AIRFLOW_E2E_CHART_VERSION": "1.22.0"}).chart_version == "1.20.0"


def test_the_cluster_tier_without_a_cluster_is_one_sentence_and_exit_2(capsys, monkeypatch, tmp_path):
    from e2e.cluster.fixtures import unavailable_reason

    if unavailable_reason(RunConfig()) is None:
        pytest.skip("a cluster can be had here: this test is about machines without one")
    monkeypatch.chdir(tmp_path)
    assert main(["test", "--tier", "cluster"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "the cluster tier cannot run here" in err


FAKE_SUITE = {"test_a.py": "def test_one():\n    print('ONE RAN')\n\ndef test_two():\n    assert False\n",
              "test_b.py": "def test_three():\n    assert False\n"}


def test_a_selection_runs_only_the_named_tests_and_its_output_goes_where_asked(tmp_path):
    suite = tmp_path / "suite"
    suite.mkdir()
    for name, text in FAKE_SUITE.items():
        (suite / name).write_text(text)
    config = RunConfig(artifacts_dir=tmp_path / "artifacts")
    said: list[str] = []
    with open(tmp_path / "pytest-output.txt", "w") as output:
        code = tiers.run_tier(config, "components", say=said.append, suites={"components": suite},
                              select=["test_a.py::test_one"], extra=["-s"], stdout=output)
    assert code == 0  # test_two and test_three would fail: they were not run
    assert tiers.read_junit(tmp_path / "artifacts" / "junit" / "components.xml")[:3] == (1, 0, 0)
    assert "ONE RAN" in (tmp_path / "pytest-output.txt").read_text()
    assert any("components: passed: 1 passed" in line for line in said)


def test_the_suite_argv_is_the_selection_inside_the_suite_and_no_suite_runs_on_xdist_workers(tmp_path):
    from e2e import suites

    config = RunConfig(artifacts_dir=tmp_path)
    whole = tiers.suite_argv(suites.COMPONENTS, config, tmp_path / "j.xml", tmp_path / "ci")
    assert str(suites.COMPONENTS) in whole and "-n" not in whole  # measured: xdist does not help on 2 cores
    assert "--benchmark-disable" in whole  # a tier run measures nothing (a cold chain benchmark builds a venv)
    selected = tiers.suite_argv(suites.COMPONENTS, config, tmp_path / "j.xml", tmp_path, select=["test_broker.py"])
    assert f"{suites.COMPONENTS}/test_broker.py" in selected and str(suites.COMPONENTS) not in selected
