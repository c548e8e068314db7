"""Nothing the tier wrote (logs, JSON, CLI output, temp files, server logs) holds a payload value."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e.components import fernet_stability, upgrade_path
from e2e.components.results import write_results
from e2e.masking import Masker, secret_values

pytestmark = pytest.mark.components


def _files(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def test_nothing_the_tier_wrote_holds_a_payload_value(group, component_suite, upgrade_suite, component_stack):
    """Runs last in its group (conftest.py): scans what this process's tests wrote, with every secret it knows."""
    write_results(component_stack, component_suite.results())
    if upgrade_suite.results():
        write_results(component_stack, upgrade_suite.results(), name="results-upgrade.json")
    ran = {r.check for r in component_suite.results() + upgrade_suite.results()}
    detector = Masker(secret_values(component_stack.original_payload, component_stack.payload))
    detector.add(component_suite.generated + upgrade_suite.generated)  # probe passwords, other Fernet keys
    if fernet_stability.NAME in ran:
        assert component_suite.generated, "the Fernet check made no secrets: the scan would not know them"
    if upgrade_path.NAME in ran:
        assert upgrade_suite.generated, "the upgrade check made no secrets: the scan would not know them"
    texts = {str(p): p.read_text(errors="replace") for p in _files(component_stack.artifacts, component_stack.workdir)}
    texts.update({f"server log {name}": text for name, text in component_stack.server_logs().items()})
    if component_stack.venv is not None:
        build_log = component_stack.venv.path.parent / f"{component_stack.venv.path.name}.build.log"
        if build_log.is_file():
            texts[str(build_log)] = build_log.read_text(errors="replace")
    assert ran, "no check ran in this process: nothing to scan"
    assert any(name.endswith("results.json") for name in texts), "results.json was not scanned"
    if ran - {"broker.url-authenticates"}:  # every other check keeps its command's output under logs/
        assert any("logs/" in name for name in texts), "the tier wrote no logs: nothing was scanned"
    leaks = {name: detector.leaks(text) for name, text in texts.items() if detector.leaks(text)}
    assert leaks == {}
