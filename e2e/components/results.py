"""Check results as data: results.json (schema airflow-e2e/components/v1), which other tiers and reports reuse.

Why masked at creation: a CheckResult is built through `Recorder`, which masks every evidence line and writes
each command's full (masked) output to the artifacts folder, so no caller can print an unmasked result.
The suite's session writes one results.json per stack (per pytest-xdist worker); `merge` makes them one.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from e2e.masking import Masker

if TYPE_CHECKING:
    from e2e.components.stack import ComponentStack

Outcome = Literal["pass", "fail", "error"]
SCHEMA = "airflow-e2e/components/v1"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass
class CheckResult:
    check: str
    outcome: Outcome
    seconds: float
    summary: str
    evidence: list[str] = field(default_factory=list)
    failure: str | None = None  # the FAILURES.md entry this outcome is, when it is a known one
    log: str | None = None  # artifacts-relative path of the full masked output

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 2)
        return data


class Recorder:
    """Masks evidence and keeps full command output (masked) under `<artifacts>/logs/`."""

    def __init__(self, masker: Masker, artifacts: Path) -> None:
        self.masker = masker
        self.artifacts = artifacts
        (artifacts / "logs").mkdir(parents=True, exist_ok=True)

    def keep_log(self, check: str, title: str, output: str) -> str:
        rel = f"logs/{_SAFE_NAME.sub('_', check)}.log"
        with open(self.artifacts / rel, "a", encoding="utf-8") as handle:
            handle.write(f"===== {title}\n{self.masker.mask(output)}\n")
        return rel

    def result(self, check: str, outcome: Outcome, seconds: float, summary: str, evidence: list[str] | None = None,
               failure: str | None = None, log: str | None = None) -> CheckResult:
        return CheckResult(check, outcome, seconds, self.masker.mask(summary),
                           [self.masker.mask(line) for line in (evidence or [])], failure, log)


def to_document(results: list[CheckResult], meta: dict[str, Any], masker: Masker) -> dict[str, Any]:
    counts = {o: sum(1 for r in results if r.outcome == o) for o in ("pass", "fail", "error")}
    return masker.mask_data({"schema": SCHEMA, **meta, "summary": counts, "results": [r.to_json() for r in results]})


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def write_results(stack: ComponentStack, results: list[CheckResult], name: str = "results.json") -> Path:
    """The session's results with what they ran on (versions, notes, the folder of their masked logs)."""
    inputs = stack.inputs
    meta = {"gitops_dir": str(stack.options.gitops_dir), "chart_version": inputs.chart_version,
            "airflow_version": inputs.airflow_version, "airflow_version_source": inputs.version_source,
            "notes": stack.notes, "artifacts": str(stack.artifacts)}
    path = stack.artifacts / name
    write_json(path, to_document(results, meta, stack.masker))
    return path


def merge(documents: list[dict[str, Any]], order: tuple[str, ...]) -> dict[str, Any]:
    """One document from the sessions' (xdist workers, the upgrade's): results in `order`, counts summed."""
    if not documents:
        return {"schema": SCHEMA, "notes": [], "summary": {"pass": 0, "fail": 0, "error": 0}, "results": []}
    rank = {name: i for i, name in enumerate(order)}
    results = sorted((r for d in documents for r in d["results"]), key=lambda r: rank.get(r["check"], len(rank)))
    merged = {k: v for d in reversed(documents) for k, v in d.items()}
    merged["notes"] = list(dict.fromkeys(n for d in documents for n in d.get("notes", [])))
    merged["summary"] = {o: sum(1 for r in results if r["outcome"] == o) for o in ("pass", "fail", "error")}
    merged["results"] = results
    return merged
