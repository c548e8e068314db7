"""The component tier on a team's own repository (fixtures/variants/team-repo), reusing the session's real
servers: only what differs from the reference runs here. The Job environment comes from the `dp-*`
ExternalSecrets (payload at property `settings`, SSH key under `extraSecrets.dp-git-ssh`), git-sync clones with
the `[git.corp.internal]:2222` known_hosts line pointed at the local server, and the variant's createUserJob
script runs with that environment against a fresh, migrated database.

The servers belong to the session, so the variant payload keeps their credentials (metadata connection, broker
URL, Redis password, the deploy key the sshd authorizes); everything else is generated in the variant's shape.
The session's Airflow venv is reused (the variant pins chart 1.22.0; the Job's script and env do not depend on
the minor Airflow version, and a second venv would cost a minute)."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e import payload as payload_mod
from e2e.components import inputs
from e2e.config import DEFAULT_DAGS_DIR
from e2e.masking import secret_values

pytestmark = pytest.mark.components

VARIANT = Path(__file__).resolve().parents[2] / "fixtures" / "variants" / "team-repo"
SHARED_CREDENTIALS = ("metadataConnection", "brokerUrl", "redisPassword")


@pytest.fixture(scope="module")
def variant_suite(component_stack, suite_on, tmp_path_factory):
    found = inputs.load_inputs(VARIANT, airflow_version=component_stack.inputs.airflow_version)
    variant = payload_mod.generate(**payload_mod.shape_for(found.repo))
    variant.update({k: component_stack.payload[k] for k in SHARED_CREDENTIALS})
    variant["extraSecrets"]["dp-git-ssh"]["data"]["gitSshKey"] = payload_mod.git_ssh_key(component_stack.payload)
    component_stack.protect(*secret_values(variant))
    suite = suite_on(inputs=found, payload=variant, workdir=tmp_path_factory.mktemp("variant-work"),
                     artifacts=tmp_path_factory.mktemp("variant-artifacts"))
    suite.stack.payload = suite.stack.fresh_database("variant")
    settings = suite.settings()
    suite.stack.dags_commit = component_stack.git.add_repository(settings["path"], DEFAULT_DAGS_DIR, settings["branch"])
    return suite


@pytest.fixture(scope="module")
def variant_stack(variant_suite):
    return variant_suite.stack


def test_job_environment_reads_the_variants_dp_secrets(variant_stack):
    job = variant_stack.job_env()
    assert job.sources["AIRFLOW__CORE__FERNET_KEY"] == "dp-fernet/fernet-key"
    assert job.sources["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == "dp-metadata/connection"
    assert job.sources["AIRFLOW_DEFAULT_PASSWORD"] == "dp-admin-user/password"
    assert job.env["AIRFLOW_DEFAULT_PASSWORD"] == variant_stack.payload["createUserJob"]["defaultUser"]["password"]


def test_git_sync_settings_name_the_corp_host_on_port_2222(variant_suite):
    settings = variant_suite.settings()
    assert (settings["host"], settings["port"], settings["path"]) == ("git.corp.internal", 2222, "data/dags.git")


def test_git_sync_clones_with_the_bracketed_host_port_known_hosts(variant_suite, variant_stack):
    result = variant_suite.result("git-sync.clone-with-known-hosts")
    assert result.outcome == "pass", result.summary
    assert variant_stack.dags_commit[:12] in result.summary
    assert any("ssh uses for [git.corp.internal]:2222 now name" in line for line in result.evidence), result.evidence


def test_git_sync_refuses_a_wrong_key_on_the_bracketed_line(variant_suite):
    result = variant_suite.result("git-sync.refuses-wrong-host-key")
    assert result.outcome == "pass", result.summary
    assert any("ssh uses for [git.corp.internal]:2222" in line for line in result.evidence), result.evidence


def test_the_variants_user_job_script_succeeds_with_the_dp_admin_user(variant_suite):
    result = variant_suite.result("user-job.script-succeeds")
    assert result.outcome == "pass", result.summary
    auth = variant_suite.result("user-job.password-authenticates")
    assert auth.outcome == "pass", auth.summary
