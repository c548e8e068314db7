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
SCHEMAS = Path(__file__).resolve().parent / "schemas"
CA_PROVIDER = ("      caProvider:\n        type: ConfigMap\n        name: vault-ca\n"
               "        namespace: external-secrets\n        key: ca.crt\n")


def edit(rel: str, old: str, new: str, **options) -> Callable:
    """One text edit of the copy (it must apply), plus run_preflight options the case needs."""
    return lambda r: (r.edit(rel, old, new), r.options.update(options))


def write(rel: str, text: str, append: bool = False) -> Callable:
    return lambda r: r.write(rel, ((r.root / rel).read_text() if append else "") + text)


def _link_out_of_the_repository(r):
    (r.root / "NOTES").symlink_to("/etc/passwd")


def _chart_folder(r):
    r.write("charts/tools/Chart.yaml", "apiVersion: v2\nname: tools\nversion: 0.1.0\n")
    r.write("charts/tools/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                              "  name: {{ .Release.Name }}\n")


MISSPELT_DATA_KEY = edit(ES, "fernet-key: '{{", "fernetKey: '{{")
BREAKS: dict[str, Callable] = {
    "job-password-on-command-line": edit(VALUES, '        --email "${AIRFLOW_DEFAULT_EMAIL}" \\\n',
                                         '        --email "${AIRFLOW_DEFAULT_EMAIL}" --password '
                                         '"${AIRFLOW_DEFAULT_PASSWORD}" \\\n'),
    "object-shape-invalid": edit(VALUES, "executor: CeleryExecutor\n", "executor: CeleryExecutor\nextraSecrets: [1]\n"),
    "duplicate-key": edit(VALUES, "executor: CeleryExecutor\n", "executor: CeleryExecutor\nexecutor: LocalExecutor\n"),
    "object-without-name": edit(CHART_APP, "metadata:\n  name: airflow\n", "metadata:\n"),
    "file-not-read": _link_out_of_the_repository,
    "values-unresolved": edit(CHART_APP, "$values/apps/airflow/airflow-values.yaml",
                              "$cfg/apps/airflow/airflow-values.yaml"),
    "airflow-installed-elsewhere": write("flux/airflow.yaml", "apiVersion: helm.toolkit.fluxcd.io/v2\n"
                                         "kind: HelmRelease\nmetadata:\n  name: airflow\n  namespace: flux-system\n"
                                         "spec:\n  chart:\n    spec:\n      chart: airflow\n"),
    "waves-without-parent": lambda r: r.remove("argocd/root.yaml"),
    "waves-wrong-order": edit(SECRETS_APP, 'sync-wave: "5"', 'sync-wave: "15"'),
    "app-health-check-missing": lambda r: r.remove("argocd/config/argocd-cm.yaml"),
    "directory-source-non-kubernetes-file": edit(SECRETS_APP, "    directory:\n      exclude: airflow-values.yaml\n",
                                                 ""),
    "chart-version-not-pinned": edit(CHART_APP, "targetRevision: 1.21.0", "targetRevision: 1.21.*"),
    "chart-version-unknown": edit(CHART_APP, "targetRevision: 1.21.0", "targetRevision: 1.99.0"),
    "file-unreadable": write("apps/airflow/extra.yaml", "apiVersion: v1\nkind: ConfigMap\n"
                             "metadata: {name: [unclosed\n"),
    "file-templated": write("rendered/configmap.yaml", "apiVersion: v1\nkind: ConfigMap\n{{- if .Values.x }}\n"
                            "data: {}\n"),
    "helm-chart-templates-not-read": _chart_folder,
    "source-in-other-repository": edit(SECRETS_APP, "ssh://git@git.example.com/platform/k8s-infra.git",
                                       "https://github.com/other-team/shared-secrets.git",
                                       repo_urls=["git@git.example.com:platform/k8s-infra.git"]),
    "terraform-vault-not-resolved": write("terraform/vault.tf", 'resource "vault_policy" "extra" {\n'
                                          '  name   = "extra"\n  policy = var.extra_policy\n}\n'),
    "secret-committed-with-data": write("apps/airflow/extra-secret.yaml", "apiVersion: v1\nkind: Secret\n"
                                        "metadata: {name: extra, namespace: airflow}\ndata:\n"
                                        "  token: c2VjcmV0LXRva2Vu\n"),
    "values-key-unknown": edit(VALUES, "fernetKeySecretName:", "fernetKeySecretname:", chart_schema=SCHEMAS),
    "values-key-renamed": write(VALUES, "webserver:\n  defaultUser:\n    enabled: true\n", append=True),
    "secret-without-external-secret": edit(ES, "    name: airflow-jwt-secret\n    creationPolicy",
                                           "    name: airflow-jwt-secret-old\n    creationPolicy"),
    "secret-data-key-missing": MISSPELT_DATA_KEY,
    "secret-data-key-unread": MISSPELT_DATA_KEY,
    "secret-name-unset": edit(VALUES, "jwtSecretName: airflow-jwt-secret\n", ""),
    "eso-target-collides-with-chart-secret": edit(VALUES, "fernetKeySecretName: airflow-fernet-key\n", ""),
    "inline-secret-value": edit(VALUES, "executor: CeleryExecutor\n",
                                "executor: CeleryExecutor\nfernetKey: not-in-git-please\n"),
    "template-path-missing-in-example": edit(ES, "(fromYaml .config).jwtSecret", "(fromYaml .config).jwtSecrett"),
    "template-unsupported": edit(ES, "'{{ (fromYaml .config).jwtSecret }}'", "'{{ if .config }}x{{ end }}'"),
    "eso-template-does-not-parse": edit(ES, "'{{ (fromYaml .config).jwtSecret }}'",
                                        "'{{ (fromYaml .config).jwtSecret }'"),
    "eso-refresh-never": edit(ES, "refreshInterval: 2m", "refreshInterval: 0s"),
    "eso-defaulted-fields-missing": edit(ES, "    deletionPolicy: Retain\n", ""),
    "vault-without-tls": edit(STORE, '"https://vault.example.internal:8200"', '"http://vault.example.internal:8200"'),
    "vault-tls-without-ca": edit(STORE, CA_PROVIDER, ""),
    "vault-ca-provider-without-namespace": edit(STORE, "        namespace: external-secrets\n        key: ca.crt\n",
                                                "        key: ca.crt\n"),
    "vault-ca-bundle-only": edit(STORE, CA_PROVIDER, "      caBundle: LS0tLS1CRUdJTg==\n"),
    "store-same-wave-as-external-secrets": edit(STORE, '    argocd.argoproj.io/sync-wave: "-1"\n', ""),
    # the first jobAnnotations block is createUserJob's
    "job-user-ttl-recreated": edit(VALUES, "  jobAnnotations:\n    argocd.argoproj.io/hook: Sync\n", ""),
    "vault-kv2-policy-without-data": edit(POLICY, 'path "secret/data/airflow/*"', 'path "secret/airflow/*"'),
    "vault-role-not-found": edit(STORE, "role: external-secrets-airflow", "role: external-secrets-other"),
    "vault-role-service-account-mismatch": edit(ROLE, "bound_service_account_namespaces: external-secrets",
                                                "bound_service_account_namespaces: eso"),
    "vault-role-audience-mismatch": edit(ROLE, "audience: https://kubernetes.default.svc.cluster.local",
                                         "audience: vault"),
    "vault-policy-missing-read": edit(POLICY, 'path "secret/data/airflow/*"', 'path "secret/data/other/*"'),
    "gitsync-known-hosts-missing": edit(VALUES, f"    knownHosts: |\n      {KNOWN_HOSTS_LINE}\n", ""),
    "gitsync-known-hosts-placeholder": edit(VALUES, HOST_KEY, "<verified-public-host-key>"),
    # ssh looks port 22 up as the bare host, never `[host]:22` (off port 22 a bare line IS its fallback)
    "gitsync-known-hosts-host-mismatch": edit(VALUES, "      git.example.com ssh-ed25519",
                                              "      [git.example.com]:22 ssh-ed25519"),
    "host-key-checking-disabled": edit(VALUES, "executor: CeleryExecutor\n", "executor: CeleryExecutor\n"
                                       "extraEnv: |\n  - name: GIT_SSH_COMMAND\n"
                                       "    value: ssh -o StrictHostKeyChecking=no\n"),
    "job-helm-hooks-enabled": edit(VALUES, "migrateDatabaseJob:\n  enabled: true\n  useHelmHooks: false",
                                   "migrateDatabaseJob:\n  enabled: true\n  useHelmHooks: true"),
    "job-apply-custom-env": edit(VALUES, "createUserJob:\n  enabled: true\n  useHelmHooks: false\n"
                                 "  applyCustomEnv: false", "createUserJob:\n  enabled: true\n"
                                 "  useHelmHooks: false\n  applyCustomEnv: true"),
    "job-script-env-missing": edit(VALUES, DEFAULT_USER_EMAIL_ENV, ""),
}
REPO_RULES = sorted(r.id for r in all_rules() if not r.needs_payload)


def test_every_repository_rule_has_a_breaking_case():
    assert sorted(BREAKS) == REPO_RULES


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
