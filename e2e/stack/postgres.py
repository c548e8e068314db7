"""The Airflow metadata PostgreSQL, at the host and with the credentials the payload's connection names.

Why from the payload: the chart reads `airflow-metadata/connection` from Vault through ESO; the database
must accept exactly that URL, so its Service name, namespace, user, password and database are parsed from it.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

from e2e import versions
from e2e.config import RunConfig
from e2e.stack.common import Obj, labelled, secret

APP_LABELS = {"app.kubernetes.io/name": "airflow-metadata-postgresql"}


@dataclass(frozen=True)
class DbTarget:
    service: str
    namespace: str
    port: int
    user: str
    password: str
    database: str


def db_target(payload: dict[str, Any]) -> DbTarget:
    """Parse `postgresql://user:pass@<svc>.<ns>.svc[.cluster.local]:port/db` from payload.metadataConnection."""
    url = urllib.parse.urlsplit(str(payload.get("metadataConnection") or ""))
    host = url.hostname or ""
    parts = host.split(".")
    if len(parts) < 3 or parts[2] != "svc":
        raise ValueError("metadataConnection host must be an in-cluster Service name <svc>.<namespace>.svc...")
    return DbTarget(parts[0], parts[1], url.port or 5432, urllib.parse.unquote(url.username or "airflow"),
                    urllib.parse.unquote(url.password or ""), url.path.lstrip("/") or "airflow")


def manifests(config: RunConfig, payload: dict[str, Any]) -> list[Obj]:
    t = db_target(payload)
    creds = secret("postgresql-credentials", t.namespace,
                   {"POSTGRES_USER": t.user, "POSTGRES_PASSWORD": t.password, "POSTGRES_DB": t.database}, config)
    deployment = labelled({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": t.service, "namespace": t.namespace, "labels": dict(APP_LABELS)},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": dict(APP_LABELS)},
            "template": {
                "metadata": {"labels": {**APP_LABELS, **config.labels()}},
                "spec": {"containers": [{
                    "name": "postgresql",
                    "image": versions.POSTGRES_IMAGE,
                    "envFrom": [{"secretRef": {"name": "postgresql-credentials"}}],
                    "env": [{"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"}],
                    "ports": [{"name": "postgresql", "containerPort": 5432}],
                    "readinessProbe": {"exec": {"command": ["pg_isready", "-U", t.user, "-d", t.database]},
                                       "periodSeconds": 2},
                    "volumeMounts": [{"name": "data", "mountPath": "/var/lib/postgresql/data"}],
                }], "volumes": [{"name": "data", "emptyDir": {}}]},
            },
        },
    }, config)
    service = labelled({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": t.service, "namespace": t.namespace},
        "spec": {"selector": dict(APP_LABELS), "ports": [{"name": "postgresql", "port": t.port,
                                                          "targetPort": 5432}]},
    }, config)
    return [creds, deployment, service]
