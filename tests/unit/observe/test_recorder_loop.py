"""The recorder's thin loop, driven by in-memory watch streams (no cluster): threads, masking, API errors."""

from __future__ import annotations

import base64
import threading

from e2e.masking import Masker
from e2e.observe.recorder import TimelineRecorder, WatchTarget, strip_secret
from e2e.observe.wait import Ok, Pending, eventually

PASSWORD = "s3cr3t-pa55word-xyz"


def secret(rv: str, value: str):
    return {"metadata": {"name": "airflow-metadata", "namespace": "airflow", "resourceVersion": rv,
                         "creationTimestamp": "2026-11-23T21:00:05Z"},
            "data": {"connection": base64.b64encode(value.encode()).decode()}}


def pod_waiting(message: str):
    return {"metadata": {"name": "airflow-worker-0", "namespace": "airflow", "resourceVersion": "7",
                         "creationTimestamp": "2026-11-23T21:00:06Z"},
            "status": {"phase": "Pending", "containerStatuses": [{
                "name": "worker", "restartCount": 0,
                "state": {"waiting": {"reason": "CreateContainerConfigError", "message": message}}}]}}


class ApiDown(Exception):
    status = 503


def test_recorder_records_every_kind_from_its_watch_threads_and_masks_text():
    done = threading.Event()
    calls = {"n": 0}

    def secrets(version):
        yield "ADDED", secret("1", f"postgresql://airflow:{PASSWORD}@db/airflow")
        yield "MODIFIED", secret("2", "postgresql://airflow:other@db/airflow")
        done.wait(5)

    def pods(version):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ApiDown()  # the loop keeps going after an API error
        yield "ADDED", pod_waiting(f"password {PASSWORD} rejected")
        done.wait(5)

    targets = [WatchTarget("Secret", "airflow", secrets), WatchTarget("Pod", "airflow", pods)]
    recorder = TimelineRecorder(kube=None, namespaces=["airflow"], masker=Masker([PASSWORD]), targets=targets)
    recorder.start()
    try:
        def recorded():
            whats = {e.what for e in recorder.timeline()}
            wanted = {"created", "data changed", "waiting CreateContainerConfigError"}
            return Ok(whats) if wanted <= whats else Pending(f"have {sorted(whats)}")
        eventually(recorded, timeout=15, interval=0.05, describe="recorder saw both kinds")
    finally:
        done.set()
        recorder.stop(timeout=10)
    text = str(recorder.timeline().to_json())
    assert PASSWORD not in text
    assert "***MASKED***" in text
    assert any("ApiDown" in e for e in recorder.errors)


def test_secret_values_are_reduced_to_digests_before_anything_keeps_them():
    stripped = strip_secret({"kind": "Secret", **secret("1", PASSWORD)})
    assert list(stripped["data"]) == ["connection"]
    assert PASSWORD not in str(stripped) and base64.b64encode(PASSWORD.encode()).decode() not in str(stripped)


def test_mark_puts_harness_actions_on_the_timeline():
    recorder = TimelineRecorder(kube=None, namespaces=["airflow"], masker=Masker([]), targets=[])
    recorder.mark("scenario: policy without data/")
    (event,) = recorder.timeline().events
    assert (event.lane, event.what) == ("harness", "scenario: policy without data/")
