"""What a timeline file may hold, checked once when it is read: a timeline comes from someone's bug report.

Why a schema at the edge: NaN or 1e308 as a time, a number where a label map belongs, a 5,000-digit integer or
a list as `metadata.chart` each made a different check or drawing crash (exit 3). One validation here, one
line naming the first bad field, and everything after it can trust the types.
"""

from __future__ import annotations

import math
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

MAX_TIME = 1e11  # year 5138: far beyond any real timestamp, far below where float arithmetic degrades
TEXT = {"type": "string", "maxLength": 100_000}
OPTIONAL_TEXT = {"type": ["string", "null"], "maxLength": 100_000}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["events"],
    "properties": {
        "format": {"type": ["integer", "null"]},
        "metadata": {
            "type": ["object", "null"],
            "properties": {
                **{key: OPTIONAL_TEXT for key in ("chart", "airflow", "run_id", "variant", "source")},
                "recorder_started": {"type": ["number", "null"]},
                "recorder_stopped": {"type": ["number", "null"]},
                "verdicts": {"type": ["array", "null"], "items": {
                    "type": "object", "required": ["name", "ok"],
                    "properties": {"name": TEXT, "ok": {"type": "boolean"},
                                   "evidence": {"type": "array", "items": TEXT}}}},
            },
        },
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["time", "lane", "kind", "name", "what"],
                "properties": {
                    "time": {"type": "number", "minimum": 0, "maximum": MAX_TIME},
                    "lane": TEXT, "kind": TEXT, "name": TEXT, "what": TEXT, "namespace": OPTIONAL_TEXT,
                    "detail": {
                        "type": ["object", "null"],
                        "properties": {
                            **{key: OPTIONAL_TEXT for key in ("container", "message", "image", "image_id",
                                                               "subject")},
                            "exit_code": {"type": ["integer", "null"], "minimum": -(2**63), "maximum": 2**63},
                            "observed": {"type": ["boolean", "null"]},
                            "labels": {"type": ["object", "null"], "additionalProperties": TEXT},
                        },
                    },
                },
            },
        },
    },
}
_VALIDATOR = Draft202012Validator(SCHEMA)


def _finite(data: Any) -> str | None:
    """JSON Schema's number type admits NaN and Infinity (Python's json reads them): refuse them here."""
    for index, event in enumerate(data.get("events") or []):
        value = event.get("time") if isinstance(event, dict) else None
        if isinstance(value, float) and not math.isfinite(value):
            return f"events.{index}.time is {value}: not a finite time"
    meta = data.get("metadata")
    for key in ("recorder_started", "recorder_stopped"):
        value = meta.get(key) if isinstance(meta, dict) else None
        if isinstance(value, float) and not math.isfinite(value):
            return f"metadata.{key} is {value}: not a finite time"
    return None


def problem(data: Any) -> str | None:
    """The first thing wrong with a timeline, naming the field; None when it is usable."""
    if not isinstance(data, dict):
        return "not a timeline: expected an object with an 'events' list"
    found = _finite(data)
    if found:
        return found
    error = best_match(_VALIDATOR.iter_errors(data))
    if error is None:
        return None
    where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    shown = repr(error.instance) if not isinstance(error.instance, dict | list) else type(error.instance).__name__
    return f"field {where} = {shown[:60]} is not allowed ({error.validator} {error.validator_value!r:.60})"
