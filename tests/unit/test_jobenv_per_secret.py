"""One broken ExternalSecret fails only its own Secret and what reads it (ESO reconciles each one alone).

Plain data: the reference repository's ExternalSecrets rendered against a payload, as ESO would."""

from __future__ import annotations

import pytest

from e2e import payload as payload_mod
from e2e.components import jobenv
from e2e.install import airflow_install


@pytest.fixture(scope="module")
def rendered(repo):
    """The reference install's values and its Secrets rendered from a payload without the admin password."""
    data = payload_mod.generate()
    del data["createUserJob"]["defaultUser"]["password"]
    return airflow_install(repo).values, jobenv.render_secrets(repo, data)


def test_a_template_naming_a_missing_key_fails_only_its_secret(rendered):
    _, secrets = rendered
    assert list(secrets.errors) == ["airflow-default-user"]
    assert "password" in secrets.errors["airflow-default-user"]
    assert {"airflow-fernet-key", "airflow-metadata", "airflow-ssh-secret"} <= set(secrets)


def test_the_migration_job_env_does_not_read_the_broken_default_user_secret(rendered):
    env = jobenv.build(*rendered, "3.1.8", "/tmp/home", user_job=False)
    assert env.sources["AIRFLOW__CORE__FERNET_KEY"] == "airflow-fernet-key/fernet-key"
    assert "AIRFLOW_DEFAULT_PASSWORD" not in env.env


def test_the_create_user_job_env_names_the_secret_eso_would_fail(rendered):
    with pytest.raises(jobenv.SecretNotRendered, match="Secret airflow-default-user is never made: ESO would fail"):
        jobenv.build(*rendered, "3.1.8", "/tmp/home")
