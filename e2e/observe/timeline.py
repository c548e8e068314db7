"""One timeline across controllers: what happened when, in Argo CD, ESO, Jobs, pods and Secrets.

Why a plain, serialisable record: checks read it, the report draws it, and a failed nightly run's timeline
can be saved, inspected and re-checked later with the same code (`Timeline.load`). It holds no secret value
by construction (the recorder keeps Secret key names only and masks every free text).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LANES = ("harness", "argocd", "eso", "secrets", "jobs", "pods", "events")
FORMAT_VERSION = 1


def parse_time(value: Any) -> float | None:
    """A Kubernetes RFC 3339 timestamp ("2026-11-23T21:00:05Z", fractions allowed) -> epoch seconds."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    if "." in text:  # Python parses at most microseconds; the API may send nanoseconds
        head, _, rest = text.partition(".")
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits):]
        text = f"{head}.{digits[:6]}{zone}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def format_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass(frozen=True)
class Event:
    """One transition of one object. `time` comes from the object when it carries one (creationTimestamp,
    lastTransitionTime, startedAt...); otherwise it is when the recorder saw it (`detail["observed"]`)."""

    time: float
    lane: str
    kind: str
    namespace: str
    name: str
    what: str
    detail: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.namespace}/{self.name}" if self.namespace else f"{self.kind}/{self.name}"

    @property
    def observed(self) -> bool:
        """True when the time is the recorder's clock, not a timestamp written by the API server."""
        return bool(self.detail.get("observed"))

    def describe(self, start: float | None = None) -> str:
        when = f"+{self.time - start:.1f}s" if start is not None else format_time(self.time)
        container = f" [{self.detail['container']}]" if self.detail.get("container") else ""
        return f"{when} {self.ref}{container} {self.what}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        return cls(time=float(data["time"]), lane=str(data["lane"]), kind=str(data["kind"]),
                   namespace=str(data.get("namespace") or ""), name=str(data["name"]), what=str(data["what"]),
                   detail=dict(data.get("detail") or {}))


@dataclass
class Timeline:
    events: list[Event] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    # events by object name, built on first use: `select(name=...)` is then proportional to that object's
    # events, so a report over N events is linear, not N x objects (50,000 events took 186 s)
    _by_name: dict[str, list[Event]] | None = field(default=None, init=False, repr=False, compare=False)
    _indexed: tuple[int, int] = field(default=(0, -1), init=False, repr=False, compare=False)

    def add(self, events: Iterable[Event]) -> None:
        self.events.extend(events)
        self.events.sort(key=lambda e: e.time)
        self._by_name = None

    def _named(self, name: str) -> list[Event]:
        key = (id(self.events), len(self.events))
        if self._by_name is None or self._indexed != key:  # rebuilt if the list was changed behind our back
            index: dict[str, list[Event]] = {}
            for event in self.events:
                index.setdefault(event.name, []).append(event)
            self._by_name, self._indexed = index, key
        return self._by_name.get(name, [])

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    @property
    def start(self) -> float | None:
        return self.events[0].time if self.events else None

    @property
    def end(self) -> float | None:
        return self.events[-1].time if self.events else None

    def select(self, *, kind: str | None = None, name: str | None = None, namespace: str | None = None,
               lane: str | None = None, what: str | None = None, what_prefix: str | None = None,
               label: tuple[str, str] | None = None) -> list[Event]:
        """Events matching every given filter, in time order. `label` matches detail["labels"]."""
        fields = {"kind": kind, "name": name, "namespace": namespace, "lane": lane, "what": what}
        wanted = {key: value for key, value in fields.items() if value is not None}
        return [e for e in (self._named(name) if name is not None else self.events)
                if all(getattr(e, key) == value for key, value in wanted.items())
                and (what_prefix is None or e.what.startswith(what_prefix))
                and (label is None or (e.detail.get("labels") or {}).get(label[0]) == label[1])]

    def first(self, **filters: Any) -> Event | None:
        found = self.select(**filters)
        return found[0] if found else None

    def last(self, **filters: Any) -> Event | None:
        found = self.select(**filters)
        return found[-1] if found else None

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT_VERSION, "metadata": self.metadata, "events": [e.to_json() for e in self.events]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Timeline:
        """A timeline from its JSON form, validated first (e2e.observe.timeline_schema): ValueError naming the
        first bad field, so every reader after this can trust the types."""
        from e2e.observe.timeline_schema import problem

        found = problem(data)
        if found is not None:
            raise ValueError(found)
        timeline = cls(metadata=dict(data.get("metadata") or {}))
        timeline.add(Event.from_json(e) for e in data["events"])
        return timeline

    def save(self, path: Path | str) -> Path:
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(self.to_json(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return out

    @classmethod
    def load(cls, path: Path | str) -> Timeline:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
