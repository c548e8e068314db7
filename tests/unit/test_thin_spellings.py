"""`airflow-e2e components` and `airflow-e2e scenario NAME` are thin spellings of `airflow-e2e test`: they hand
the tier runner a phase and a selection inside the shipped suite, and the selection names tests that exist.
The options docs/components.md, scenarios.md and team.md document are the commands' own."""

from __future__ import annotations

import re

import pytest

from e2e import suites, tiers
from e2e.cli import build_parser, main
from e2e.commands import components, scenario
from e2e.components.results import merge
from e2e.config import REPO_ROOT
from e2e.errors import UnusableInput
from e2e.scenarios.registry import REGISTRY

pytestmark = pytest.mark.unit


def test_only_names_the_suite_modules_of_the_checks_or_groups_plus_the_leak_scan():
    assert components.selected_modules("broker, git-sync.refuses-wrong-host-key") == \
        ["test_broker.py", "test_gitsync.py", "test_no_leaks.py"]
    assert components.selected_modules(None) == []  # the whole suite


def test_every_only_selector_is_a_module_of_the_shipped_component_suite():
    for module in [*components.MODULES.values(), components.ALWAYS]:
        assert (suites.COMPONENTS / module).is_file(), module


@pytest.mark.parametrize(("text", "says"), [
    ("brokr", "no such check or group: brokr"),
    (" , ", "names no check"),
])
def test_an_unknown_or_empty_selection_is_one_line(text, says):
    with pytest.raises(UnusableInput, match=says) as refused:
        components.selected_modules(text)
    assert "\n" not in str(refused.value)


def test_a_live_scenario_is_the_cluster_tier_with_its_recovery_test_selected(monkeypatch, capsys):
    import e2e.cluster.fixtures as cluster_fixtures

    handed = {}
    monkeypatch.setattr(cluster_fixtures, "unavailable_reason", lambda config: None)
    monkeypatch.setattr(tiers, "run_tier", lambda config, tier, **kw: handed.update(tier=tier, **kw) or 1)
    assert main(["scenario", "secrets-after-pods", "--cluster", "existing"]) == 1  # the tier's own exit code
    assert handed["tier"] == "cluster"
    assert handed["select"] == ["test_scenarios.py::test_scenario_recovers[secrets-after-pods]"]


def test_the_selected_scenario_test_exists_for_every_scenario():
    from e2e.suites.cluster import test_scenarios

    text = suites.SCENARIO_TESTS.read_text()
    assert f"def {scenario.TEST_NAME}(" in text
    assert set(REGISTRY) <= set(test_scenarios.ORDER)
    assert (suites.CLUSTER / scenario.selection("x").split("::")[0]) == suites.SCENARIO_TESTS


def test_results_of_several_sessions_merge_into_one_document_in_report_order():
    def doc(*checks, notes=("n",)):
        return {"schema": "airflow-e2e/components/v1", "airflow_version": "3.2.1", "notes": list(notes),
                "summary": {}, "results": [{"check": c, "outcome": o} for c, o in checks]}

    merged = merge([doc(("b", "pass"), ("z-extra", "error")), doc(("a", "fail"), notes=("n", "m"))],
                   ("a", "b"))
    assert [r["check"] for r in merged["results"]] == ["a", "b", "z-extra"]
    assert merged["summary"] == {"pass": 1, "fail": 1, "error": 1}
    assert merged["notes"] == ["n", "m"] and merged["schema"] == "airflow-e2e/components/v1"
    assert merge([], ("a",))["summary"] == {"pass": 0, "fail": 0, "error": 0}


def _options_of(command: str) -> set[str]:
    sub = build_parser()._subparsers._group_actions[0].choices[command]
    return {flag for action in sub._actions for flag in action.option_strings}


@pytest.mark.parametrize(("doc", "start", "end", "command", "rows_only"), [
    ("components.md", "## Usage", "## The checks", "components", True),
    ("scenarios.md", "| `--list`", "Exit codes:", "scenario", True),
    ("team.md", "## `airflow-e2e test", "## The GitHub Action", "test", False),
])
def test_every_option_a_doc_documents_is_one_the_command_accepts(doc, start, end, command, rows_only):
    """The flags a doc's options table (its rows' first cells) or section names are the command's own."""
    text = (REPO_ROOT / "docs" / doc).read_text()
    section = text[text.index(start):text.index(end)]
    cells = [row.split(" | ")[0] for row in section.splitlines() if row.startswith("| `")] if rows_only else [section]
    documented = {flag for cell in cells for flag in re.findall(r"`(--[a-z-]+)", cell)}
    assert documented and documented <= _options_of(command), documented - _options_of(command)


def test_the_only_selectors_docs_components_md_lists_are_the_commands():
    text = (REPO_ROOT / "docs" / "components.md").read_text()
    row = next(line for line in text.splitlines() if line.startswith("| `--only`"))
    listed = re.findall(r"`([a-z-]+)`", row.split(" | ", 1)[1].split("or full check names")[0])
    assert set(listed) == set(components.MODULES)
