"""The stack came up as the seed describes: read like its "Validate" section, against the live cluster."""

from __future__ import annotations

import yaml

from e2e.config import RUN_ID_LABEL
from e2e.stack import argocd, expected, pushed
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
    namespace, name, key = expected.ca_config_map(stack.repo, stack.config)
    cm = stack.kube.get("configmap", name, namespace)
    assert cm["data"][key] == stack.vault.ca_pem


def test_payload_in_vault_is_the_run_payload(stack):
    assert stack.vault.read_payload() == stack.payload


def test_git_server_holds_the_gitops_repository_with_only_known_hosts_swapped(stack):
    assert stack.git.head("gitops")
    line = expected.dags_known_hosts_line(stack.repo, stack.git.host_public_key)
    for rel in pushed.known_hosts_files(stack.repo):
        values = yaml.safe_load(stack.git.read("gitops", rel))
        assert values["dags"]["gitSync"]["knownHosts"].strip() == line, rel


def test_argocd_trusts_exactly_the_test_server_host_key(stack):
    cm = stack.kube.get("configmap", "argocd-ssh-known-hosts-cm", stack.config.argocd_namespace)
    assert cm["data"]["ssh_known_hosts"].strip().splitlines() == expected.argocd_known_hosts_lines(
        stack.repo, stack.git.host_public_key)


def test_generated_secrets_exist_as_the_seed_checks_them(stack):
    for namespace, name in expected.external_secret_targets(stack.repo):
        assert stack.kube.get("secret", name, namespace or stack.config.airflow_namespace) is not None, name
