"""An Argo CD Application's sync and health: the one reader and the one "Synced/Healthy" judgement.

Why one: checks, scenarios and the bring-up wait each read `status.sync/health` and spelt an Application without
a status or an absent one differently ("None/None" and "absent" beside "Unknown/Unknown" and
"Missing/Missing"). The words are Argo CD's: "Unknown" is its sync and health code before a comparison, and
"Missing" its health code for an object not in the cluster (used for both halves: "OutOfSync" would read as a
diff, which a symptom such as chart-generated-keys looks for).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from e2e.judgement import Judgement, ok, pending

UNKNOWN = "Unknown"
MISSING = "Missing"


@dataclass(frozen=True)
class ApplicationStatus:
    name: str
    sync: str
    health: str
    message: str = ""  # the last sync operation's message: Argo CD's "why", when it did not get there

    @property
    def synced_healthy(self) -> bool:
        return (self.sync, self.health) == ("Synced", "Healthy")

    def line(self) -> str:
        """`name: Sync/Health`, plus the operation's message when not Synced/Healthy."""
        note = f" ({self.message})" if self.message and not self.synced_healthy else ""
        return f"{self.name}: {self.sync}/{self.health}{note}"


def status_of(name: str, app: Mapping[str, Any] | None) -> ApplicationStatus:
    """The status of Application `name` as the API returns it (None: absent)."""
    if app is None:
        return ApplicationStatus(name, MISSING, MISSING)
    status = app.get("status") or {}
    return ApplicationStatus(name, (status.get("sync") or {}).get("status") or UNKNOWN,
                             (status.get("health") or {}).get("status") or UNKNOWN,
                             str((status.get("operationState") or {}).get("message") or ""))


def synced_healthy(names: Iterable[str], lookup: Callable[[str], Mapping[str, Any] | None]) -> Judgement:
    """Ok when every named Application is Synced/Healthy, else pending (Argo CD may still get there); one
    evidence line per Application. `lookup` finds an Application by name (e.g. Snapshot.application)."""
    statuses = [status_of(name, lookup(name)) for name in names]
    lines = [s.line() for s in statuses]
    return ok(*lines) if all(s.synced_healthy for s in statuses) else pending(*lines)
