"""A self-contained HTML report per run: verdicts with evidence, versions, durations, the timeline picture.

Why one file with inline CSS and SVG and no script: it is attached to a CI run and opened weeks later,
offline, from an artifact store; nothing may be fetched. Every text passes through the Masker, then escaping.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from e2e.checks.verdict import Verdict
from e2e.masking import Masker
from e2e.observe.timeline import Timeline, format_time
from e2e.report.picture import render_svg
from e2e.report.summary import durations as timeline_durations
from e2e.report.summary import images

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
.mark.info{fill:#5b6b7a} .legend span{display:inline-block;margin-right:14px}
.legend i{display:inline-block;width:12px;height:8px;margin-right:4px;vertical-align:middle}
details{margin:8px 0} td.time{white-space:nowrap;font-family:ui-monospace,Menlo,monospace;font-size:12px}
"""


def _rows(pairs: Mapping[str, Any], mask: Masker, head: tuple[str, str]) -> str:
    body = "".join(f"<tr><td>{_t(k, mask)}</td><td>{_t(str(v), mask)}</td></tr>" for k, v in pairs.items())
    return f"<table><tr><th>{head[0]}</th><th>{head[1]}</th></tr>{body}</table>"


def _t(value: str, mask: Masker) -> str:
    return html.escape(mask.mask(value), quote=True)


def render_report(timeline: Timeline, verdicts: Sequence[Verdict], masker: Masker, *, title: str = "airflow-e2e run",
                  versions: Mapping[str, Any] | None = None, durations: Mapping[str, float] | None = None,
                  max_event_rows: int = 2000) -> str:
    failed = [v for v in verdicts if not v.ok]
    meta = timeline.metadata
    versions = dict(versions or {}) or {k: meta[k] for k in ("chart", "airflow", "run_id") if k in meta}
    versions |= {f"image {name}": digest for name, digest in images(timeline).items()}
    durations = dict(durations) if durations is not None else timeline_durations(timeline)
    status = ('<span class="fail">FAILED</span>' if failed else '<span class="pass">PASSED</span>')
    verdict_rows = []
    for v in verdicts:
        evidence = "".join(f"<li>{_t(line, masker)}</li>" for line in v.evidence)
        verdict_rows.append(
            f'<tr class="verdict {"pass" if v.ok else "fail"}"><td class="status">{"PASS" if v.ok else "FAIL"}</td>'
            f'<td class="name">{_t(v.name, masker)}</td><td><ul class="evidence">{evidence}</ul></td></tr>')
    start = timeline.start
    event_rows = []
    for event in timeline.events[:max_event_rows]:
        message = event.detail.get("message") or ""
        container = event.detail.get("container") or ""
        event_rows.append(
            f'<tr class="event lane-row-{event.lane}"><td class="time">+{event.time - (start or event.time):.1f}s'
            f'</td><td>{_t(event.lane, masker)}</td><td>{_t(event.ref, masker)}</td><td>{_t(container, masker)}</td>'
            f"<td>{_t(event.what, masker)}{' (observed)' if event.observed else ''}</td>"
            f"<td>{_t(str(message), masker)}</td></tr>")
    span = (f"{format_time(timeline.start)} to {format_time(timeline.end)}"
            if timeline.start is not None and timeline.end is not None else "no events")
    legend = ('<div class="legend"><span><i style="background:#f2c14e"></i>waiting to be ready</span>'
              '<span><i style="background:#7cc79b"></i>ready / done</span><span><i style="background:#e8918a"></i>'
              'failing</span><span><i style="background:#16794a"></i>good transition</span>'
              '<span><i style="background:#b3261e"></i>bad transition</span><span><i style="background:#5b6b7a">'
              '</i>other (hover a mark for its time and message)</span></div>')
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{_t(title, masker)}</title><style>{CSS}</style></head>
<body>
<h1>{_t(title, masker)}</h1>
<p class="summary" id="summary">{status}: {len(verdicts) - len(failed)} of {len(verdicts)} checks passed;
{len(timeline.events)} events recorded, {html.escape(span)}</p>
<h2>Verdicts</h2>
<table id="verdicts"><tr><th>result</th><th>check</th><th>evidence</th></tr>{"".join(verdict_rows)}</table>
<h2>Timeline</h2>{legend}
<div class="picture" id="timeline">{render_svg(timeline, masker)}</div>
<h2>Versions</h2><div id="versions">{_rows(versions, masker, ("component", "version"))}</div>
<h2>Durations</h2><div id="durations">{_rows({k: f"{v:.1f} s" for k, v in durations.items()}, masker,
                                              ("what", "took"))}</div>
<h2>Events</h2>
<details><summary>all {len(timeline.events)} recorded transitions</summary>
<table id="events"><tr><th>time</th><th>lane</th><th>object</th><th>container</th><th>what</th><th>message</th></tr>
{"".join(event_rows)}</table></details>
</body></html>
"""


def write_report(path: Path | str, timeline: Timeline, verdicts: Sequence[Verdict], masker: Masker,
                 **options: Any) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(render_report(timeline, verdicts, masker, **options), encoding="utf-8")
    os.replace(tmp, out)
    return out
