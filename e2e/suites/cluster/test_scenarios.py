"""Every reported failure (FAILURES.md), reproduced on the live stack and watched until it recovers.

One test per scenario in the registry: break it as an operator would, see the symptom, recover, converge
within the bound, nothing lost. Without a cluster the `stack` fixture skips with one clear reason.
"""

from __future__ import annotations

import json
import time

import pytest

from e2e import versions
from e2e.scenarios import history, registry, runner
from e2e.scenarios.layout import Layout

# chart-upgrade leaves the stack on the new chart (there is nothing to undo), so it runs last in a session
ORDER = sorted(registry.names(), key=lambda name: name == "chart-upgrade")


@pytest.mark.recovery
@pytest.mark.parametrize("name", ORDER)
def test_scenario_recovers(name, stack, operator, recorder, artifacts_dir):
    upgrade_to = stack.config.upgrade_to or versions.LATEST_CHART  # --e2e-upgrade-to, from the option table
    scenario = registry.get(name, stack.repo, upgrade_to=upgrade_to, config=stack.config)
    if name == "chart-upgrade" and operator.live_chart_version() == upgrade_to:
        pytest.skip(f"chart-upgrade: the stack already runs chart {upgrade_to}; nothing newer to upgrade to")
    started = time.time()
    lines: list[str] = []
    try:
        result = runner.run(scenario, stack, log=lines.append)
    except runner.ScenarioFailed as exc:
        _save(artifacts_dir, stack, exc.result.to_json(), lines, recorder)
        raise
    _save(artifacts_dir, stack, result.to_json(), lines, recorder)
    if name == "secrets-after-pods":
        secrets = Layout.from_repository(stack.repo, stack.config).secrets
        verdict = history.pods_first_then_secrets(recorder.timeline(), started, stack.config.airflow_namespace,
                                                  secrets)
        assert verdict.ok, verdict.masked(stack.masker).explain()


def _save(out, stack, result: dict, lines: list[str], recorder) -> None:
    (out / "scenario.json").write_text(stack.masker.mask(json.dumps(result, indent=2)), encoding="utf-8")
    (out / "scenario.log").write_text(stack.masker.mask("\n".join(lines)) + "\n", encoding="utf-8")
    recorder.timeline().save(out / "timeline.json")
