"""Keep what a cluster test saw: timeline.json, verdicts.json, report.html and checks.xml in its artifacts dir.

Why every test: a failed nightly run must be inspectable and re-checkable later (`airflow-e2e report
artifacts/<test>/timeline.json`), and the report is the first thing a reader opens.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from e2e.checks.verdict import Verdict
from e2e.masking import Masker
from e2e.observe.timeline import Timeline
from e2e.report import junit
from e2e.report.html import write_report
from e2e.report.summary import durations


def keep(out_dir: Path, timeline: Timeline, verdicts: Sequence[Verdict], masker: Masker, *, title: str,
         versions: Mapping[str, Any] | None = None) -> Path:
    """Write the four files; returns the report's path. Everything is masked on the way out."""
    out_dir.mkdir(parents=True, exist_ok=True)
    judged = [v.masked(masker).to_json() for v in verdicts]
    saved = Timeline(events=list(timeline.events), metadata={**timeline.metadata, **dict(versions or {}),
                                                             "verdicts": judged})
    masked = Timeline.from_json(masker.mask_data(saved.to_json()))
    masked.save(out_dir / "timeline.json")
    (out_dir / "verdicts.json").write_text(json.dumps(judged, indent=1), encoding="utf-8")
    took = durations(timeline)
    junit.write_junit(out_dir / "checks.xml", verdicts, masker,
                      props=junit.properties([], masker, durations=took, versions=versions))
    return write_report(out_dir / "report.html", masked, verdicts, masker, title=title, versions=versions,
                        durations=took)
