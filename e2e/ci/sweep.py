"""Which kept clusters and namespaces have expired: pure selection over the objects kind and kubectl return.

Why an expiry label: a run that keeps its cluster for debugging (`--keep-cluster on-failure`) or a killed run
leaves things behind on a laptop or a self-hosted runner. Everything kept carries `airflow-e2e.io/expires`
(set by e2e.cluster.providers when it keeps a cluster or namespaces, RunConfig.keep_hours ahead);
`airflow-e2e sweep` deletes what is past it, and only what the harness made: objects with its run-id label
(`airflow-e2e.io/run-id`) or its `app.kubernetes.io/created-by=airflow-gitops-e2e` label.

The label value is Unix epoch seconds as a decimal string (e.g. "1795456800"): a label value may only hold
[A-Za-z0-9._-], so RFC 3339 (with ':') cannot be a label value. `--now` accepts either form.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from e2e.config import CREATED_BY, CREATED_BY_LABEL, EXPIRES_LABEL, RUN_ID_LABEL

Kind = Literal["cluster", "namespace"]
_EPOCH = re.compile(r"^\d{1,12}$")
# what the selection reads of `kubectl get namespaces|nodes -o json`, checked once (anything else is a tool problem)
LISTING = {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {
    "type": "object", "properties": {"status": {"type": "object"}, "metadata": {"type": "object", "properties": {
        "name": {"type": "string"}, "labels": {"type": "object", "additionalProperties": {"type": "string"}}}}}}}}}


def read_listing(text: str) -> list[dict[str, Any]]:
    """The items of a kubectl JSON listing; ValueError in one line when the output is not one."""
    from jsonschema import Draft202012Validator

    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise ValueError("not the JSON list kubectl prints") from None
    error = next(iter(Draft202012Validator(LISTING).iter_errors(document)), None)
    if error is not None:
        where = "/".join(map(str, error.absolute_path)) or "the document"
        raise ValueError(f"not a kubectl listing ({where}: expected {error.validator_value!r}"[:160] + ")")
    return document["items"]


def parse_expiry(value: str | None) -> int | None:
    """Epoch seconds from a label value; None when absent or unreadable (then the object is kept)."""
    if value is None or not _EPOCH.match(value.strip()):
        return None
    return int(value.strip())


def parse_now(text: str) -> float:
    """`--now`: epoch seconds or RFC 3339 (`2026-11-24T06:00:00Z`). ValueError with a clear message."""
    text = text.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        if not math.isfinite(float(text)):
            raise ValueError(f"--now {text[:20]}...: out of range")
        return float(text)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"--now {text!r}: expected epoch seconds or RFC 3339 like 2026-11-24T06:00:00Z") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


@dataclass(frozen=True)
class Decision:
    kind: Kind
    name: str
    expired: bool
    reason: str
    run_id: str | None = None


def _labels(obj: Mapping[str, Any]) -> dict[str, str]:
    return dict(((obj.get("metadata") or {}).get("labels")) or {})


def is_ours(labels: Mapping[str, str]) -> bool:
    return labels.get(CREATED_BY_LABEL) == CREATED_BY or bool(labels.get(RUN_ID_LABEL))


def _decide(kind: Kind, name: str, labels: Mapping[str, str], now: float) -> Decision | None:
    """None: not ours (neither our run-id nor our created-by label): never touched, not even listed."""
    if not is_ours(labels):
        return None
    run_id = labels.get(RUN_ID_LABEL)
    raw = labels.get(EXPIRES_LABEL)
    expires = parse_expiry(raw)
    if raw is None:
        return Decision(kind, name, False, "no expiry label: kept", run_id)
    if expires is None:
        return Decision(kind, name, False, f"unreadable expiry label {raw!r}: kept", run_id)
    when = datetime.fromtimestamp(expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if expires <= now:
        return Decision(kind, name, True, f"expired at {when}", run_id)
    return Decision(kind, name, False, f"expires at {when}", run_id)


def namespace_decisions(namespaces: Iterable[Mapping[str, Any]], now: float) -> list[Decision]:
    """Namespace objects (as `kubectl get namespaces -o json` items) -> a decision for each of ours.

    A namespace already Terminating is left alone: its deletion is under way.
    """
    found: list[Decision] = []
    for ns in namespaces:
        meta = ns.get("metadata") or {}
        if meta.get("deletionTimestamp") or (ns.get("status") or {}).get("phase") == "Terminating":
            continue
        decision = _decide("namespace", str(meta.get("name", "")), _labels(ns), now)
        if decision is not None:
            found.append(decision)
    return sorted(found, key=lambda d: d.name)


def cluster_decisions(clusters: Mapping[str, Iterable[Mapping[str, Any]]], now: float) -> list[Decision]:
    """kind cluster name -> its Node objects. A cluster is ours when its nodes carry our labels (the kind
    config stamps the run id on every node); it expires at the earliest expiry among them.
    """
    found: list[Decision] = []
    for name, nodes in sorted(clusters.items()):
        node_labels = [_labels(node) for node in nodes]
        ours = [labels for labels in node_labels if is_ours(labels)]
        if not ours:
            continue
        dated = [labels for labels in ours if parse_expiry(labels.get(EXPIRES_LABEL)) is not None]
        chosen = min(dated, key=lambda labels: parse_expiry(labels.get(EXPIRES_LABEL)) or 0) if dated else ours[0]
        decision = _decide("cluster", name, chosen, now)
        if decision is not None:
            found.append(decision)
    return found


def expired(decisions: Iterable[Decision]) -> list[Decision]:
    return [d for d in decisions if d.expired]
