"""`airflow-e2e scenario`: the list, the offline plan of every scenario, and clear one-line refusals."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from e2e.scenarios.registry import REGISTRY

from .recording_stack import ROOT

REQUIRED = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16}


def test_list_names_every_scenario_with_its_failures_entry(scenario_cli):
    code, out, _ = scenario_cli("--list")
    assert code == 0
    for scenario in REGISTRY.values():
        assert scenario.name in out
    assert re.search(r"^secrets-after-pods +1  Secrets land after the pods$", out, re.M)


def test_list_as_json_covers_the_required_failures_entries(scenario_cli):
    code, out, _ = scenario_cli("--list", "--format", "json")
    rows = json.loads(out)["scenarios"]
    assert code == 0 and {r["entry"] for r in rows} >= REQUIRED
    assert len({r["name"] for r in rows}) == len(rows)


@pytest.mark.parametrize("name", list(REGISTRY))
def test_dry_run_prints_what_it_changes_and_what_it_waits_for(name, scenario_cli):
    code, out, err = scenario_cli(name, "--dry-run")
    assert code == 0, err
    assert f"scenario {name}: FAILURES.md {REGISTRY[name].entry}" in out
    for section in ("1. break (what it will change):", "2. wait for the symptom", "3. recover:",
                    "4. wait for convergence", "5. nothing lost:"):
        assert section in out
    for step in REGISTRY[name].break_:
        assert step.describe().splitlines()[0] in out


@pytest.mark.parametrize("name", list(REGISTRY))
def test_dry_run_json_has_the_plan_fields(name, scenario_cli):
    code, out, _ = scenario_cli(name, "--dry-run", "--format", "json")
    plan = json.loads(out)
    assert code == 0 and plan["scenario"] == name
    assert plan["symptom"]["wait_for"] and plan["converged"]["wait_for"] and plan["break"]
    assert plan["symptom"]["within_seconds"] > 0


def test_dry_run_shows_the_exact_diff_of_the_commit(scenario_cli):
    _, out, _ = scenario_cli("kv2-policy-without-data", "--dry-run")
    assert '-path "secret/data/airflow/*" {' in out and '+path "secret/airflow/*" {' in out


def test_dry_run_names_payload_fields_never_the_values_written(scenario_cli):
    _, out, _ = scenario_cli("userjob-broken-connection", "--dry-run")
    break_section = out.split("1. break")[1].split("2. wait")[0]
    assert "payload metadataConnection: the same URL with a wrong password" in break_section
    assert "not-the-db-password" not in out and "postgresql://" not in out


def test_timeout_multiplier_scales_the_bounds(scenario_cli):
    _, out, _ = scenario_cli("values-in-directory-source", "--dry-run", "--format", "json",
                    "--timeout-multiplier", "2.5")
    plan = json.loads(out)
    assert plan["symptom"]["within_seconds"] == 2.5 * REGISTRY["values-in-directory-source"].symptom_within


def test_chart_upgrade_plan_uses_the_requested_version(scenario_cli):
    _, out, _ = scenario_cli("chart-upgrade", "--dry-run", "--chart-version", "1.22.0")
    assert "+      targetRevision: 1.22.0" in out


def policy_without_data(repo: Path) -> None:
    (repo / "vault/policies/airflow-secret-read.hcl").write_text('path "secret/airflow/*" {\n  capabilities = '
                                                                 '["read"]\n}\n', encoding="utf-8")


def chart_already_upgraded(repo: Path) -> None:
    app = repo / "argocd/apps/airflow.yaml"
    app.write_text(app.read_text().replace("targetRevision: 1.21.0", "targetRevision: 1.22.0"), encoding="utf-8")


SEED = str(ROOT / "fixtures" / "seed-as-written")
# (the arguments, "{copy}" standing for a copy of fixtures/gitops; what is done to the copy first; what the one
#  line on stderr says)
UNUSABLE = {
    "an edit that does not apply to the repository": (
        ("kv2-policy-without-data", "--dry-run", "--gitops-dir", "{copy}"), policy_without_data,
        'does not contain \'path "secret/data/airflow/*"\''),
    "a repository already broken the same way": (
        ("chart-upgrade", "--dry-run", "--gitops-dir", "{copy}"), chart_already_upgraded, "nothing to commit"),
    "an unknown scenario": (("no-such-failure", "--dry-run"), None, "unknown scenario 'no-such-failure'"),
    "no name and no --list": ((), None, "--list"),
    "a missing --gitops-dir": (("secrets-after-pods", "--dry-run", "--gitops-dir", "{copy}/absent"), None,
                               "no such directory"),
    "the seed as written already lacks directory.exclude": (
        ("values-in-directory-source", "--dry-run", "--gitops-dir", SEED), None,
        "spec.source.directory is not set, nothing to remove"),
    "the seed as written already has the placeholder known host": (
        ("gitsync-wrong-host-key", "--dry-run", "--gitops-dir", SEED), None,
        "the repository already says this; nothing to commit"),
}


@pytest.mark.parametrize(("argv", "edit", "says"), UNUSABLE.values(), ids=list(UNUSABLE))
def test_unusable_input_is_one_line_and_exit_2(argv, edit, says, gitops_copy, scenario_cli):
    if edit:
        edit(gitops_copy)
    code, out, err = scenario_cli(*(a.format(copy=gitops_copy) for a in argv))
    assert (code, out, err.count("\n")) == (2, "", 1) and says in err, err


def test_a_live_run_without_a_cluster_is_one_sentence_and_non_zero(tmp_path, scenario_cli):
    code, out, err = scenario_cli("secrets-after-pods", "--cluster", "existing", "--kubeconfig",
                                  str(tmp_path / "no-kubeconfig"))
    assert code != 0 and out == ""
    assert err.count("\n") == 1 and "no cluster to run secrets-after-pods on" in err and "--dry-run" in err
    assert "Traceback" not in err
