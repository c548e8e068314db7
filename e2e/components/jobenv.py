"""The environment the chart gives the create-user Job, built from the repository and the payload.

Why exact: the question is "does THIS script work with THESE Secrets". Each Secret is rendered from the
repository's own ExternalSecret templates against the payload, exactly as ESO would (e2e.gitops.templates);
each Secret the values reference becomes its env var (e2e.chart.SECRET_REFS, docs/facts.md "Rendered"); the auth
manager is the one the chart sets on Airflow 3; `createUserJob.env` is resolved from those Secrets. Nothing
else from the calling shell leaks in. Errors name Secrets and keys, never values.
"""

from __future__ import annotations

import secrets as pysecrets
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet

from e2e import chart, versions
from e2e import payload as payload_mod
from e2e.gitops import Repository, get_path
from e2e.gitops.templates import TemplateError, render_target_data

JOB_ONLY_SKIPPED = {"REDIS_PASSWORD"}  # read by the Redis StatefulSet, not by Airflow containers


class JobEnvError(Exception):
    """The Job could not get its environment (a missing Secret or key): names only, never values."""


class SecretNotRendered(JobEnvError):
    """A Secret the Job needs is one ESO would fail to make (its ExternalSecret does not render): a failure of
    the repository under test, not of the harness. Only what reads that Secret fails, as in the cluster."""


class RenderedSecrets(dict):
    """Secret name -> data for every ExternalSecret that renders, and `errors`: Secret name -> why ESO would
    fail it. ESO reconciles each ExternalSecret alone, so one broken template fails one Secret."""

    def __init__(self, data: dict[str, dict[str, str]] | None = None, errors: dict[str, str] | None = None):
        super().__init__(data or {})
        self.errors: dict[str, str] = dict(errors or {})


IDENTITY = {"username", "email", "firstName", "lastName"}  # default-user keys that are not secrets


@dataclass
class JobEnv:
    env: dict[str, str]
    sources: dict[str, str]  # env var -> "Secret/key" or "value" (for reports; never the value)

    @property
    def secret_vars(self) -> tuple[str, ...]:
        """The vars holding a secret (from a Secret or generated), not the default user's name and address:
        the ones no command line may carry."""
        return tuple(var for var, src in self.sources.items()
                     if ("/" in src or src.startswith("chart-generated")) and src.rsplit("/", 1)[-1] not in IDENTITY)


def render_secrets(repo: Repository, payload: dict[str, Any]) -> RenderedSecrets:
    """Secret name -> data, for every ExternalSecret whose data reads the payload document (`config`); an
    ExternalSecret that does not render is recorded in `errors` and the others still render."""
    text = payload_mod.dumps(payload)
    out = RenderedSecrets()
    for es in repo.external_secrets:
        context: dict[str, Any] = {}
        for item in es.data:
            secret_key = item.get("secretKey")
            if isinstance(secret_key, str):
                context[secret_key] = text
        try:
            out[es.target_name] = render_target_data(es.template_data, context)
        except TemplateError as exc:
            out.errors[es.target_name] = f"ESO would fail ExternalSecret {es.name} (template: {exc})"
    return out


def secret_value(secrets_: dict[str, dict[str, str]], name: str, key: str, why: str) -> str:
    errors = getattr(secrets_, "errors", {})
    if name in errors and name not in secrets_:
        raise SecretNotRendered(f"{why}: Secret {name} is never made: {errors[name]}; a pod that reads it "
                                "waits in CreateContainerConfigError")
    if name not in secrets_:
        raise JobEnvError(f"{why}: Secret {name} is not made by any ExternalSecret in the repository")
    if key not in secrets_[name]:
        raise JobEnvError(f"{why}: Secret {name} has no key {key!r}")
    return secrets_[name][key]


def build(values: dict[str, Any], secrets_: dict[str, dict[str, str]], airflow_version: str,
          airflow_home: str, *, user_job: bool = True) -> JobEnv:
    """The env of an Airflow container the chart renders; `user_job` adds `createUserJob.env` (only the
    create-user Job has it, so a broken default-user Secret does not touch the migration Job)."""
    env: dict[str, str] = {}
    sources: dict[str, str] = {}
    for ref in chart.SECRET_REFS:
        if not ref.env or set(ref.env) & JOB_ONLY_SKIPPED or not chart.applies_to(ref, airflow_version):
            continue
        name = get_path(values, ref.value_path)
        if not isinstance(name, str) or not name:
            if ref.generated_how in ("random each render", "pre-install hook"):  # a random value stands in
                value = Fernet.generate_key().decode() if ref.data_key == "fernet-key" else pysecrets.token_urlsafe(32)
                for var in ref.env:
                    env[var], sources[var] = value, f"chart-generated {ref.chart_generates}"
                continue
            raise JobEnvError(f"values leave {ref.value_path} unset: the chart would build "
                              f"{ref.chart_generates} from values this tier does not model")
        value = secret_value(secrets_, name, ref.data_key, ref.value_path)
        for var in ref.env:
            env[var], sources[var] = value, f"{name}/{ref.data_key}"
    env["AIRFLOW_HOME"], sources["AIRFLOW_HOME"] = airflow_home, "chart (/opt/airflow; a temp dir here)"
    if versions.is_airflow3(airflow_version):
        manager = get_path(values, "config.core.auth_manager") or chart.AUTH_MANAGER_AIRFLOW3
        env["AIRFLOW__CORE__AUTH_MANAGER"], sources["AIRFLOW__CORE__AUTH_MANAGER"] = str(manager), "chart config"
    items = env_items(get_path(values, "createUserJob.env"), secrets_, "createUserJob.env") if user_job else {}
    for var, (value, source) in items.items():
        env[var], sources[var] = value, source
    return JobEnv(env, sources)


def env_items(items: Any, secrets_: dict[str, dict[str, str]], where: str) -> dict[str, tuple[str, str]]:
    """A values `env` list (`value`, or `valueFrom.secretKeyRef` read from the Secrets): var -> (value, source)."""
    out: dict[str, tuple[str, str]] = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        var = item["name"]
        ref = (item.get("valueFrom") or {}).get("secretKeyRef") if isinstance(item.get("valueFrom"), dict) else None
        if isinstance(ref, dict):
            out[var] = (secret_value(secrets_, str(ref.get("name")), str(ref.get("key")), f"{where} {var}"),
                        f"{ref.get('name')}/{ref.get('key')}")
        elif "value" in item:
            out[var] = (str(item["value"]), f"{where} value")
    return out
