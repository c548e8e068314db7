"""Whole-stack observations (plain API objects) for the predicate tests: a healthy stack, and helpers to derive
the state each reported failure leaves behind."""

from __future__ import annotations

from e2e.gitops import load_repository
from e2e.observe.snapshot import Snapshot
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import Memory

from . import api_objects as k
from .recording_stack import REFERENCE

LAYOUT = Layout.from_repository(load_repository(REFERENCE))  # the reference repository's names, read
AIRFLOW_SECRETS, CREATE_USER_JOB, MIGRATE_JOB = LAYOUT.secrets, LAYOUT.user_job, LAYOUT.migrate_job

COMPONENTS = ("scheduler", "worker", "api-server", "dag-processor", "triggerer")
SECRET_KEYS = {"airflow-fernet-key": "fernet-key", "airflow-api-secret-key": "api-secret-key",
               "airflow-jwt-secret": "jwt-secret", "airflow-metadata": "connection", "airflow-broker-url": "connection",
               "airflow-redis-password": "password", "airflow-webserver-secret-key": "webserver-secret-key",
               "airflow-default-user": "username", "airflow-ssh-secret": "gitSshKey"}


def healthy_pods(image: str = "apache/airflow:3.2.1", uid_suffix: str = "") -> list[dict]:
    return [k.pod(f"airflow-{c}-0", c, uid=f"uid-{c}{uid_suffix}", image=image) for c in COMPONENTS]


def secrets(values: dict[str, str] | None = None, uid_suffix: str = "") -> dict[str, dict]:
    """The Secret objects by name (`healthy(secrets=...)` takes such a mapping)."""
    values = values or {}
    return {name: k.secret(name, {key: values.get(name, f"value-of-{name}")}, uid=f"uid-{name}{uid_suffix}")
            for name, key in SECRET_KEYS.items()}


def healthy(**changes) -> Snapshot:
    obs = Snapshot.from_lists(
        taken_at=1.0, pods=healthy_pods(),
        jobs=[k.job(MIGRATE_JOB, uid="uid-migrate-1"), k.job(CREATE_USER_JOB, uid="uid-user-1")],
        external_secrets=[k.external_secret(n) for n in AIRFLOW_SECRETS], stores=[k.store()],
        applications=[k.application("airflow-secrets", started="2026-11-23T21:00:00Z",
                                    finished="2026-11-23T21:00:10Z", uid="uid-app-secrets-1"),
                      k.application("airflow", started="2026-11-23T21:00:20Z", finished="2026-11-23T21:02:00Z",
                                    uid="uid-app-airflow-1", revisions=["1.21.0", "3f2c1a9"])],
        secret_objects=list(secrets().values()), users=("admin",))
    if "secrets" in changes:
        changes["secret_objects"] = list(changes.pop("secrets").values())
    return obs.replaced(**changes)


def memory(before: Snapshot | None = None, at_symptom: Snapshot | None = None) -> Memory:
    return Memory(before=before or healthy(), at_symptom=at_symptom)

