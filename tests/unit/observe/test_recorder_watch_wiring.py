"""The recorder's real `kubernetes` watch wiring, against a loopback stub of the API server's watch endpoints.

The stub answers list+watch requests with the API's watch framing (one JSON {"type", "object"} per line) for
Secrets, Pods and Argo CD Applications, and 404 for a CRD that is not installed yet (ExternalSecrets), as a
cluster does before ESO is installed. No cluster: this proves the client calls, serialisation and error path.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest
from kubernetes import client

from e2e.masking import Masker
from e2e.observe.recorder import TimelineRecorder
from e2e.observe.wait import Ok, Pending, eventually

SECRET = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
          "metadata": {"name": "airflow-fernet-key", "namespace": "airflow", "resourceVersion": "11",
                       "creationTimestamp": "2026-11-23T21:00:05Z"},
          "data": {"fernet-key": "c2VjcmV0LXZhbHVlLW5ldmVyLXNob3du"}}
POD = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "airflow-worker-0", "namespace": "airflow", "resourceVersion": "12",
                    "creationTimestamp": "2026-11-23T21:00:06Z", "labels": {"release": "airflow"}},
       "spec": {"containers": [{"name": "worker", "image": "apache/airflow:3.2.1"}]},
       "status": {"phase": "Pending", "containerStatuses": [{
           "name": "worker", "image": "apache/airflow:3.2.1", "imageID": "", "ready": False, "restartCount": 0,
           "state": {"waiting": {"reason": "CreateContainerConfigError",
                                 "message": 'secret "airflow-fernet-key" not found'}}}]}}
APP = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
       "metadata": {"name": "airflow", "namespace": "airflow", "resourceVersion": "13",
                    "creationTimestamp": "2026-11-23T21:00:02Z"},
       "status": {"sync": {"status": "Synced"}, "health": {"status": "Healthy"}}}
STREAMS = {"/api/v1/namespaces/airflow/secrets": [SECRET], "/api/v1/namespaces/airflow/pods": [POD],
           "/apis/argoproj.io/v1alpha1/namespaces/airflow/applications": [APP]}
MISSING = ("/apis/external-secrets.io/",)


class WatchStub(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        if url.path.startswith(MISSING):
            self._send(404, json.dumps({"kind": "Status", "code": 404, "reason": "NotFound"}).encode())
            return
        first = "resourceVersion=" not in (url.query or "")
        items = STREAMS.get(url.path, []) if first else []
        self._send(200, b"".join(json.dumps({"type": "ADDED", "object": o}).encode() + b"\n" for o in items))


class StubKube:
    def __init__(self, host: str):
        configuration = client.Configuration()
        configuration.host = host
        api = client.ApiClient(configuration)
        self.core, self.apps = client.CoreV1Api(api), client.AppsV1Api(api)
        self.batch, self.custom = client.BatchV1Api(api), client.CustomObjectsApi(api)


@pytest.fixture
def api_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), WatchStub)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_recorder_watches_typed_and_custom_kinds_and_survives_a_missing_crd(api_server):
    recorder = TimelineRecorder(StubKube(api_server), ["airflow"], Masker(["secret-value-never-shown"]))
    recorder.start()
    try:
        def everything_seen():
            seen = {(e.kind, e.what) for e in recorder.timeline()}
            wanted = {("Secret", "created"), ("Pod", "waiting CreateContainerConfigError"),
                      ("Application", "Synced+Healthy")}
            return Ok(seen) if wanted <= seen else Pending(f"seen {sorted(seen)}")
        eventually(everything_seen, timeout=20, interval=0.1, describe="recorder over the stub API")
    finally:
        recorder.stop(timeout=15)
    secret_created = recorder.timeline().first(kind="Secret", what="created")
    assert secret_created.detail["keys"] == ["fernet-key"]
    assert "c2VjcmV0LXZhbHVl" not in json.dumps(recorder.timeline().to_json())
    assert any("ExternalSecret" in e and "404" in e for e in recorder.errors)
