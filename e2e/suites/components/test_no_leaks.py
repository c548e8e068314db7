"""Nothing the tier wrote (logs, JSON, CLI output, temp files, server logs) holds a payload value."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e import payload as payload_mod
from e2e.components.results import to_document, write_json
from e2e.masking import Masker

pytestmark = pytest.mark.components

ALL_CHECKS_THAT_WRITE = ("user-job.second-run-idempotent", "user-job.broken-connection-fails-visibly",
                         "migration.check-fails-before-migrate", "git-sync.refuses-wrong-host-key",
                         "broker.url-authenticates", "fernet-key-stability")


def _files(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def test_nothing_the_tier_wrote_holds_a_payload_value(component_suite, upgrade_suite, component_stack):
    results = [component_suite.result(name) for name in ALL_CHECKS_THAT_WRITE] + [upgrade_suite.result("chart-upgrade")]
    write_json(component_stack.artifacts / "results.json",
               to_document(results, {"notes": component_stack.notes}, component_stack.masker))
    detector = Masker(payload_mod.secret_values(component_stack.original_payload, component_stack.payload))
    detector.add(component_suite.generated + upgrade_suite.generated)  # probe passwords, other Fernet keys
    assert component_suite.generated and upgrade_suite.generated, "the Fernet and upgrade checks made no secrets"
    texts = {str(p): p.read_text(errors="replace") for p in _files(component_stack.artifacts, component_stack.workdir)}
    texts.update({f"server log {name}": text for name, text in component_stack.server_logs().items()})
    build_log = component_stack.venv.path.parent / f"{component_stack.venv.path.name}.build.log"
    if build_log.is_file():
        texts[str(build_log)] = build_log.read_text(errors="replace")
    assert any("logs/" in name for name in texts), "the tier wrote no logs: nothing was scanned"
    leaks = {name: detector.leaks(text) for name, text in texts.items() if detector.leaks(text)}
    assert leaks == {}
