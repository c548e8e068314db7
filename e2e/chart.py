"""What the Airflow Helm chart reads from existing Secrets, as data (docs/facts.md, chart templates).

Why one table: preflight, the component tier's job environment and the cluster checks all need the same
"value -> Secret name -> data key -> env var" facts; a chart upgrade that renames one changes it here only.
"""

from __future__ import annotations

from dataclasses import dataclass

from e2e.gitops.model import get_path


@dataclass(frozen=True)
class SecretRef:
    value_path: str  # where the Secret name is set in the values
    data_key: str  # the data key the chart reads from that Secret
    env: tuple[str, ...]  # the env vars it becomes in Airflow containers ("" for volume mounts)
    purpose: str  # the payload field that feeds it, by default
    airflow: str = "any"  # "2", "3" or "any": which Airflow major reads it
    chart_generates: str | None = None  # the Secret the chart makes itself when the value is unset
    generated_how: str = ""  # "random each render" or "pre-install hook"
    needs: str = ""  # "celery": read only with a Celery executor; "celery+redis": also only with redis.enabled


SECRET_REFS: tuple[SecretRef, ...] = (
    SecretRef("data.metadataSecretName", "connection",
              ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW_CONN_AIRFLOW_DB"), "metadataConnection",
              chart_generates="{release}-metadata", generated_how="built from values"),
    SecretRef("data.brokerUrlSecretName", "connection", ("AIRFLOW__CELERY__BROKER_URL",), "brokerUrl",
              chart_generates="{release}-broker-url", generated_how="pre-install hook", needs="celery"),
    SecretRef("fernetKeySecretName", "fernet-key", ("AIRFLOW__CORE__FERNET_KEY",), "fernetKey",
              chart_generates="{release}-fernet-key", generated_how="pre-install hook"),
    SecretRef("apiSecretKeySecretName", "api-secret-key", ("AIRFLOW__API__SECRET_KEY",), "apiSecretKey",
              airflow="3", chart_generates="{release}-api-secret-key", generated_how="random each render"),
    SecretRef("jwtSecretName", "jwt-secret", ("AIRFLOW__API_AUTH__JWT_SECRET",), "jwtSecret",
              airflow="3", chart_generates="{release}-jwt-secret", generated_how="random each render"),
    SecretRef("webserverSecretKeySecretName", "webserver-secret-key", ("AIRFLOW__WEBSERVER__SECRET_KEY",),
              "webserverSecretKey", airflow="2", chart_generates="{release}-webserver-secret-key",
              generated_how="random each render"),
    SecretRef("redis.passwordSecretName", "password", ("REDIS_PASSWORD",), "redisPassword",
              chart_generates="{release}-redis-password", generated_how="pre-install hook", needs="celery+redis"),
    SecretRef("dags.gitSync.sshKeySecret", "gitSshKey", (), "extraSecrets.airflow-ssh-secret.data.gitSshKey"),
)

# Values that carry a secret inline (never in Git): value path -> what it is.
INLINE_SECRET_VALUES: dict[str, str] = {
    "fernetKey": "Fernet key",
    "webserverSecretKey": "webserver secret key",
    "apiSecretKey": "API secret key",
    "jwtSecret": "JWT secret",
    "data.metadataConnection.pass": "metadata database password",
    "data.resultBackendConnection.pass": "result backend password",
    "data.brokerUrl": "broker URL (with its password)",
    "redis.password": "Redis password",
    "webserver.defaultUser.password": "default user password",
    "createUserJob.defaultUser.password": "default user password",
    "dags.gitSync.sshKey": "git-sync SSH private key",
    "dags.gitSync.credentialsSecret": "",  # a Secret name, not a value: listed to document it is fine
}

# Values a chart release renamed: old path -> (new path, the chart version that renamed it). docs/facts.md chart table.
RENAMED_VALUES: dict[str, tuple[str, str]] = {
    "webserver.defaultUser": ("createUserJob.defaultUser", "1.19.0"),
}

JOBS = ("createUserJob", "migrateDatabaseJob")
AUTH_MANAGER_AIRFLOW3 = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
KNOWN_HOSTS_MOUNT = "/etc/git-secret/known_hosts"


DEFAULT_EXECUTOR = "CeleryExecutor"  # the chart's values.yaml default


def applies_to(ref: SecretRef, airflow_version: str) -> bool:
    return ref.airflow == "any" or airflow_version.split(".", 1)[0] == ref.airflow


def uses_celery(values: dict) -> bool:
    """CeleryExecutor, CeleryKubernetesExecutor, or a multi-executor list naming Celery (chart default: Celery)."""
    executor = get_path(values, "executor", DEFAULT_EXECUTOR)
    return "Celery" in str(executor if executor is not None else DEFAULT_EXECUTOR)


def redis_enabled(values: dict) -> bool:
    return get_path(values, "redis.enabled", True) is not False


def in_use(ref: SecretRef, values: dict, airflow_version: str) -> bool:
    """Whether the chart reads this Secret for these values: the Airflow major, the executor, redis.enabled.

    Why: without Celery there is no broker and no Redis, so no broker or Redis Secret is needed (nor made).
    """
    if not applies_to(ref, airflow_version):
        return False
    if ref.needs.startswith("celery") and not uses_celery(values):
        return False
    return not (ref.needs == "celery+redis" and not redis_enabled(values))
