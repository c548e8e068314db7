"""The GitHub workflows, checked offline: the vendored workflow JSON schema, actionlint, and our own rules
(actions pinned by SHA, artifacts uploaded even on failure, minimal permissions, timeouts, no input injection)."""

from __future__ import annotations

import importlib.resources
import json
import re
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from e2e.ci.actionlint import ActionlintUnavailable, lint

pytestmark = pytest.mark.unit

WORKFLOWS_DIR = Path(__file__).resolve().parents[3] / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOWS_DIR.glob("*.yml"))
# The commits behind each pinned tag (read from the actions' own repositories).
PINNED = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "actions/upload-artifact": ("bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0"),
    "EnricoMi/publish-unit-test-result-action": ("d0a4676d0e0b938bc201470d88276b7c74c712b3", "v2.24.0"),
}


def load(path: Path) -> dict:
    """YAML 1.2 as GitHub reads it (`on` stays a string key), as plain JSON data."""
    return json.loads(json.dumps(YAML(typ="safe", pure=True).load(path.read_text())))


def validator() -> jsonschema.protocols.Validator:
    """The GitHub workflow schema check-jsonschema vendors."""
    vendor = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    schema = json.loads(vendor.joinpath("github-workflows.json").read_text())
    return jsonschema.validators.validator_for(schema)(schema)


def steps(workflow: dict):
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


def test_the_three_workflows_exist():
    assert {p.name for p in WORKFLOWS} == {"pull-request.yml", "nightly.yml", "pre-upgrade.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_the_github_workflow_schema(path):
    errors = sorted(validator().iter_errors(load(path)), key=str)
    assert [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors] == []


def test_the_schema_check_catches_a_broken_workflow():
    broken = {"on": "push", "jobs": {"x": {"runs-on": "ubuntu-24.04", "stepz": []}}}
    assert list(validator().iter_errors(broken))


def test_actionlint_finds_nothing():
    try:
        which, findings = lint(WORKFLOWS)
    except ActionlintUnavailable as exc:
        pytest.skip(str(exc))
    assert [str(f) for f in findings] == [], which


def test_actionlint_catches_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ github.no_such_thing }}\n")
    try:
        _which, findings = lint([bad])
    except ActionlintUnavailable as exc:
        pytest.skip(str(exc))
    assert any("no_such_thing" in f.message for f in findings)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_by_commit_sha_with_its_version_beside_it(path):
    for line in path.read_text().splitlines():
        match = re.search(r"uses:\s*([\w.-]+/[\w.-]+)@(\S+)(?:\s*#\s*(\S+))?", line)
        if not match:
            continue
        action, ref, comment = match.groups()
        assert action in PINNED, f"unreviewed action {action}"
        assert (ref, comment) == PINNED[action], line.strip()


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_uploads_and_junit_publishing_run_even_when_tests_fail(path):
    always = {"actions/upload-artifact", "EnricoMi/publish-unit-test-result-action"}
    for _job, step in steps(load(path)):
        if step.get("uses", "").split("@")[0] in always:
            assert step.get("if") == "always()", step.get("name")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_permissions_are_minimal_and_jobs_have_timeouts(path):
    workflow = load(path)
    assert workflow["permissions"] == {"contents": "read"}
    assert "group" in workflow["concurrency"]
    for job_id, job in workflow["jobs"].items():
        assert 0 < job["timeout-minutes"] <= 120, job_id
        assert set(job.get("permissions", {"contents": "read"}).items()) <= {("contents", "read"), ("checks", "write")}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_expression_is_pasted_into_a_shell_script(path):
    """Inputs and matrix values reach `run:` through env, never as `${{ }}` text (script injection)."""
    for job_id, step in steps(load(path)):
        assert "${{" not in step.get("run", ""), f"{job_id}: {step.get('name')}"


def test_test_jobs_publish_junit_and_upload_artifacts():
    for path in WORKFLOWS:
        for job_id, job in load(path)["jobs"].items():
            uses = {s.get("uses", "").split("@")[0] for s in job.get("steps", [])}
            runs_tests = any("pytest" in s.get("run", "") or "e2e.ci.rerun" in s.get("run", "") for s in job["steps"])
            if runs_tests:
                assert {"actions/upload-artifact", "EnricoMi/publish-unit-test-result-action"} <= uses, job_id


def test_nightly_matrix_comes_from_versions_py_and_scenarios_are_sharded():
    nightly = load(WORKFLOWS_DIR / "nightly.yml")
    assert set(nightly["on"]) == {"schedule", "workflow_dispatch"}
    assert nightly["jobs"]["cluster"]["strategy"]["matrix"] == "${{ fromJSON(needs.versions.outputs.matrix) }}"
    assert "python -m e2e.ci.matrix --github-output" in nightly["jobs"]["versions"]["steps"][-1]["run"]
    scenario_run = next(s["run"] for s in nightly["jobs"]["scenarios"]["steps"] if "e2e.ci.rerun" in s.get("run", ""))
    assert '--e2e-shard "$SHARD"' in scenario_run and "-m recovery" in scenario_run
    assert nightly["jobs"]["scenarios"]["strategy"]["matrix"]["shard"] == [1, 2, 3]


def test_pre_upgrade_takes_a_chart_version_and_a_repository_path():
    pre = load(WORKFLOWS_DIR / "pre-upgrade.yml")
    inputs = pre["on"]["workflow_dispatch"]["inputs"]
    assert inputs["chart_version"]["required"] is True and "gitops_dir" in inputs
    text = (WORKFLOWS_DIR / "pre-upgrade.yml").read_text()
    assert '--e2e-gitops-dir "$GITOPS_DIR"' in text and '--e2e-upgrade-from "$UPGRADE_FROM"' in text


def test_pull_requests_run_preflight_plan_unit_and_components():
    text = (WORKFLOWS_DIR / "pull-request.yml").read_text()
    for command in ("airflow-e2e preflight fixtures/gitops", "airflow-e2e plan", "tests/unit -n auto",
                    "e2e/suites/components"):
        assert command in text
