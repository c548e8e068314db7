"""Every break that can be seen without a cluster is caught there: the scenario's repository edits (or payload
edits), applied to a copy of fixtures/gitops, make preflight report the rule the scenario names; and every
named counterpart exists in the preflight registry or the component checks."""

from __future__ import annotations

import json
import types
from pathlib import Path

import pytest
import yaml

from e2e import cli, component_checks
from e2e import payload as payload_mod
from e2e.components import chain
from e2e.components.suite import CHECKS, ComponentSuite
from e2e.preflight.registry import RULES
from e2e.scenarios.failures import broker_password_mismatch
from e2e.scenarios.failures.common import component
from e2e.scenarios.plan import repository_changes
from e2e.scenarios.registry import REGISTRY
from e2e.scenarios.steps import GitCommit, VaultPayload
from e2e.scenarios.transforms import apply_payload_edits


def rules_of(scenario) -> tuple[str, ...]:
    """The preflight rule ids a scenario names as its counterparts ("preflight:<id>")."""
    return tuple(c.split(":", 1)[1] for c in scenario.counterparts if c.startswith("preflight:"))


WITH_REPO_EDITS = [s for s in REGISTRY.values() if rules_of(s) and any(isinstance(b, GitCommit) for b in s.break_)]
WITH_PAYLOAD_EDITS = [s for s in REGISTRY.values() if rules_of(s) and any(isinstance(b, VaultPayload)
                                                                          for b in s.break_)]


def preflight_finds(directory: Path, capsys, payload: Path | None = None) -> set[str]:
    argv = ["preflight", str(directory), "--format", "json"] + (["--payload", str(payload)] if payload else [])
    cli.main(argv)
    return {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]}


def test_the_reference_repository_is_clean_of_every_counterpart_rule(gitops_copy, capsys):
    rules = {r for s in REGISTRY.values() for r in rules_of(s)}
    assert not rules & preflight_finds(gitops_copy, capsys)


@pytest.mark.parametrize("scenario", WITH_REPO_EDITS, ids=lambda s: s.name)
def test_the_scenarios_commit_is_caught_by_its_preflight_rule(scenario, gitops_copy, capsys):
    for rel, text in repository_changes(scenario, gitops_copy).items():
        (gitops_copy / rel).write_text(text or "", encoding="utf-8")
    found = preflight_finds(gitops_copy, capsys)
    assert set(rules_of(scenario)) & found, f"{scenario.name}: expected {rules_of(scenario)}, got {found}"


@pytest.mark.parametrize("scenario", WITH_PAYLOAD_EDITS, ids=lambda s: s.name)
def test_the_scenarios_payload_write_is_caught_by_its_preflight_rule(scenario, gitops_copy, tmp_path, capsys):
    good = payload_mod.generate()
    clean_file = tmp_path / "clean.yaml"
    clean_file.write_text(yaml.safe_dump(good), encoding="utf-8")
    assert not set(rules_of(scenario)) & preflight_finds(gitops_copy, capsys, clean_file)
    edits = tuple(e for b in scenario.break_ if isinstance(b, VaultPayload) for e in b.edits)
    broken_file = tmp_path / "broken.yaml"
    broken_file.write_text(yaml.safe_dump(apply_payload_edits(good, edits)), encoding="utf-8")
    found = preflight_finds(gitops_copy, capsys, broken_file)
    assert set(rules_of(scenario)) & found, f"{scenario.name}: expected {rules_of(scenario)}, got {found}"


@pytest.mark.parametrize("scenario", [s for s in REGISTRY.values() if s.counterparts], ids=lambda s: s.name)
def test_every_named_counterpart_exists(scenario):
    for kind_and_name in scenario.counterparts:
        kind, name = kind_and_name.split(":", 1)
        if kind == "preflight":
            assert name in RULES, f"{scenario.name}: no preflight rule {name!r}"
        elif kind == "components":
            assert name in CHECKS, f"{scenario.name}: no component check {name!r}"
        else:
            assert (kind, name) == ("offline", "values_migration_findings")


def test_scenarios_without_an_offline_counterpart_are_the_runtime_only_ones():
    assert {s.name for s in REGISTRY.values() if not s.counterparts} == {"vault-restarted", "secret-pruned-with-owner"}


def test_component_check_names_have_one_owner():
    """The suite runs, the chain registers and the scenarios name the same constants (e2e.component_checks)."""
    assert set(ComponentSuite(None, None)._impl) == set(component_checks.SUITE) and CHECKS == component_checks.SUITE
    assert chain.CHECKS == component_checks.CHAIN
    named = {c.split(":", 1)[1] for s in REGISTRY.values() for c in s.counterparts if c.startswith("components:")}
    assert named <= set(component_checks.SUITE) and named  # by value: the JSON strings (`caught_earlier_by`) kept
    with pytest.raises(LookupError, match="not a component check"):
        component("broker.url-authenticate")


@pytest.mark.parametrize(("right", "misspelt"), [
    ("ids.BROKER_URL", "ids.BROKER_URLS"),
    ("payload_rules.payload_broker_password_mismatch", "payload_rules.payload_broker_password_mismatc"),
])
def test_a_misspelt_counterpart_fails_at_import(right, misspelt):
    source = Path(broker_password_mismatch.__file__).read_text(encoding="utf-8")
    assert right in source
    module = types.ModuleType("misspelt_scenario")
    with pytest.raises(AttributeError, match=misspelt.split(".")[1]):
        exec(compile(source.replace(right, misspelt), "misspelt_scenario.py", "exec"), module.__dict__)
