"""Every rule: its finding appears on a reference repository broken in one place, and not on the reference.

Plain files only: each case copies fixtures/gitops into tmp_path and edits one thing, as a user's commit would.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from e2e.preflight.rules import all_rules

VALUES = "apps/airflow/airflow-values.yaml"
ES = "apps/airflow/external-secrets.yaml"
STORE = "apps/airflow/cluster-secret-store.yaml"
SECRETS_APP = "argocd/apps/airflow-secrets.yaml"
CHART_APP = "argocd/apps/airflow.yaml"
POLICY = "vault/policies/airflow-secret-read.hcl"
ROLE = "vault/roles/external-secrets-airflow.yaml"
HOST_KEY = "AAAAC3NzaC1lZDI1NTE5AAAAIP2Aq6k1c5i5EelQdEiaxijHMyuOHJtSyvlnDN/bKp7/"
KNOWN_HOSTS_LINE = f"git.example.com ssh-ed25519 {HOST_KEY}"
DEFAULT_USER_EMAIL_ENV = """    - name: AIRFLOW_DEFAULT_EMAIL
      valueFrom:
        secretKeyRef:
          name: airflow-default-user
          key: email
"""


def _no_parent(r):
    r.remove("argocd/root.yaml")


def _wrong_wave(r):
    r.edit(SECRETS_APP, 'sync-wave: "5"', 'sync-wave: "15"')


def _no_health_check(r):
    r.remove("argocd/config/argocd-cm.yaml")


def _values_in_directory_source(r):
    r.edit(SECRETS_APP, "    directory:\n      exclude: airflow-values.yaml\n", "")


def _chart_range(r):
    r.edit(CHART_APP, "targetRevision: 1.21.0", "targetRevision: 1.21.*")


def _broken_yaml_file(r):
    r.write("apps/airflow/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n")


def _templated_file(r):
    r.write("rendered/configmap.yaml", "apiVersion: v1\nkind: ConfigMap\n{{- if .Values.x }}\ndata: {}\n")


def _chart_folder(r):
    r.write("charts/tools/Chart.yaml", "apiVersion: v2\nname: tools\nversion: 0.1.0\n")
    r.write("charts/tools/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                              "  name: {{ .Release.Name }}\n")


def _secrets_from_other_repository(r):
    r.edit("argocd/apps/airflow-secrets.yaml", "ssh://git@git.example.com/platform/k8s-infra.git",
           "https://github.com/other-team/shared-secrets.git")
    r.options["repo_urls"] = ["git@git.example.com:platform/k8s-infra.git"]


def _terraform_policy_from_variable(r):
    r.write("terraform/vault.tf", 'resource "vault_policy" "extra" {\n  name   = "extra"\n'
                                  '  policy = var.extra_policy\n}\n')


def _secret_committed(r):
    r.write("apps/airflow/extra-secret.yaml", "apiVersion: v1\nkind: Secret\n"
            "metadata: {name: extra, namespace: airflow}\ndata:\n  token: c2VjcmV0LXRva2Vu\n")


SCHEMAS = Path(__file__).resolve().parent / "schemas"


def _misspelt_value_key(r):
    r.edit(VALUES, "fernetKeySecretName:", "fernetKeySecretname:")
    r.options["chart_schema"] = SCHEMAS


def _renamed_value_key(r):
    r.write(VALUES, (r.root / VALUES).read_text() + "webserver:\n  defaultUser:\n    enabled: true\n")


def _chart_unknown(r):
    r.edit(CHART_APP, "targetRevision: 1.21.0", "targetRevision: 1.99.0")


def _es_removed_for_jwt(r):
    r.edit(ES, "    name: airflow-jwt-secret\n    creationPolicy",
           "    name: airflow-jwt-secret-old\n    creationPolicy")


def _misspelt_data_key(r):
    r.edit(ES, "fernet-key: '{{", "fernetKey: '{{")


def _jwt_name_unset(r):
    r.edit(VALUES, "jwtSecretName: airflow-jwt-secret\n", "")


def _fernet_name_unset(r):
    r.edit(VALUES, "fernetKeySecretName: airflow-fernet-key\n", "")


def _inline_fernet(r):
    r.edit(VALUES, "executor: CeleryExecutor\n", "executor: CeleryExecutor\nfernetKey: not-in-git-please\n")


def _template_typo(r):
    r.edit(ES, "(fromYaml .config).jwtSecret", "(fromYaml .config).jwtSecrett")


def _template_unsupported(r):
    r.edit(ES, "'{{ (fromYaml .config).jwtSecret }}'", "'{{ if .config }}x{{ end }}'")


def _template_unclosed(r):
    r.edit(ES, "'{{ (fromYaml .config).jwtSecret }}'", "'{{ (fromYaml .config).jwtSecret }'")


def _refresh_zero(r):
    r.edit(ES, "refreshInterval: 2m", "refreshInterval: 0s")


def _default_not_written(r):
    r.edit(ES, "    deletionPolicy: Retain\n", "")


def _vault_http(r):
    r.edit(STORE, '"https://vault.example.internal:8200"', '"http://vault.example.internal:8200"')


def _vault_no_ca(r):
    r.edit(STORE, "      caProvider:\n        type: ConfigMap\n        name: vault-ca\n"
                  "        namespace: external-secrets\n        key: ca.crt\n", "")


def _ca_provider_without_namespace(r):
    r.edit(STORE, "        namespace: external-secrets\n        key: ca.crt\n", "        key: ca.crt\n")


def _ca_bundle_only(r):
    r.edit(STORE, "      caProvider:\n        type: ConfigMap\n        name: vault-ca\n"
                  "        namespace: external-secrets\n        key: ca.crt\n", "      caBundle: LS0tLS1CRUdJTg==\n")


def _store_same_wave(r):
    r.edit(STORE, '    argocd.argoproj.io/sync-wave: "-1"\n', "")


def _user_job_ttl(r):
    r.edit(VALUES, "  jobAnnotations:\n    argocd.argoproj.io/hook: Sync\n", "")  # the first is createUserJob's


def _policy_without_data(r):
    r.edit(POLICY, 'path "secret/data/airflow/*"', 'path "secret/airflow/*"')


def _role_missing(r):
    r.edit(STORE, "role: external-secrets-airflow", "role: external-secrets-other")


def _role_other_namespace(r):
    r.edit(ROLE, "bound_service_account_namespaces: external-secrets", "bound_service_account_namespaces: eso")


def _role_other_audience(r):
    r.edit(ROLE, "audience: https://kubernetes.default.svc.cluster.local", "audience: vault")


def _policy_other_path(r):
    r.edit(POLICY, 'path "secret/data/airflow/*"', 'path "secret/data/other/*"')


def _known_hosts_missing(r):
    r.edit(VALUES, f"    knownHosts: |\n      {KNOWN_HOSTS_LINE}\n", "")


def _known_hosts_placeholder(r):
    r.edit(VALUES, HOST_KEY, "<verified-public-host-key>")


def _known_hosts_names_port_22_in_brackets(r):
    """ssh looks port 22 up as the bare host, never `[host]:22` (off port 22 a bare line IS its fallback)."""
    r.edit(VALUES, "      git.example.com ssh-ed25519", "      [git.example.com]:22 ssh-ed25519")


def _strict_host_key_checking_off(r):
    r.edit(VALUES, "executor: CeleryExecutor\n", "executor: CeleryExecutor\nextraEnv: |\n  - name: GIT_SSH_COMMAND\n"
           "    value: ssh -o StrictHostKeyChecking=no\n")


def _migrate_hooks_on(r):
    r.edit(VALUES, "migrateDatabaseJob:\n  enabled: true\n  useHelmHooks: false",
           "migrateDatabaseJob:\n  enabled: true\n  useHelmHooks: true")


def _create_user_custom_env(r):
    r.edit(VALUES, "createUserJob:\n  enabled: true\n  useHelmHooks: false\n  applyCustomEnv: false",
           "createUserJob:\n  enabled: true\n  useHelmHooks: false\n  applyCustomEnv: true")


def _user_env_dropped(r):
    r.edit(VALUES, DEFAULT_USER_EMAIL_ENV, "")


def _values_ref_unknown(r):
    r.edit(CHART_APP, "$values/apps/airflow/airflow-values.yaml", "$cfg/apps/airflow/airflow-values.yaml")


def _flux_install(r):
    r.write("flux/airflow.yaml", "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n"
            "  name: airflow\n  namespace: flux-system\nspec:\n  chart:\n    spec:\n      chart: airflow\n")


def _link_out_of_the_repository(r):
    (r.root / "NOTES").symlink_to("/etc/passwd")


def _application_without_name(r):
    r.edit("argocd/apps/airflow.yaml", "metadata:\n  name: airflow\n", "metadata:\n")


def _duplicate_key(r):
    r.edit(VALUES, "executor: CeleryExecutor\n", "executor: CeleryExecutor\nexecutor: LocalExecutor\n")


def _password_argument(r):
    r.edit(VALUES, '        --email "${AIRFLOW_DEFAULT_EMAIL}" \\\n',
           '        --email "${AIRFLOW_DEFAULT_EMAIL}" --password "${AIRFLOW_DEFAULT_PASSWORD}" \\\n')


def _wrong_type(r):
    r.edit(VALUES, "executor: CeleryExecutor\n", "executor: CeleryExecutor\nextraSecrets: [1]\n")


BREAKS: dict[str, Callable] = {
    "job-password-on-command-line": _password_argument,
    "object-shape-invalid": _wrong_type,
    "duplicate-key": _duplicate_key,
    "object-without-name": _application_without_name,
    "file-not-read": _link_out_of_the_repository,
    "values-unresolved": _values_ref_unknown,
    "airflow-installed-elsewhere": _flux_install,
    "waves-without-parent": _no_parent,
    "waves-wrong-order": _wrong_wave,
    "app-health-check-missing": _no_health_check,
    "directory-source-non-kubernetes-file": _values_in_directory_source,
    "chart-version-not-pinned": _chart_range,
    "chart-version-unknown": _chart_unknown,
    "file-unreadable": _broken_yaml_file,
    "file-templated": _templated_file,
    "helm-chart-templates-not-read": _chart_folder,
    "source-in-other-repository": _secrets_from_other_repository,
    "terraform-vault-not-resolved": _terraform_policy_from_variable,
    "secret-committed-with-data": _secret_committed,
    "values-key-unknown": _misspelt_value_key,
    "values-key-renamed": _renamed_value_key,
    "secret-without-external-secret": _es_removed_for_jwt,
    "secret-data-key-missing": _misspelt_data_key,
    "secret-data-key-unread": _misspelt_data_key,
    "secret-name-unset": _jwt_name_unset,
    "eso-target-collides-with-chart-secret": _fernet_name_unset,
    "inline-secret-value": _inline_fernet,
    "template-path-missing-in-example": _template_typo,
    "template-unsupported": _template_unsupported,
    "eso-template-does-not-parse": _template_unclosed,
    "eso-refresh-never": _refresh_zero,
    "eso-defaulted-fields-missing": _default_not_written,
    "vault-without-tls": _vault_http,
    "vault-tls-without-ca": _vault_no_ca,
    "vault-ca-provider-without-namespace": _ca_provider_without_namespace,
    "vault-ca-bundle-only": _ca_bundle_only,
    "store-same-wave-as-external-secrets": _store_same_wave,
    "job-user-ttl-recreated": _user_job_ttl,
    "vault-kv2-policy-without-data": _policy_without_data,
    "vault-role-not-found": _role_missing,
    "vault-role-service-account-mismatch": _role_other_namespace,
    "vault-role-audience-mismatch": _role_other_audience,
    "vault-policy-missing-read": _policy_other_path,
    "gitsync-known-hosts-missing": _known_hosts_missing,
    "gitsync-known-hosts-placeholder": _known_hosts_placeholder,
    "gitsync-known-hosts-host-mismatch": _known_hosts_names_port_22_in_brackets,
    "host-key-checking-disabled": _strict_host_key_checking_off,
    "job-helm-hooks-enabled": _migrate_hooks_on,
    "job-apply-custom-env": _create_user_custom_env,
    "job-script-env-missing": _user_env_dropped,
}
REPO_RULES = sorted(r.id for r in all_rules() if not r.needs_payload)


def test_every_repository_rule_has_a_breaking_case():
    assert sorted(BREAKS) == REPO_RULES


@pytest.mark.parametrize("rule_id", REPO_RULES)
def test_rule_is_silent_on_the_reference_repository(reference_report, rule_id):
    assert rule_id not in {f.rule for f in reference_report.findings}


@pytest.mark.parametrize("rule_id", sorted(BREAKS))
def test_rule_fires_on_a_repository_broken_in_one_place(repo_copy, rule_id):
    BREAKS[rule_id](repo_copy)
    findings = [f for f in repo_copy.run().findings if f.rule == rule_id]
    assert findings, f"{rule_id} did not fire"
    for f in findings:
        assert f.file and not f.file.startswith("/"), "file is relative to DIR"
        assert f.object and f.message and f.hint


def test_reference_repository_has_no_findings_at_all(reference_report):
    assert [f"{f.rule} {f.file}:{f.line}" for f in reference_report.findings] == []
