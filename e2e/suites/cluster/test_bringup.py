"""The stack came up as the seed describes: read like its "Validate" section, against the live cluster."""

from __future__ import annotations

import yaml

from e2e.config import RUN_ID_LABEL
from e2e.stack import argocd
from e2e.stack.common import run_namespaces


def test_both_child_applications_are_synced_and_healthy(stack):
    for name in argocd.child_applications(stack.repo):
        app = stack.kube.get("applications.argoproj.io", name, stack.config.argocd_namespace)
        assert argocd.application_state(app)[0] == "ok", argocd.application_state(app)[1]


def test_every_namespace_of_the_run_carries_the_run_id(stack):
    for name in run_namespaces(stack.config):
        ns = stack.kube.get("namespace", name)
        assert ns["metadata"]["labels"][RUN_ID_LABEL] == stack.config.run_id


def test_vault_answers_over_tls_with_the_published_ca_unsealed(stack):
    health = stack.vault.health()
    assert health["sealed"] is False and health["initialized"] is True
    cm = stack.kube.get("configmap", "vault-ca", stack.config.eso_namespace)
    assert cm["data"]["ca.crt"] == stack.vault.ca_pem


def test_payload_in_vault_is_the_run_payload(stack):
    assert stack.vault.read_payload() == stack.payload


def test_git_server_holds_the_gitops_repository_with_only_known_hosts_swapped(stack):
    assert stack.git.head("gitops")
    values = yaml.safe_load(stack.git.read("gitops", "apps/airflow/airflow-values.yaml"))
    assert values["dags"]["gitSync"]["knownHosts"].strip() == f"{stack.git.host} {stack.git.host_public_key}"


def test_argocd_trusts_exactly_the_test_server_host_key(stack):
    cm = stack.kube.get("configmap", "argocd-ssh-known-hosts-cm", stack.config.argocd_namespace)
    assert cm["data"]["ssh_known_hosts"].strip() == f"{stack.git.host} {stack.git.host_public_key}"


def test_generated_secrets_exist_as_the_seed_checks_them(stack):
    for name in ("airflow-fernet-key", "airflow-metadata", "airflow-ssh-secret"):
        assert stack.kube.get("secret", name, stack.config.airflow_namespace) is not None, name
