"""A self-contained HTML report per run: verdicts with evidence, versions, durations, the timeline picture.

Why one file with inline CSS and SVG and no script: it is attached to a CI run and opened weeks later,
offline, from an artifact store; nothing may be fetched. Every text passes through the Masker, then the
template's autoescaping (Jinja2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from markupsafe import Markup

from e2e.checks.verdict import Verdict
from e2e.masking import Masker
from e2e.observe.timeline import Timeline, format_time
from e2e.private_file import write_private
from e2e.report.picture import Moment, render_svg
from e2e.report.summary import durations as timeline_durations
from e2e.report.summary import images
from e2e.report.templating import render

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d232a;background:#fbfcfd}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d6dbe0}
.summary{font-size:15px;margin:6px 0 16px} .summary .pass{color:#16794a} .summary .fail{color:#b3261e}
table{border-collapse:collapse;margin:4px 0 12px} th,td{border:1px solid #d6dbe0;padding:4px 8px;text-align:left;
vertical-align:top} th{background:#eef1f4}
tr.verdict.pass td.status{color:#16794a;font-weight:600} tr.verdict.fail td.status{color:#b3261e;font-weight:700}
tr.verdict.fail{background:#fdf0ef} ul.evidence{margin:0;padding-left:18px} ul.evidence li{font-family:ui-monospace,
SFMono-Regular,Menlo,monospace;font-size:12.5px}
.picture{overflow-x:auto;border:1px solid #d6dbe0;background:#fff;padding:6px}
svg.timeline text{font:11px ui-monospace,SFMono-Regular,Menlo,monospace;fill:#28313a}
svg.timeline .lane-title{font-weight:700;font-size:12px} .lane-band{fill:#e8edf2}
.lane-argocd{fill:#e6ecfa} .lane-eso{fill:#e9f5ee} .lane-secrets{fill:#f6f0e2} .lane-jobs{fill:#f2e9f7}
.lane-pods{fill:#e6f3f6} .lane-events{fill:#f1f1f1} .lane-harness{fill:#fbe9e7}
.grid{stroke:#e3e7eb;stroke-width:1} .bar.wait{fill:#f2c14e} .bar.up{fill:#7cc79b} .bar.up.trouble{fill:#c7d98f}
.bar.down{fill:#e8918a} .mark{stroke:#fff;stroke-width:1} .mark.ok{fill:#16794a} .mark.bad{fill:#b3261e}
.mark.info{fill:#5b6b7a} .moment line{stroke:#3b5bdb;stroke-width:1.5;stroke-dasharray:4 3}
.moment.bad line{stroke:#b3261e} .moment text{font-size:10px;fill:#3b5bdb} .moment.bad text{fill:#b3261e}
.legend span{display:inline-block;margin-right:14px}
.legend i{display:inline-block;width:12px;height:8px;margin-right:4px;vertical-align:middle}
details{margin:8px 0} td.time{white-space:nowrap;font-family:ui-monospace,Menlo,monospace;font-size:12px}
"""


def _s(value: Any) -> str:
    """Any JSON value as text: an untrusted timeline may put a number or a map where a string belongs."""
    return value if isinstance(value, str) else ("" if value is None else str(value))


def render_report(timeline: Timeline, verdicts: Sequence[Verdict], masker: Masker, *, title: str = "airflow-e2e run",
                  versions: Mapping[str, Any] | None = None, durations: Mapping[str, float] | None = None,
                  max_event_rows: int = 2000, moments: Sequence[Moment] = ()) -> str:
    """The page, drawn by templates/report.html.j2 (autoescaping: every field is text, never markup).
    Every text is masked here first; the template escapes it."""
    mask = masker.mask
    failed = [v for v in verdicts if not v.ok]
    meta = timeline.metadata
    versions = dict(versions or {}) or {k: meta[k] for k in ("chart", "airflow", "run_id") if k in meta}
    versions |= {f"image {name}": digest for name, digest in images(timeline).items()}
    durations = dict(durations) if durations is not None else timeline_durations(timeline)
    start = timeline.start
    events = [{"at": f"+{event.time - (start or event.time):.1f}s", "lane": mask(_s(event.lane)),
               "ref": mask(_s(event.ref)), "container": mask(_s(event.detail.get("container"))),
               "what": mask(_s(event.what)), "observed": bool(event.observed),
               "message": mask(_s(event.detail.get("message")))}
              for event in timeline.events[:max_event_rows]]
    span = (f"{format_time(timeline.start)} to {format_time(timeline.end)}"
            if timeline.start is not None and timeline.end is not None else "no events")
    return render(
        "report.html.j2", css=Markup(CSS), title=mask(_s(title)), failed=bool(failed),
        passed=len(verdicts) - len(failed), total=len(verdicts), event_count=len(timeline.events), span=span,
        verdicts=[{"ok": v.ok, "name": mask(_s(v.name)), "evidence": [mask(_s(line)) for line in v.evidence]}
                  for v in verdicts],
        svg=Markup(render_svg(timeline, masker, moments)),  # already escaped by its own autoescaping template
        versions=[(mask(_s(k)), mask(_s(v))) for k, v in versions.items()],
        durations=[(mask(_s(k)), f"{v:.1f} s") for k, v in durations.items()],
        events=events)


def write_report(path: Path | str, timeline: Timeline, verdicts: Sequence[Verdict], masker: Masker,
                 **options: Any) -> Path:
    """Written 0600 (evidence can quote anything a run saw) and atomically (e2e.private_file)."""
    return write_private(Path(path), render_report(timeline, verdicts, masker, **options))
