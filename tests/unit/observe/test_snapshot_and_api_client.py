"""Snapshot redaction, and the Airflow API client against a loopback stub that answers in Airflow 3's shapes."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from e2e.observe.airflow_api import AirflowApi, service
from e2e.observe.snapshot import Snapshot, digest, secret_bytes

PASSWORD = "a-real-looking-password-42"


def test_snapshot_json_keeps_key_names_and_lengths_never_values():
    secret = {"kind": "Secret", "metadata": {"name": "airflow-metadata", "annotations": {
        "kubectl.kubernetes.io/last-applied-configuration": "{...}"}},
              "data": {"connection": base64.b64encode(PASSWORD.encode()).decode()}}
    snap = Snapshot(objects={"Secret": [secret]})
    assert secret_bytes(secret, "connection") == PASSWORD.encode()
    text = json.dumps(snap.to_json())
    assert PASSWORD not in text and secret["data"]["connection"] not in text
    assert f"<{len(PASSWORD)} bytes>" in text and "last-applied" not in text


def test_one_snapshot_serves_checks_and_scenarios_secrets_as_digests_only():
    """The checks read raw objects by kind; the scenario predicates read the same look's digests."""
    secret = {"metadata": {"name": "dp-fernet", "uid": "u1"},
              "data": {"fernet-key": base64.b64encode(PASSWORD.encode()).decode()}}
    snap = Snapshot.from_lists(secret_objects=[secret], pods=[{"metadata": {"name": "af-scheduler-0"}}])
    assert snap.get("Secret", "dp-fernet") is secret
    assert [p["metadata"]["name"] for p in snap.pods] == ["af-scheduler-0"]
    job_pod = {"metadata": {"name": "af-create-user-x", "labels": {"job-name": "af-create-user"}}}
    assert snap.replaced(pods=[*snap.pods, job_pod]).pods_of_job("af-create-user") == [job_pod]
    assert snap.secrets["dp-fernet"].digests == {"fernet-key": digest(PASSWORD)}
    assert PASSWORD not in repr(snap.secrets)
    assert snap.replaced(secret_objects=[]).secrets == {} and snap.secrets  # a copy; the look itself unchanged
    with pytest.raises(TypeError, match="unknown kinds"):
        Snapshot.from_lists(secrets=[secret])


class StubAirflow(BaseHTTPRequestHandler):
    """Answers like Airflow 3 with the FAB auth manager: POST /auth/token, GET /api/v2/dags."""

    def log_message(self, *args):
        pass

    def _send(self, status, body):
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path == "/auth/token" and body == {"username": "admin", "password": PASSWORD}:
            self._send(201, {"access_token": "tok-123"})
        else:
            self._send(401, {"detail": "Invalid credentials"})

    def do_GET(self):
        if self.headers.get("Authorization") == "Bearer tok-123" and self.path.startswith("/api/v2/dags"):
            self._send(200, {"dags": [{"dag_id": "hello_gitops"}], "total_entries": 1})
        else:
            self._send(403, {"detail": "Forbidden"})


@pytest.fixture
def stub_url():
    server = HTTPServer(("127.0.0.1", 0), StubAirflow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_login_and_dag_listing_speak_airflow_3(stub_url):
    api = AirflowApi(stub_url, "3.2.1")
    assert api.login("admin", PASSWORD) == (201, {"access_token": "tok-123"})
    assert api.login("admin", "wrong") == (401, {"detail": "Invalid credentials"})
    status, body = api.dags("admin", PASSWORD)
    assert status == 200 and body["dags"][0]["dag_id"] == "hello_gitops"


def test_the_api_service_name_follows_the_airflow_major():
    assert service("airflow", "3.2.1") == "svc/airflow-api-server"
    assert service("airflow", "2.10.5") == "svc/airflow-webserver"
