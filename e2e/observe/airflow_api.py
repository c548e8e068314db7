"""Ask the running Airflow through its REST API (via a kubectl port-forward): log in, list DAGs.

Why here and plain urllib: the checks judge (status, body) pairs and must stay pure; this is the one place
that makes the HTTP calls, for Airflow 3 (`POST /auth/token`, `/api/v2`) and Airflow 2 (basic auth, `/api/v1`).
The password goes only into the request body; nothing here logs or raises with it.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from e2e.contract import Kube
from e2e.versions import is_airflow3

API_PORT = 8080
TIMEOUT = 30


def service(release: str, airflow_version: str) -> str:
    """The chart's API Service: `<release>-api-server` on Airflow 3, `<release>-webserver` on 2."""
    return f"svc/{release}-api-server" if is_airflow3(airflow_version) else f"svc/{release}-webserver"


def _call(request: urllib.request.Request) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # loopback port-forward only
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        return status, json.loads(raw or b"null")
    except ValueError:
        return status, {"detail": raw[:200].decode("utf-8", "replace")}


class AirflowApi:
    def __init__(self, base_url: str, airflow_version: str) -> None:
        self.base, self.version = base_url.rstrip("/"), airflow_version

    def login(self, username: str, password: str) -> tuple[int, Any]:
        """Airflow 3: POST /auth/token (FAB auth manager) -> 201 {"access_token"}; Airflow 2: GET with basic auth."""
        if is_airflow3(self.version):
            body = json.dumps({"username": username, "password": password}).encode()
            request = urllib.request.Request(f"{self.base}/auth/token", data=body, method="POST",
                                             headers={"Content-Type": "application/json"})
            return _call(request)
        return self.dags(username, password)

    def health(self) -> tuple[int, Any]:
        """GET /api/v2/monitor/health (no login): metadatabase, scheduler, triggerer, dag_processor status."""
        path = "/api/v2/monitor/health" if is_airflow3(self.version) else "/health"
        return _call(urllib.request.Request(f"{self.base}{path}"))

    def dags(self, username: str, password: str) -> tuple[int, Any]:
        if is_airflow3(self.version):
            status, body = self.login(username, password)
            token = body.get("access_token") if isinstance(body, dict) else None
            if not token:
                return status, body
            headers = {"Authorization": f"Bearer {token}"}
            return _call(urllib.request.Request(f"{self.base}/api/v2/dags?limit=100", headers=headers))
        basic = base64.b64encode(f"{username}:{password}".encode()).decode()
        return _call(urllib.request.Request(f"{self.base}/api/v1/dags?limit=100",
                                            headers={"Authorization": f"Basic {basic}"}))


class AirflowSession:
    """Airflow 3's REST API with a bearer token from `POST /auth/token`: what a DAG run needs (the same calls
    for the local chain and the cluster tier). The token stays in this object; nothing logs it."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base, self._headers = base_url.rstrip("/"), {"Authorization": f"Bearer {token}",
                                                           "Content-Type": "application/json"}

    @classmethod
    def login(cls, api: AirflowApi, username: str, password: str) -> tuple[AirflowSession | None, int, Any]:
        status, body = api.login(username, password)
        token = body.get("access_token") if isinstance(body, dict) else None
        return (cls(api.base, token) if token else None), status, body

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        return _call(urllib.request.Request(f"{self.base}{path}", data=data, method=method, headers=self._headers))

    def dag(self, dag_id: str) -> tuple[int, Any]:
        return self.call("GET", f"/api/v2/dags/{dag_id}")

    def import_errors(self) -> tuple[int, Any]:
        return self.call("GET", "/api/v2/importErrors?limit=100")

    def unpause(self, dag_id: str) -> tuple[int, Any]:
        return self.call("PATCH", f"/api/v2/dags/{dag_id}?update_mask=is_paused", {"is_paused": False})

    def trigger(self, dag_id: str, conf: dict[str, Any] | None = None) -> tuple[int, Any]:
        """POST .../dagRuns (logical_date null: a manual run now)."""
        return self.call("POST", f"/api/v2/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf or {}})

    def run(self, dag_id: str, run_id: str) -> tuple[int, Any]:
        return self.call("GET", f"/api/v2/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}")

    def task_instances(self, dag_id: str, run_id: str) -> tuple[int, Any]:
        return self.call("GET", f"/api/v2/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}"
                                "/taskInstances")

    def put_connection(self, connection: dict[str, Any]) -> tuple[int, Any]:
        """Create (or replace) a Connection; the API server stores it encrypted with its Fernet key."""
        conn_id = connection["connection_id"]
        self.call("DELETE", f"/api/v2/connections/{conn_id}")
        return self.call("POST", "/api/v2/connections", connection)


@contextmanager
def airflow_api(kube: Kube, namespace: str, release: str, airflow_version: str) -> Iterator[AirflowApi]:
    """A port-forward to the chart's API Service for the duration of the block."""
    forward = getattr(kube, "port_forward", None)
    if forward is None:
        raise RuntimeError("this Kube has no port_forward(); the cluster tier's KubeClient provides it")
    with forward(namespace, service(release, airflow_version), API_PORT) as port:
        yield AirflowApi(f"http://127.0.0.1:{port}", airflow_version)
