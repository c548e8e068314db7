"""`plan` for a team's own repository (fixtures/variants/team-repo): everything the cluster tier would apply
follows the repository's names (git.corp.internal:2222, vault-dp, kv/data-platform/airflow, release `af` in
`data-platform`), never the reference's. Plain data: the rendered objects, as the plan writes them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from e2e import payload as payload_mod
from e2e.cluster import plan as plan_mod
from e2e.config import RunConfig
from e2e.install import airflow_install, payload_location
from e2e.stack import gitserver

pytestmark = pytest.mark.unit

VARIANT = Path(__file__).resolve().parents[3] / "fixtures" / "variants" / "team-repo"


@pytest.fixture(scope="module")
def config():
    return RunConfig.from_env(gitops_dir=VARIANT, run_id="e2e-2611230000-abcd")


@pytest.fixture(scope="module")
def built(config):
    return plan_mod.prepare(config)


def _one(plan, kind, name):
    found = [o for m in plan.manifests.values() for o in m.objects
             if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def test_run_config_takes_namespace_and_chart_version_from_the_repository(config):
    assert (config.airflow_namespace, config.chart_version) == ("data-platform", "1.22.0")


def test_eso_is_installed_where_the_stores_service_account_lives(built, config):
    plan, _, _ = built
    assert config.eso_namespace == "eso-system"
    names = {o["metadata"]["name"] for o in plan.manifests["01-namespaces.yaml"].objects}
    assert "eso-system" in names and "external-secrets" not in names
    ready = next(s for s in plan.steps() if s.name == "eso.ready")
    assert ready.argv[:3] == ["kubectl", "-n", "eso-system"]


def test_explicit_chart_version_still_wins():
    assert RunConfig.from_env(gitops_dir=VARIANT, chart_version="1.21.0").chart_version == "1.21.0"


def test_namespaces_include_data_platform_not_airflow(built):
    plan, _, _ = built
    names = {o["metadata"]["name"] for m in plan.manifests.values() for o in m.objects if o["kind"] == "Namespace"}
    assert "data-platform" in names and "airflow" not in names


def test_pushed_chart_application_keeps_the_repositorys_chart_version(built):
    plan, _, _ = built
    app = yaml.safe_load(plan.repo_files["argocd/children/dp-airflow.yaml"])
    assert app["spec"]["sources"][0]["targetRevision"] == "1.22.0"


def test_coredns_rewrites_the_repositorys_git_and_vault_hosts(built, config):
    _, _, repo = built
    rewrites = plan_mod.dns_rewrites(config, repo)
    assert set(rewrites) == {"git.corp.internal", "vault.corp.internal"}
    assert rewrites["git.corp.internal"].startswith("git-server.")


def test_git_server_service_listens_on_the_urls_port(built):
    plan, _, _ = built
    service = _one(plan, "Service", gitserver.NAME)
    assert {(p["port"], p["targetPort"]) for p in service["spec"]["ports"]} == {(22, 22), (2222, 22)}


def test_argocd_known_hosts_use_the_bracketed_host_port_form(built):
    plan, material, _ = built
    cm = _one(plan, "ConfigMap", "argocd-ssh-known-hosts-cm")
    assert cm["data"]["ssh_known_hosts"].splitlines() == [
        f"[git.corp.internal]:2222 {material.host_key.public_line}"]


def test_pushed_values_known_hosts_name_the_test_server_key_in_host_port_form(built):
    plan, material, _ = built
    values = yaml.safe_load(plan.repo_files["values/airflow.yaml"])
    expected = f"[git.corp.internal]:2222 {material.host_key.public_line}"
    assert values["dags"]["gitSync"]["knownHosts"].strip() == expected


def test_store_ca_config_map_is_where_the_store_names_it(built):
    plan, _, _ = built
    cm = _one(plan, "ConfigMap", "corp-vault-ca")
    assert cm["metadata"]["namespace"] == "eso-system" and list(cm["data"]) == ["ca.pem"]


def test_vault_seed_uses_the_repositorys_mounts_role_policy_and_payload_location(built):
    _, material, repo = built
    from e2e.stack import vault

    ops = vault.seed_plan(repo, material.payload)
    assert [(o.op, o.args.get("name") or o.args.get("path")) for o in ops] == [
        ("policy", "dp-airflow-kv-read"), ("enable_auth", "kubernetes-dp"), ("configure_kubernetes", None),
        ("role", "eso-data-platform"), ("enable_kv", "kv"), ("payload", "data-platform/airflow")]
    assert ops[3].args["mount_point"] == "kubernetes-dp" and ops[3].args["policies"] == ["dp-airflow-kv-read"]
    assert ops[-1].args["mount_point"] == "kv" and list(ops[-1].args["secret"]) == ["settings"]


def test_seeded_payload_renders_every_external_secret(built):
    """What ESO will read (kv/data-platform/airflow, property `settings`) satisfies every template."""
    _, material, repo = built
    from e2e.checks.secrets import expected_data, vault_view

    view = vault_view(material.payload, *payload_location(repo))
    rendered = {es.target_name: expected_data(es, view) for es in repo.external_secrets}
    assert rendered["dp-git-ssh"]["gitSshKey"].startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----")


def test_git_server_authorizes_the_payloads_deploy_key(built):
    plan, material, _ = built
    keys = _one(plan, "Secret", "git-server-keys")["stringData"]["authorized_keys"]
    assert payload_mod.public_key_of(payload_mod.git_ssh_key(material.payload)) in keys


def test_airflow_chart_renders_with_the_repositorys_release_and_values_file(built):
    _, _, repo = built
    inst = airflow_install(repo)
    assert (inst.release, inst.values_file_paths) == ("af", ["values/airflow.yaml"])
