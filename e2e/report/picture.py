"""The timeline as a picture: one lane per controller, one row per object, an inline SVG.

Why a picture: "the pods started 16 s before their Secrets" is one glance at two lanes, and nobody reads 300
timeline lines. Pure string building (no plotting library, no external URL): the report stays one file that
opens anywhere. Every text goes through the Masker before it is escaped.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable

from e2e.masking import Masker
from e2e.observe.timeline import LANES, Event, Timeline, format_time

LANE_TITLES = {
    "harness": "Harness actions",
    "argocd": "Argo CD (operations, waves, history)",
    "eso": "External Secrets (stores, syncs)",
    "secrets": "Secrets",
    "jobs": "Jobs",
    "pods": "Pods",
    "events": "Kubernetes events",
}
WIDTH, LABEL, RIGHT, ROW, HEADER, AXIS = 1180, 300, 24, 15, 22, 30
MAX_ROWS_PER_LANE = 40
OK_PREFIXES = ("condition Ready=True", "condition Complete=True", "operation Succeeded", "health Healthy",
               "deployed", "terminated Completed exit 0", "Synced+Healthy", "running", "wave ")
BAD_WORDS = ("Failed", "Error", "BackOff", "Degraded", "ImagePull", "CreateContainerConfigError", "Warning ",
             "deleted", "Unhealthy")


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


def _ready_event(lane: str, events: list[Event]) -> Event | None:
    prefixes = READY_WHEN.get(lane)
    if not prefixes:
        return None
    return next((e for e in events if e.what.startswith(prefixes)), None)


def _row_key(event: Event) -> str:
    if event.lane == "events":
        return f"{event.kind} events"
    return event.ref


def _nice_step(span: float) -> float:
    raw = span / 10
    for step in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600):
        if step >= raw:
            return step
    return 3600 * math.ceil(raw / 3600)


def render_svg(timeline: Timeline, masker: Masker) -> str:
    """An SVG element (no XML prolog, no namespace URL: inline in HTML5)."""
    def text(value: str) -> str:
        return html.escape(masker.mask(value), quote=True)

    if not timeline.events:
        return '<svg class="timeline" width="600" height="40" role="img"><text x="10" y="24">no events recorded' \
               "</text></svg>"
    t0, t1 = timeline.start or 0.0, timeline.end or 0.0
    span = max(t1 - t0, 1.0)
    plot = WIDTH - LABEL - RIGHT

    def x(t: float) -> float:
        return round(LABEL + (t - t0) / span * plot, 1)

    lanes: dict[str, dict[str, list[Event]]] = {}
    for event in timeline.events:
        lanes.setdefault(event.lane, {}).setdefault(_row_key(event), []).append(event)
    order = [lane for lane in LANES if lane in lanes] + sorted(set(lanes) - set(LANES))
    parts: list[str] = []
    y = AXIS
    for lane in order:
        rows = lanes[lane]
        parts.append(f'<g class="lane" data-lane="{lane}">')
        parts.append(f'<rect class="lane-band lane-{lane}" x="0" y="{y}" width="{WIDTH}" height="{HEADER}"/>')
        parts.append(f'<text class="lane-title" x="6" y="{y + 15}">{text(LANE_TITLES.get(lane, lane))} '
                     f"({len(rows)})</text>")
        y += HEADER
        for index, (key, events) in enumerate(rows.items()):
            if index == MAX_ROWS_PER_LANE:
                parts.append(f'<text class="more" x="6" y="{y + 11}">+{len(rows) - index} more</text>')
                y += ROW
                break
            parts.append(_row(key, events, y, x, t1, text, lane))
            y += ROW
        parts.append("</g>")
    height = y + 8
    axis = _axis(t0, span, x, height, text)
    return (f'<svg class="timeline" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" '
            f'aria-label="timeline of the run">{axis}{"".join(parts)}</svg>')


def _row(key: str, events: list[Event], y: float, x: Callable[[float], float], end: float,
         text: Callable[[str], str], lane: str) -> str:
    label = key if len(key) <= 44 else "…" + key[-43:]
    first = events[0].time
    ok = _ready_event(lane, events)
    bad = any(classify(e) == "bad" for e in events if ok is None or e.time >= ok.time)
    mid = y + ROW / 2
    out = [f'<g class="row" data-lane="{lane}" data-object="{text(key)}">',
           f'<text class="row-label" x="14" y="{y + 11}">{text(label)}</text>']
    if lane == "events" or lane == "harness":
        pass  # marks only: these rows are not objects with a lifetime
    elif ok is not None:
        if ok.time > first:
            out.append(f'<rect class="bar wait" x="{x(first)}" y="{mid - 3}" width="{max(x(ok.time) - x(first), 1)}" '
                       'height="6"/>')
        out.append(f'<rect class="bar up{" trouble" if bad else ""}" x="{x(ok.time)}" y="{mid - 3}" '
                   f'width="{max(x(end) - x(ok.time), 1)}" height="6"/>')
    else:
        last = events[-1].time
        out.append(f'<rect class="bar {"down" if bad else "wait"}" x="{x(first)}" y="{mid - 3}" '
                   f'width="{max(x(last) - x(first), 1)}" height="6"/>')
    for event in events:
        container = f" [{event.detail['container']}]" if event.detail.get("container") else ""
        message = event.detail.get("message")
        tip = f"{format_time(event.time)} {event.what}{container}" + (f": {message}" if message else "")
        out.append(f'<circle class="mark {classify(event)}" cx="{x(event.time)}" cy="{mid}" r="3.5">'
                   f"<title>{text(tip)}</title></circle>")
    out.append("</g>")
    return "".join(out)


def _axis(t0: float, span: float, x: Callable[[float], float], height: float, text: Callable[[str], str]) -> str:
    step = _nice_step(span)
    ticks = []
    tick = 0.0
    while tick <= span + 1e-6:
        px = x(t0 + tick)
        ticks.append(f'<line class="grid" x1="{px}" y1="{AXIS - 6}" x2="{px}" y2="{height}"/>'
                     f'<text class="tick" x="{px}" y="{AXIS - 10}" text-anchor="middle">+{tick:g}s</text>')
        tick += step
    start = text(format_time(t0))
    return (f'<g class="axis"><text class="tick" x="6" y="{AXIS - 10}">t0 = {start}</text>{"".join(ticks)}</g>')
