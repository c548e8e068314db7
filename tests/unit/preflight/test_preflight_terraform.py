"""Vault policies and kubernetes auth roles kept in Terraform are checked like vault/policies and vault/roles
(issue 14 point 6): a heredoc, a jsonencode object or a vault_policy_document, and role references."""

from __future__ import annotations

import shutil

import pytest

TERRAFORM = '''terraform {
  required_providers {
    vault = { source = "hashicorp/vault" }
  }
}

resource "vault_policy" "airflow" {
  name   = "airflow-secret-read"
  policy = <<-EOT
    path "secret/data/airflow/*" {
      capabilities = ["read"]
    }
  EOT
}

resource "vault_kubernetes_auth_backend_role" "eso" {
  backend                          = vault_auth_backend.kubernetes.path
  role_name                        = "external-secrets-airflow"
  bound_service_account_names      = ["external-secrets"]
  bound_service_account_namespaces = ["external-secrets"]
  token_policies                   = [vault_policy.airflow.name]
  audience                         = "https://kubernetes.default.svc.cluster.local"
  token_ttl                        = 3600
}
'''

DOCUMENT_POLICY = '''data "vault_policy_document" "airflow" {
  rule {
    path         = "secret/data/airflow/*"
    capabilities = ["read"]
  }
}

resource "vault_policy" "airflow" {
  name   = "airflow-secret-read"
  policy = data.vault_policy_document.airflow.hcl
}
'''


@pytest.fixture
def terraform_repo(repo_copy):
    """The reference with its Vault config moved from vault/policies + vault/roles into terraform/vault.tf."""
    shutil.rmtree(repo_copy.root / "vault" / "policies")
    shutil.rmtree(repo_copy.root / "vault" / "roles")
    return repo_copy.write("terraform/vault.tf", TERRAFORM)


def findings(report):
    return [(f.rule, f.file, f.line) for f in report.findings]


def test_vault_config_in_terraform_is_read_and_the_reference_stays_clean(terraform_repo):
    report = terraform_repo.run()
    assert findings(report) == []
    from e2e.gitops import load_repository

    repo = load_repository(terraform_repo.root)
    assert [(p.name, p.rules, p.origin.line) for p in repo.policies] == [
        ("airflow-secret-read", {"secret/data/airflow/*": ["read"]}, 7)]
    [role] = repo.roles
    assert (role.name, role.listed("policies"), role.origin.file) == (
        "external-secrets-airflow", ["airflow-secret-read"], "terraform/vault.tf")


def test_a_policy_document_is_resolved(terraform_repo):
    text = TERRAFORM.split('resource "vault_kubernetes_auth_backend_role"')[1]
    terraform_repo.write("terraform/vault.tf", DOCUMENT_POLICY + 'resource "vault_kubernetes_auth_backend_role"'
                         + text)
    assert findings(terraform_repo.run()) == []


def test_a_role_bound_to_another_namespace_in_terraform_is_found(terraform_repo):
    terraform_repo.edit("terraform/vault.tf", 'bound_service_account_namespaces = ["external-secrets"]',
                        'bound_service_account_namespaces = ["eso"]')
    assert ("vault-role-service-account-mismatch", "apps/airflow/cluster-secret-store.yaml") in {
        (f.rule, f.file) for f in terraform_repo.run().findings}


def test_an_audience_mismatch_in_terraform_is_found(terraform_repo):
    terraform_repo.edit("terraform/vault.tf", 'audience                         = "https://kubernetes.default.svc'
                        '.cluster.local"', 'audience = "vault"')
    assert "vault-role-audience-mismatch" in {f.rule for f in terraform_repo.run().findings}


def test_a_policy_from_a_variable_is_an_info_never_a_guess(terraform_repo):
    terraform_repo.edit("terraform/vault.tf", "policy = <<-EOT", "policy = var.airflow_policy\n  unused = <<-EOT")
    report = terraform_repo.run()
    assert ("terraform-vault-not-resolved", "terraform/vault.tf", 7) in findings(report)


def test_broken_terraform_is_a_finding_in_that_file(terraform_repo):
    terraform_repo.write("terraform/broken.tf", 'resource "vault_policy" "x" {\n  name = \n')
    assert ("file-unreadable", "terraform/broken.tf", None) in findings(terraform_repo.run())


def test_terraform_without_vault_resources_is_not_parsed(terraform_repo, monkeypatch):
    import e2e.gitops.loader as loader

    terraform_repo.write("terraform/network.tf", "this is { not even HCL\n")
    calls = []
    monkeypatch.setattr(loader, "vault_from_terraform", lambda *a: calls.append(a) or ([], [], []))
    terraform_repo.run()
    assert [c[1] for c in calls] == ["terraform/vault.tf"]
