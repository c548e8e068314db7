"""Watch the cluster from before the first apply and record a timeline (one thread per kind and namespace).

Why watches, not polling: a Secret created 300 ms before a pod, or a waiting reason that lasts two seconds, is
exactly what the ordering checks must see. The loop is thin on purpose: everything that decides what an
object change means is `e2e.observe.convert.transitions`, a pure function tested on realistic objects.
Secret data is reduced to per-key digests the moment it arrives (enough to tell "data changed"); nothing the
recorder keeps or writes holds a value, and every text goes through the Masker.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from e2e.contract import Kube
from e2e.masking import Masker
from e2e.observe import convert
from e2e.observe.timeline import Event, Timeline

log = logging.getLogger(__name__)
WATCH_SECONDS = 30  # server-side watch timeout: the loop re-checks `stop` at least this often
RETRY_SECONDS = 2.0  # wait (interruptible) before re-watching a kind whose CRD is not installed yet

Stream = Callable[[str | None], Iterator[tuple[str, dict[str, Any]]]]


@dataclass(frozen=True)
class WatchTarget:
    """One kind in one namespace ("" = cluster scope) and how to stream its changes."""

    kind: str
    namespace: str
    stream: Stream  # resource_version -> (type, object as API JSON) pairs


def strip_secret(obj: dict[str, Any]) -> dict[str, Any]:
    """A Secret with each value replaced by a digest: key names and change detection survive, values do not."""
    if obj.get("kind") != "Secret":
        return obj
    out = dict(obj)
    out["data"] = {k: hashlib.sha256((v or "").encode()).hexdigest() for k, v in (obj.get("data") or {}).items()}
    out.pop("stringData", None)
    return out


class TimelineRecorder:
    def __init__(self, kube: Kube, namespaces: list[str], masker: Masker,
                 targets: list[WatchTarget] | None = None, clock: Callable[[], float] = time.time) -> None:
        self.kube = kube
        self.namespaces = list(namespaces)
        self.masker = masker
        self._targets = targets
        self._clock = clock
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._last: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._timeline = Timeline(metadata={"namespaces": self.namespaces})
        self.errors: list[str] = []

    # --- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> TimelineRecorder:
        self._timeline.metadata["recorder_started"] = self._clock()
        for target in self._targets if self._targets is not None else kube_targets(self.kube, self.namespaces):
            thread = threading.Thread(target=self._run, args=(target,), daemon=True,
                                      name=f"watch-{target.kind}-{target.namespace or 'cluster'}")
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self, timeout: float = WATCH_SECONDS + 5) -> None:
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._timeline.metadata["recorder_stopped"] = self._clock()

    def timeline(self) -> Timeline:
        with self._lock:
            return Timeline(events=list(self._timeline.events), metadata=dict(self._timeline.metadata))

    def mark(self, what: str, **detail: Any) -> None:
        """A harness action on the timeline ("scenario: policy without data/"), so the picture shows cause."""
        event = Event(self._clock(), "harness", "Harness", "", "harness", what, {**detail, "observed": True})
        with self._lock:
            self._timeline.add([self._masked(event)])

    # --- the thin part ---------------------------------------------------------------------------------
    def handle(self, change: str, obj: dict[str, Any], at: float | None = None) -> list[Event]:
        """Apply one watch event (ADDED/MODIFIED/DELETED) and record what it adds to the timeline."""
        at = self._clock() if at is None else at
        obj = strip_secret(obj)
        key = convert.object_key(obj)
        with self._lock:
            before = self._last.get(key)
            if change == "DELETED":
                self._last.pop(key, None)
                events = convert.transitions(before or obj, None, at)
            else:
                self._last[key] = obj
                events = convert.transitions(before, obj, at)
            events = [self._masked(e) for e in events]
            self._timeline.add(events)
        return events

    def _masked(self, event: Event) -> Event:
        return Event(event.time, event.lane, event.kind, event.namespace, event.name,
                     self.masker.mask(event.what), self.masker.mask_data(event.detail))

    def _run(self, target: WatchTarget) -> None:
        version: str | None = None
        while not self._stop.is_set():
            began, seen = time.monotonic(), 0
            try:
                for change, obj in target.stream(version):
                    seen += 1
                    if self._stop.is_set():
                        return
                    if change == "ERROR":
                        version = None  # 410 Gone: start again from a fresh list (transitions dedupe)
                        break
                    obj.setdefault("kind", target.kind)
                    self.handle(change, obj)
                    version = (obj.get("metadata") or {}).get("resourceVersion") or version
                if not seen and time.monotonic() - began < 1.0:
                    self._stop.wait(RETRY_SECONDS)  # a watch the server ends at once: do not spin
            except Exception as exc:  # a watch must survive API hiccups; the error is kept
                status = getattr(exc, "status", None)
                if status == 410:
                    version = None
                    continue
                message = self.masker.mask(f"watch {target.kind} {target.namespace or '(cluster)'}: "
                                           f"{type(exc).__name__} {status or ''}".strip())
                with self._lock:
                    if message not in self.errors:
                        self.errors.append(message)
                self._stop.wait(RETRY_SECONDS)


# --- the kubernetes client side (only this touches the API) ------------------------------------------------
CUSTOM_KINDS = {
    "Application": ("argoproj.io", "v1alpha1", "applications"),
    "ExternalSecret": ("external-secrets.io", "v1", "externalsecrets"),
}
CLUSTER_CUSTOM_KINDS = {"ClusterSecretStore": ("external-secrets.io", "v1", "clustersecretstores")}


def kube_targets(kube: Kube, namespaces: list[str]) -> list[WatchTarget]:
    """Applications, ExternalSecrets, Secrets, Jobs, Pods and Events per namespace; ClusterSecretStores."""
    from kubernetes import watch  # imported here: unit tests of the pure parts need no client

    serialize = kube.core.api_client.sanitize_for_serialization

    def watched(list_fn: Callable[..., Any], *args: str) -> Stream:
        def stream(version: str | None) -> Iterator[tuple[str, dict[str, Any]]]:
            kwargs: dict[str, Any] = {"timeout_seconds": WATCH_SECONDS}
            if version:
                kwargs["resource_version"] = version
            for item in watch.Watch().stream(list_fn, *args, **kwargs):
                yield item["type"], serialize(item["object"])
        return stream

    def custom(group: str, version: str, plural: str, namespace: str) -> Stream:
        if namespace:
            return watched(kube.custom.list_namespaced_custom_object, group, version, namespace, plural)
        return watched(kube.custom.list_cluster_custom_object, group, version, plural)

    targets: list[WatchTarget] = []
    for ns in namespaces:
        targets += [
            WatchTarget("Secret", ns, watched(kube.core.list_namespaced_secret, ns)),
            WatchTarget("Job", ns, watched(kube.batch.list_namespaced_job, ns)),
            WatchTarget("Pod", ns, watched(kube.core.list_namespaced_pod, ns)),
            WatchTarget("Event", ns, watched(kube.core.list_namespaced_event, ns)),
        ]
        targets += [WatchTarget(kind, ns, custom(*gvp, ns)) for kind, gvp in CUSTOM_KINDS.items()]
    targets += [WatchTarget(kind, "", custom(*gvp, "")) for kind, gvp in CLUSTER_CUSTOM_KINDS.items()]
    return targets
