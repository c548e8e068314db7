"""The composite Action a team uses (action.yml) and the documented team workflow (docs/examples/team-e2e.yml),
checked offline like the harness's own workflows: the vendored schemas, actionlint (the example run against
this action.yml; its inputs are checked against action.yml here), pinned actions, no expression in a script."""

from __future__ import annotations

import importlib.resources
import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from test_ci_workflows import PINNED, load, validator

from e2e.ci.actionlint import ActionlintUnavailable, lint
from e2e.config import REPO_ROOT

pytestmark = pytest.mark.unit

ACTION = REPO_ROOT / "action.yml"
EXAMPLE = REPO_ROOT / "docs" / "examples" / "team-e2e.yml"
HARNESS_USE = re.compile(r"uses:\s*OWNER/airflow-gitops-e2e@[0-9a-f]{40}.*")


def action_schema() -> dict:
    vendor = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    return json.loads(vendor.joinpath("github-actions.json").read_text())


def test_the_action_matches_the_github_action_schema_and_is_composite():
    action = load(ACTION)
    schema = action_schema()
    errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(action))
    assert [e.message for e in errors] == []
    assert action["runs"]["using"] == "composite"
    assert {"directory", "tier", "chart-version", "upgrade-from"} <= set(action["inputs"])


def test_the_action_runs_the_one_command_and_uploads_even_on_failure():
    steps = load(ACTION)["runs"]["steps"]
    assert any("airflow-e2e" in s.get("run", "") and "test" in s.get("run", "") for s in steps)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["if"] == "always()"


def test_the_action_pastes_no_expression_into_a_script_and_pins_every_action():
    for step in load(ACTION)["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")
    for line in ACTION.read_text().splitlines():
        match = re.search(r"uses:\s*([\w.-]+/[\w.-]+)@(\S+)(?:\s*#\s*(\S+))?", line)
        if match:
            action, ref, comment = match.groups()
            assert (ref, comment) == PINNED[action], line.strip()


def test_the_team_workflow_matches_the_workflow_schema_and_uses_the_action():
    workflow = load(EXAMPLE)
    assert list(validator().iter_errors(workflow)) == []
    assert HARNESS_USE.search(EXAMPLE.read_text())
    assert {"schedule", "workflow_dispatch"} <= set(workflow["on"])
    assert {"chart_version", "upgrade_from"} <= set(workflow["on"]["workflow_dispatch"]["inputs"])


def _linted_copy(tmp_path: Path, text: str) -> Path:
    """The example in a repository whose root is this action (`uses: ./`), as actionlint can lint it."""
    shutil.copy(ACTION, tmp_path / "action.yml")
    (tmp_path / ".git").mkdir()  # actionlint finds the repository root (and so `./`) by its .git
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    target = workflows / "team-e2e.yml"
    target.write_text(HARNESS_USE.sub("uses: ./", text))
    return target


def test_actionlint_finds_nothing_in_the_team_workflow(tmp_path):
    target = _linted_copy(tmp_path, EXAMPLE.read_text())
    try:
        which, findings = lint([target])
    except ActionlintUnavailable as exc:
        pytest.skip(str(exc))
    assert [str(f) for f in findings] == [], which


def test_the_team_workflow_passes_only_inputs_the_action_has():
    """actionlint's wasm build cannot read a local action's metadata, so the inputs are checked here."""
    inputs = load(ACTION)["inputs"]
    uses = [step for job in load(EXAMPLE)["jobs"].values() for step in job["steps"]
            if "airflow-gitops-e2e" in step.get("uses", "")]
    assert uses
    for step in uses:
        assert set(step.get("with", {})) <= set(inputs)
        assert {name for name, spec in inputs.items() if spec.get("required")} <= set(step.get("with", {}))
