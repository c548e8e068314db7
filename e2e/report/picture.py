"""The timeline as a picture: one lane per controller, one row per object, an inline SVG.

Why a picture: "the pods started 16 s before their Secrets" is one glance at two lanes, and nobody reads 300
timeline lines. The layout is computed here as plain data (pure, testable); the SVG is drawn by a Jinja2
template with autoescaping (templates/timeline.svg.j2), so no field of an untrusted timeline can become markup.
Every text goes through the Masker first. Failure is drawn on top; a bar that never finished runs to the end
of the recording; the moments the checks compare are drawn as labelled vertical lines.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from e2e.masking import Masker
from e2e.observe.timeline import LANES, Event, Timeline, format_time
from e2e.report.templating import render

LANE_TITLES = {
    "harness": "Harness actions",
    "argocd": "Argo CD (operations, waves, history)",
    "eso": "External Secrets (stores, syncs)",
    "secrets": "Secrets",
    "jobs": "Jobs",
    "pods": "Pods",
    "events": "Kubernetes events",
}
PLOT, RIGHT, ROW, HEADER, AXIS, MOMENT_ROW = 880, 24, 15, 22, 34, 11
CHAR = 6.8  # px per character of the 11px monospace label font
MIN_LABEL, MAX_LABEL_CHARS = 220, 96
MAX_ROWS_PER_LANE = 40
OK_PREFIXES = ("condition Ready=True", "condition Complete=True", "operation Succeeded", "health Healthy",
               "deployed", "terminated Completed exit 0", "Synced+Healthy", "running", "wave ")
BAD_WORDS = ("Failed", "Error", "BackOff", "Degraded", "ImagePull", "CreateContainerConfigError", "Warning ",
             "deleted", "Unhealthy")
RANK = {"info": 0, "ok": 1, "bad": 2}  # drawing order: later is on top


def classify(event: Event) -> str:
    """"ok", "bad" or "info": the colour of a mark."""
    what = event.what
    if any(word in what for word in BAD_WORDS) and not what.startswith("terminated Completed"):
        return "bad"
    if what.startswith(OK_PREFIXES):
        return "ok"
    return "info"


READY_WHEN = {  # per lane: the transition after which an object counts as up (its bar turns green)
    "argocd": ("Synced+Healthy",),
    "eso": ("condition Ready=True",),
    "secrets": ("created",),
    "jobs": ("condition Complete=True",),
    "pods": ("condition Ready=True",),
}
ENDS_WHEN = ("deleted",)  # an object's life ends here: its bar stops, it does not run on to the end


def _ready_event(lane: str, events: list[Event]) -> Event | None:
    prefixes = READY_WHEN.get(lane)
    if not prefixes:
        return None
    return next((e for e in events if e.what.startswith(prefixes)), None)


def _nice_step(span: float) -> float:
    raw = span / 10
    for step in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600):
        if step >= raw:
            return step
    return 3600 * math.ceil(raw / 3600)


def shorten(label: str, limit: int = MAX_LABEL_CHARS) -> str:
    """A label that fits: kept whole up to `limit`, else cut in the MIDDLE (kind and the name's end stay)."""
    if len(label) <= limit:
        return label
    head = limit // 2 - 1
    return label[:head] + "…" + label[-(limit - head - 1):]


@dataclass(frozen=True)
class Moment:
    """An instant a check compares (e.g. "first Airflow pod created"), drawn as a labelled vertical line."""

    label: str
    time: float
    tone: str = "info"  # "ok" or "bad" when the check that compares it passed or failed


@dataclass
class Bar:
    cls: str
    x: float
    width: float


@dataclass
class Mark:
    cls: str
    x: float
    tip: str


@dataclass
class Row:
    lane: str
    key: str
    label: str
    y: float
    state: str  # "up", "waiting", "failing", "unfinished", "marks"
    bars: list[Bar] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)


@dataclass
class Layout:
    width: float
    height: float
    label_width: float
    axis: float
    lanes: list[dict]
    ticks: list[dict]
    moments: list[dict]
    start: str
    empty: bool = False


def layout(timeline: Timeline, masker: Masker, moments: Sequence[Moment] = ()) -> Layout:
    """Where everything goes; every text already masked (the template escapes it)."""
    mask = masker.mask
    if not timeline.events:
        return Layout(600, 40, 0, AXIS, [], [], [], "", empty=True)
    t0, t1 = timeline.start or 0.0, timeline.end or 0.0
    span = max(t1 - t0, 1.0)
    grouped: dict[str, dict[str, list[Event]]] = {}
    for event in timeline.events:
        key = f"{event.kind} events" if event.lane == "events" else event.ref  # events: one row per kind
        grouped.setdefault(event.lane, {}).setdefault(key, []).append(event)
    longest = max((len(shorten(mask(k))) for rows in grouped.values() for k in list(rows)[:MAX_ROWS_PER_LANE]),
                  default=10)
    label_width = max(MIN_LABEL, round(20 + CHAR * longest))
    width = label_width + PLOT + RIGHT

    def x(t: float) -> float:
        return round(label_width + (t - t0) / span * PLOT, 1)

    order = [lane for lane in LANES if lane in grouped] + sorted(set(grouped) - set(LANES))
    lanes: list[dict] = []
    axis = AXIS + MOMENT_ROW * len(moments)  # one label line per moment: close instants never overlap
    y = float(axis)
    for lane in order:
        rows = grouped[lane]
        entry = {"lane": lane, "y": y, "title": f"{mask(LANE_TITLES.get(lane, lane))} ({len(rows)})", "rows": [],
                 "more": None}
        y += HEADER
        for index, (key, events) in enumerate(rows.items()):
            if index == MAX_ROWS_PER_LANE:
                entry["more"] = {"y": y, "count": len(rows) - index}
                y += ROW
                break
            entry["rows"].append(_row(lane, mask(key), events, y, x, t1, mask))
            y += ROW
        lanes.append(entry)
    height = y + 8
    step = _nice_step(span)
    ticks, tick = [], 0.0
    while tick <= span + 1e-6:
        ticks.append({"x": x(t0 + tick), "label": f"+{tick:g}s"})
        tick += step
    drawn = []
    for index, m in enumerate(sorted(moments, key=lambda m: m.time)):
        mx = x(min(max(m.time, t0), t1))
        right = mx > label_width + PLOT * 0.6  # labels late in the run read leftwards, so they stay inside
        drawn.append({"x": mx, "label": f"{mask(m.label)} +{m.time - t0:.1f}s", "tone": m.tone,
                      "tip": f"{format_time(m.time)} {mask(m.label)}", "y": AXIS + MOMENT_ROW * index + 2,
                      "tx": mx - 3 if right else mx + 3, "anchor": "end" if right else "start"})
    return Layout(width, height, label_width, axis, lanes, ticks, drawn, mask(format_time(t0)))


def _row(lane: str, key: str, events: list[Event], y: float, x: Callable[[float], float], end: float,
         mask: Callable[[str], str]) -> Row:
    first = events[0].time
    ended = next((e for e in events if e.what.startswith(ENDS_WHEN)), None)
    stop = ended.time if ended is not None else end  # unfinished: to the end of the recording
    ok = _ready_event(lane, events)
    row = Row(lane, key, shorten(key), y, "marks")
    if lane not in ("events", "harness"):  # those rows are marks only, not objects with a lifetime
        bad = [e for e in events if classify(e) == "bad" and (ended is None or e is not ended)]
        ready_at = ok.time if ok is not None else stop
        first_bad = next((e.time for e in bad if e.time < ready_at), None)
        if first_bad is not None and first_bad > first:
            row.bars.append(Bar("wait", x(first), max(x(first_bad) - x(first), 1)))
        if first_bad is not None:  # failing from the first failure until it recovered (or to the end)
            recovered = next((e.time for e in events if first_bad < e.time < ready_at and classify(e) == "ok"
                              and not any(b.time >= e.time for b in bad if b.time < ready_at)), ready_at)
            row.bars.append(Bar("down", x(first_bad), max(x(recovered) - x(first_bad), 1)))
            if recovered < ready_at:
                row.bars.append(Bar("wait", x(recovered), max(x(ready_at) - x(recovered), 1)))
        elif ready_at > first or ok is None:
            row.bars.append(Bar("wait", x(first), max(x(ready_at) - x(first), 1)))
        if ok is not None:
            trouble = any(e.time >= ok.time for e in bad)
            row.bars.append(Bar("up trouble" if trouble else "up", x(ok.time), max(x(stop) - x(ok.time), 1)))
            row.state = "up"
        else:
            row.state = "failing" if first_bad is not None else "unfinished"
    # failure on top: marks are drawn info, then ok, then bad (SVG paints later elements over earlier ones)
    for event in sorted(events, key=lambda e: (RANK[classify(e)], e.time)):
        container = f" [{event.detail['container']}]" if event.detail.get("container") else ""
        message = event.detail.get("message")
        tip = f"{format_time(event.time)} {event.what}{container}" + (f": {message}" if message else "")
        row.marks.append(Mark(classify(event), x(event.time), mask(tip)))
    return row


def render_svg(timeline: Timeline, masker: Masker, moments: Sequence[Moment] = ()) -> str:
    """An SVG element (no XML prolog, no namespace URL: inline in HTML5)."""
    return render("timeline.svg.j2", p=layout(timeline, masker, moments), row_height=ROW, header=HEADER)
