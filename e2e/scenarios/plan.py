"""A scenario as a plan: what it will change, what it will wait for, what must hold (the `--dry-run`).

Why offline and computed, not printed from prose: the repository edits are applied to the given GitOps
directory, so the dry run shows the exact diff the commit would carry and fails clearly when a team's own
repository does not have what the scenario edits. Payload edits show fields, never values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e.config import RunConfig
from e2e.masking import Masker
from e2e.scenarios.model import Scenario
from e2e.scenarios.steps import GitCommit
from e2e.scenarios.transforms import unified_diff


def read_files(root: Path, paths: tuple[str, ...]) -> dict[str, str | None]:
    """The texts of these repository paths under `root`; None for a file that is not there."""
    return {rel: (root / rel).read_text(encoding="utf-8") if (root / rel).is_file() else None for rel in paths}


def repository_changes(scenario: Scenario, root: Path) -> dict[str, str | None]:
    """Every file the break's commits change, applied in order to the files under `root` (pure otherwise)."""
    commits = [s for s in scenario.break_ if isinstance(s, GitCommit)]
    original = read_files(root, tuple(dict.fromkeys(p for c in commits for p in c.paths())))
    files = dict(original)
    for commit in commits:
        files.update(commit.changes(files))
    return {p: t for p, t in files.items() if t != original[p]}


def build_plan(scenario: Scenario, config: RunConfig, masker: Masker | None = None) -> dict[str, Any]:
    mask = masker or Masker()
    root = Path(config.gitops_dir)
    changes = repository_changes(scenario, root)
    original = read_files(root, tuple(changes))
    diffs = {p: [mask.mask(line) for line in unified_diff(p, original[p], t)] for p, t in changes.items()}
    return {
        "scenario": scenario.name,
        "entry": scenario.entry,
        "title": scenario.title,
        "reproduces": scenario.reproduces,
        "gitops_dir": str(root),
        "break": [s.describe() for s in scenario.break_],
        "repository_diff": diffs,
        "symptom": {"wait_for": scenario.symptom.lines(), "within_seconds": config.timeout(scenario.symptom_within),
                    "each_look_runs": [p.describe() for p in scenario.probes]},
        "recovery": [s.describe() for s in scenario.recovery],
        "converged": {"wait_for": scenario.converged.lines(),
                      "within_seconds": config.timeout(scenario.converge_within)},
        "invariants": [{"holds": i.describe, "when": i.when} for i in scenario.invariants],
        "caught_earlier_by": list(scenario.counterparts),
        "sources": list(scenario.sources),
        "notes": scenario.notes,
    }


def format_plan(plan: dict[str, Any]) -> str:
    lines = [f"scenario {plan['scenario']}: FAILURES.md {plan['entry']} \"{plan['title']}\"",
             f"  {plan['reproduces']}", "", "1. break (what it will change):"]
    lines += [f"   - {d}".replace("\n", "\n     ") for d in plan["break"]]
    for path, diff in plan["repository_diff"].items():
        lines.append(f"   diff of {path} against {plan['gitops_dir']}:")
        lines += [f"     {line}" for line in diff]
    lines.append(f"2. wait for the symptom (at most {plan['symptom']['within_seconds']:.0f} s):")
    lines += [f"   - {w}" for w in plan["symptom"]["wait_for"]]
    lines += [f"   (each look runs: {p})" for p in plan["symptom"]["each_look_runs"]]
    lines.append("3. recover:")
    lines += [f"   - {d}".replace("\n", "\n     ") for d in plan["recovery"]]
    lines.append(f"4. wait for convergence (at most {plan['converged']['within_seconds']:.0f} s):")
    lines += [f"   - {w}" for w in plan["converged"]["wait_for"]]
    lines.append("5. nothing lost:")
    lines += [f"   - {i['holds']}" for i in plan["invariants"]] or ["   - (no invariant declared)"]
    if plan["caught_earlier_by"]:
        lines.append("caught without a cluster by: " + ", ".join(plan["caught_earlier_by"]))
    if plan["notes"]:
        lines.append(f"note: {plan['notes']}")
    lines.append("sources: " + ", ".join(plan["sources"]))
    return "\n".join(lines)
