"""Object -> events on realistic Kubernetes objects (plain dicts in the API's JSON shapes, no cluster)."""

from __future__ import annotations

import base64
import json

from e2e.observe.convert import events_of, replay, transitions
from e2e.observe.timeline import Timeline, parse_time

AT = parse_time("2026-11-23T21:05:00Z")


def whats(events):
    return [e.what for e in events]


def blocked_pod():
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "airflow-scheduler-6d8f9c7b5-2lx4v", "namespace": "airflow",
                     "creationTimestamp": "2026-11-23T21:00:05Z", "labels": {"release": "airflow",
                                                                             "component": "scheduler"}},
        "status": {"phase": "Pending",
                   "conditions": [{"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                                   "lastTransitionTime": "2026-11-23T21:00:05Z"}],
                   "initContainerStatuses": [{
                       "name": "wait-for-airflow-migrations", "ready": False, "restartCount": 0, "image": "x",
                       "imageID": "", "started": False, "lastState": {},
                       "state": {"waiting": {"reason": "CreateContainerConfigError",
                                             "message": 'secret "airflow-fernet-key" not found'}}}]},
    }


def test_waiting_reason_is_recorded_with_container_and_message_at_observed_time():
    events = events_of(blocked_pod(), AT)
    waiting = [e for e in events if e.what == "waiting CreateContainerConfigError"]
    assert len(waiting) == 1
    assert waiting[0].detail["container"] == "wait-for-airflow-migrations"
    assert waiting[0].detail["message"] == 'secret "airflow-fernet-key" not found'
    assert waiting[0].observed and waiting[0].time == AT


def test_creation_and_conditions_carry_the_servers_timestamps():
    events = events_of(blocked_pod(), AT)
    created = next(e for e in events if e.what == "created")
    scheduled = next(e for e in events if e.what == "condition PodScheduled=True")
    assert created.time == parse_time("2026-11-23T21:00:05Z") and not created.observed
    assert scheduled.time == parse_time("2026-11-23T21:00:05Z")
    assert created.detail["labels"] == {"release": "airflow", "component": "scheduler"}


def test_terminated_and_previous_termination_of_a_crashlooping_container_are_both_recorded():
    pod = blocked_pod()
    pod["status"]["initContainerStatuses"] = [{
        "name": "git-sync-init", "restartCount": 2, "ready": False,
        "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 20s"}},
        "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": "2026-11-23T21:00:40Z",
                                     "finishedAt": "2026-11-23T21:00:41Z"}}}]
    events = events_of(pod, AT)
    assert "terminated Error exit 1" in whats(events)
    assert "waiting CrashLoopBackOff" in whats(events)
    term = next(e for e in events if e.what.startswith("terminated"))
    assert term.time == parse_time("2026-11-23T21:00:41Z")


def test_job_start_and_completion_come_from_start_time_and_the_complete_condition():
    job = {"kind": "Job", "metadata": {"name": "airflow-run-airflow-migrations", "namespace": "airflow",
                                       "creationTimestamp": "2026-11-23T21:00:12Z"},
           "status": {"startTime": "2026-11-23T21:00:12Z", "completionTime": "2026-11-23T21:00:33Z",
                      "succeeded": 1, "conditions": [
                          {"type": "Complete", "status": "True", "reason": "CompletionsReached",
                           "lastTransitionTime": "2026-11-23T21:00:33Z", "lastProbeTime": "2026-11-23T21:00:33Z"}]}}
    events = events_of(job, AT)
    assert whats(events) == ["created", "started", "condition Complete=True CompletionsReached"]
    assert events[2].time - events[1].time == 21


def test_external_secret_condition_flip_gives_one_event_per_transition():
    def es(status, reason, when):
        return {"kind": "ExternalSecret", "metadata": {"name": "airflow-metadata", "namespace": "airflow",
                                                      "creationTimestamp": "2026-11-23T21:00:04Z"},
                "status": {"conditions": [{"type": "Ready", "status": status, "reason": reason,
                                           "message": "could not get secret data from provider",
                                           "lastTransitionTime": when}]}}
    first = es("False", "SecretSyncedError", "2026-11-23T21:00:05Z")
    second = es("True", "SecretSynced", "2026-11-23T21:03:00Z")
    assert whats(transitions(None, first, AT)) == ["created", "condition Ready=False SecretSyncedError"]
    assert whats(transitions(first, second, AT)) == ["condition Ready=True SecretSynced"]
    assert transitions(second, second, AT) == []


def test_application_operation_history_and_waves_become_events():
    app = {"kind": "Application", "metadata": {"name": "airflow-root", "namespace": "argocd",
                                               "creationTimestamp": "2026-11-23T21:00:00Z"},
           "status": {"sync": {"status": "Synced", "revision": "9c1e5b7"},
                      "health": {"status": "Healthy"},
                      "operationState": {"phase": "Succeeded", "startedAt": "2026-11-23T21:00:01Z",
                                         "finishedAt": "2026-11-23T21:01:10Z", "message": "successfully synced",
                                         "syncResult": {"revision": "9c1e5b7", "resources": [
                                             {"kind": "Application", "name": "airflow-secrets", "status": "Synced",
                                              "syncPhase": "Sync", "message": "created"}]}},
                      "resources": [{"kind": "Application", "name": "airflow-secrets", "status": "Synced",
                                     "syncWave": 5, "health": {"status": "Healthy"}},
                                    {"kind": "Application", "name": "airflow", "status": "Synced",
                                     "syncWave": 10, "health": {"status": "Progressing"}}],
                      "history": [{"id": 0, "revision": "9c1e5b7", "deployStartedAt": "2026-11-23T21:00:01Z",
                                   "deployedAt": "2026-11-23T21:01:10Z"}]}}
    got = whats(events_of(app, AT))
    for expected in ("operation Running", "operation Succeeded", "Synced+Healthy", "wave 5 synced",
                     "wave 5 healthy", "wave 10 synced", "deploy started", "deployed"):
        assert expected in got
    assert "wave 10 healthy" not in got


def test_secret_events_hold_key_names_and_never_values():
    value = "postgresql://airflow:s3cr3t-pa55word@db:5432/airflow"
    before = {"kind": "Secret", "metadata": {"name": "airflow-metadata", "namespace": "airflow",
                                             "creationTimestamp": "2026-11-23T21:00:05Z", "resourceVersion": "1"},
              "data": {"connection": base64.b64encode(value.encode()).decode()}}
    after = json.loads(json.dumps(before))
    after["data"]["connection"] = base64.b64encode(b"postgresql://other").decode()
    after["metadata"]["resourceVersion"] = "2"
    events = transitions(None, before, AT) + transitions(before, after, AT)
    assert whats(events) == ["created", "data changed"]
    assert events[0].detail["keys"] == ["connection"]
    text = json.dumps([e.to_json() for e in events])
    assert value not in text and before["data"]["connection"] not in text


def test_core_event_names_its_involved_object():
    event = {"kind": "Event", "metadata": {"name": "airflow-worker-0.187a", "namespace": "airflow"},
             "involvedObject": {"kind": "Pod", "name": "airflow-worker-0", "namespace": "airflow"},
             "reason": "Failed", "type": "Warning", "count": 3, "message": 'Error: secret "x" not found',
             "lastTimestamp": "2026-11-23T21:00:09Z", "source": {"component": "kubelet"}}
    (got,) = events_of(event, AT)
    assert (got.lane, got.kind, got.name, got.what) == ("events", "Pod", "airflow-worker-0", "Warning Failed")
    assert got.detail["count"] == 3 and got.time == parse_time("2026-11-23T21:00:09Z")


def test_deletion_is_recorded_when_seen():
    pod = blocked_pod()
    (deleted,) = transitions(pod, None, AT)
    assert deleted.what == "deleted" and deleted.time == AT


def test_replaying_the_recorded_stream_gives_the_recorded_timeline(runs):
    for variant in ("good-run", "secrets-late"):
        stream = json.loads((runs.HERE / f"{variant}.stream.json").read_text())
        recorded = Timeline.load(runs.HERE / f"{variant}.json")
        replayed = replay(stream, metadata=recorded.metadata)
        assert replayed.to_json() == recorded.to_json(), variant


def test_timeline_round_trips_through_json(tmp_path, runs):
    recorded = Timeline.load(runs.HERE / "good-run.json")
    again = Timeline.load(recorded.save(tmp_path / "t.json"))
    assert again.to_json() == recorded.to_json()
    assert again.first(kind="Secret", what="created").name.startswith("airflow-")
