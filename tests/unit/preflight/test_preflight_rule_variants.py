"""Edge cases of single rules: the shapes users really write (globs, ports, hashes, Airflow 2 vs 3)."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from test_preflight_rules import CHART_APP, ES, HOST_KEY, POLICY, ROLE, SECRETS_APP, STORE, VALUES

from e2e.known_hosts import parse as parse_known_hosts
from e2e.known_hosts import ssh_endpoint
from e2e.preflight.context import glob_match
from e2e.preflight.rules.eso import is_zero_duration
from e2e.preflight.rules.jobs import used_variables
from e2e.preflight.rules.vault import vault_glob

EXCLUDE = "    directory:\n      exclude: airflow-values.yaml\n"


def fired(report, rule_id):
    return [f for f in report.findings if f.rule == rule_id]


# --- directory sources ---------------------------------------------------------------------------------------

def test_brace_glob_exclude_keeps_values_file_out(repo_copy):
    repo_copy.edit(SECRETS_APP, EXCLUDE, "    directory:\n      exclude: '{other.yaml,airflow-values.yaml}'\n")
    assert not fired(repo_copy.run(), "directory-source-non-kubernetes-file")


def test_include_glob_that_only_picks_manifests_is_enough(repo_copy):
    include = "    directory:\n      include: '{cluster-secret-store,external-secrets}.yaml'\n"
    repo_copy.edit(SECRETS_APP, EXCLUDE, include)
    assert not fired(repo_copy.run(), "directory-source-non-kubernetes-file")


def test_data_file_in_a_subdirectory_counts_only_with_recurse(repo_copy):
    repo_copy.write("apps/airflow/extra/notes.yaml", "just: data\n")
    assert not fired(repo_copy.run(), "directory-source-non-kubernetes-file")
    repo_copy.edit(SECRETS_APP, EXCLUDE, EXCLUDE + "      recurse: true\n")
    assert [f.file for f in fired(repo_copy.run(), "directory-source-non-kubernetes-file")] == [
        "apps/airflow/extra/notes.yaml"]


def test_argo_glob_star_crosses_directories():
    assert glob_match("*.yaml", "sub/values.yaml")
    assert glob_match("{a,b}/*", "b/x.yaml")
    assert not glob_match("values.yaml", "sub/values.yaml")


# --- chart pin -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("revision", ["'>=1.21.0'", "^1.21.0", "1.21", "'*'", "~1.21.0", "main"])
def test_chart_ranges_are_not_pins(repo_copy, revision):
    repo_copy.edit(CHART_APP, "targetRevision: 1.21.0", f"targetRevision: {revision}")
    assert fired(repo_copy.run(), "chart-version-not-pinned")


def test_missing_chart_revision_is_not_a_pin(repo_copy):
    repo_copy.edit(CHART_APP, "      targetRevision: 1.21.0\n", "")
    assert fired(repo_copy.run(), "chart-version-not-pinned")


# --- secrets ---------------------------------------------------------------------------------------------------

def test_default_user_secret_needs_its_external_secret(repo_copy):
    repo_copy.edit(ES, "    name: airflow-default-user\n    creationPolicy",
                   "    name: airflow-users\n    creationPolicy")
    findings = fired(repo_copy.run(), "secret-without-external-secret")
    assert [f.line for f in findings] and "airflow-default-user" in findings[0].message
    assert "createUserJob.env" in findings[0].message


def test_external_secret_in_another_namespace_does_not_count(repo_copy):
    repo_copy.edit(ES, "  name: airflow-metadata\n  namespace: airflow",
                   "  name: airflow-metadata\n  namespace: default")
    assert fired(repo_copy.run(), "secret-without-external-secret")


def test_unset_metadata_secret_name_is_a_warning(repo_copy):
    repo_copy.edit(VALUES, "  metadataSecretName: airflow-metadata\n", "")
    assert {f.severity for f in fired(repo_copy.run(), "secret-name-unset")} == {"warning"}


def test_webserver_secret_key_is_not_needed_on_airflow_3(repo_copy):
    repo_copy.edit(VALUES, "webserverSecretKeySecretName: airflow-webserver-secret-key\n", "")
    assert not fired(repo_copy.run(), "secret-name-unset")


def test_airflow_2_chart_needs_webserver_key_and_not_api_key(repo_copy):
    repo_copy.edit(CHART_APP, "targetRevision: 1.21.0", "targetRevision: 1.16.0")
    repo_copy.edit(VALUES, "webserverSecretKeySecretName: airflow-webserver-secret-key\n", "")
    repo_copy.edit(VALUES, "apiSecretKeySecretName: airflow-api-secret-key\n", "")
    messages = [f.message for f in fired(repo_copy.run(), "secret-name-unset")]
    assert len(messages) == 1 and "webserverSecretKeySecretName" in messages[0]


@pytest.mark.parametrize("snippet", [
    "env:\n  - name: AIRFLOW__DATABASE__SQL_ALCHEMY_CONN\n    value: postgresql://u:p@h/db\n",
    "config:\n  core:\n    fernet_key: abcdefabcdef\n",
    "redis:\n  password: hunter22\n",
    "extraSecrets:\n  my-secret:\n    stringData: |\n      token: abc\n",
])
def test_inline_secret_values_are_found(repo_copy, snippet):
    repo_copy.write(VALUES, repo_copy.root.joinpath(VALUES).read_text() + "\n" + snippet)
    assert fired(repo_copy.run(), "inline-secret-value")


def test_env_reference_forms_are_not_inline_secrets(repo_copy):
    snippet = ("env:\n  - name: AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD\n    value: cat /run/conn\n"
               "  - name: AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_SECRET\n    value: sql_alchemy_conn\n")
    repo_copy.edit(VALUES, "env:\n", snippet)
    assert not fired(repo_copy.run(), "inline-secret-value")


# --- ESO ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,zero", [("0", True), ("0s", True), ("0m0s", True), ("2m", False), ("1h0m", False),
                                       ("nonsense", False), ("0.5s", False)])
def test_go_zero_durations(text, zero):
    assert is_zero_duration(text) is zero


def test_refresh_policy_created_once_never_refreshes(repo_copy):
    repo_copy.edit(ES, "  refreshInterval: 2m\n", "  refreshInterval: 2m\n  refreshPolicy: CreatedOnce\n")
    assert fired(repo_copy.run(), "eso-refresh-never")


# --- Vault -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("pattern,path,matches", [
    ("secret/data/airflow/*", "secret/data/airflow/config", True),
    ("secret/data/+/config", "secret/data/airflow/config", True),
    ("secret/data/+/config", "secret/data/a/b/config", False),
    ("secret/airflow/*", "secret/data/airflow/config", False),
    ("secret/data/airflow/config", "secret/data/airflow/config", True),
    ("secret/data/airflow/config", "secret/data/airflow/config2", False),
])
def test_vault_path_globs(pattern, path, matches):
    assert bool(vault_glob(pattern).match(path)) is matches


def test_plus_segment_policy_grants_read(repo_copy):
    repo_copy.edit(POLICY, 'path "secret/data/airflow/*"', 'path "secret/data/+/config"')
    assert not fired(repo_copy.run(), "vault-policy-missing-read")


def test_a_more_specific_deny_wins(repo_copy):
    repo_copy.write(POLICY, repo_copy.root.joinpath(POLICY).read_text()
                    + 'path "secret/data/airflow/config" {\n  capabilities = ["deny"]\n}\n')
    assert fired(repo_copy.run(), "vault-policy-missing-read")


def test_policy_listed_by_role_but_missing_from_repo(repo_copy):
    repo_copy.edit(ROLE, "policies: airflow-secret-read", "policies: airflow-secret-reader")
    assert "not in vault/policies" in fired(repo_copy.run(), "vault-policy-missing-read")[0].message


def test_role_bound_to_a_service_account_glob_accepts_it(repo_copy):
    repo_copy.edit(ROLE, "bound_service_account_names: external-secrets", "bound_service_account_names: external-*")
    assert not fired(repo_copy.run(), "vault-role-service-account-mismatch")


def test_store_without_audiences_is_a_warning(repo_copy):
    repo_copy.edit(STORE, "            audiences:\n              - https://kubernetes.default.svc.cluster.local\n",
                   "")
    assert {f.severity for f in fired(repo_copy.run(), "vault-role-audience-mismatch")} == {"warning"}


# --- git-sync --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url,endpoint", [
    ("ssh://git@git.example.com/platform/x.git", ("git.example.com", 22)),
    ("ssh://git@git.example.com:2222/platform/x.git", ("git.example.com", 2222)),
    ("git@git.example.com:platform/x.git", ("git.example.com", 22)),
    ("https://git.example.com/platform/x.git", None),
])
def test_ssh_endpoints(url, endpoint):
    assert ssh_endpoint(url) == endpoint


def test_bracketed_host_and_port_line_matches_a_custom_port(repo_copy):
    repo_copy.edit(VALUES, "ssh://git@git.example.com/platform", "ssh://git@git.example.com:2222/platform")
    repo_copy.edit(VALUES, f"git.example.com ssh-ed25519 {HOST_KEY}", f"[git.example.com]:2222 ssh-ed25519 {HOST_KEY}")
    assert not fired(repo_copy.run(), "gitsync-known-hosts-host-mismatch")


def test_a_bare_host_line_verifies_a_custom_port_as_ssh_falls_back_to_it(repo_copy):
    repo_copy.edit(VALUES, "ssh://git@git.example.com/platform", "ssh://git@git.example.com:2222/platform")
    assert not fired(repo_copy.run(), "gitsync-known-hosts-host-mismatch")


@pytest.mark.parametrize("line", [f"[git.example.com]:22 ssh-ed25519 {HOST_KEY}",
                                  f"@cert-authority git.example.com ssh-ed25519 {HOST_KEY}",
                                  f"@bogus git.example.com ssh-ed25519 {HOST_KEY}"])
def test_a_line_ssh_does_not_use_for_port_22_is_a_mismatch(repo_copy, line):
    other = f"other.example.org ssh-ed25519 {HOST_KEY}"
    repo_copy.edit(VALUES, f"git.example.com ssh-ed25519 {HOST_KEY}", f"{line}\n      {other}")
    assert fired(repo_copy.run(), "gitsync-known-hosts-host-mismatch")


def test_hashed_known_hosts_entry_matches(repo_copy):
    salt = b"0123456789abcdefghij"
    digest = hmac.new(salt, b"git.example.com", hashlib.sha1).digest()
    hashed = f"|1|{base64.b64encode(salt).decode()}|{base64.b64encode(digest).decode()}"
    repo_copy.edit(VALUES, f"git.example.com ssh-ed25519 {HOST_KEY}", f"{hashed} ssh-ed25519 {HOST_KEY}")
    assert not fired(repo_copy.run(), "gitsync-known-hosts-host-mismatch")


def test_key_for_another_host_is_a_mismatch(repo_copy):
    repo_copy.edit(VALUES, f"git.example.com ssh-ed25519 {HOST_KEY}", f"github.com ssh-ed25519 {HOST_KEY}")
    assert fired(repo_copy.run(), "gitsync-known-hosts-host-mismatch")


def test_unparseable_key_is_reported_like_a_placeholder():
    lines = parse_known_hosts("git.example.com ssh-ed25519 AAAAnot-base64!!\n# comment\n\n")
    assert [(line.valid, line.number) for line in lines] == [(False, 0)]


@pytest.mark.parametrize("snippet", [
    "    env:\n      - name: GITSYNC_SSH_KNOWN_HOSTS\n        value: \"false\"\n",
    "    extraArgs:\n      - --ssh-known-hosts=false\n",
])
def test_known_hosts_turned_off_in_git_sync(repo_copy, snippet):
    repo_copy.edit(VALUES, "    sshKeySecret: airflow-ssh-secret\n", "    sshKeySecret: airflow-ssh-secret\n" + snippet)
    assert fired(repo_copy.run(), "host-key-checking-disabled")


@pytest.mark.parametrize("field", ["insecure: \"true\"", "insecureIgnoreHostKey: \"true\""])
def test_argocd_repository_secret_skipping_host_keys(repo_copy, field):
    repo_copy.write("argocd/config/repo.yaml", (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: k8s-infra\n  namespace: argocd\n  labels:\n"
        "    argocd.argoproj.io/secret-type: repository\nstringData:\n  type: git\n"
        f"  url: ssh://git@git.example.com/platform/k8s-infra.git\n  {field}\n"))
    finding = fired(repo_copy.run(), "host-key-checking-disabled")[0]
    assert (finding.file, finding.object) == ("argocd/config/repo.yaml", "Secret/argocd/k8s-infra")


# --- Jobs ------------------------------------------------------------------------------------------------------

def test_hooks_unset_means_chart_default_true(repo_copy):
    repo_copy.edit(VALUES, "migrateDatabaseJob:\n  enabled: true\n  useHelmHooks: false\n",
                   "migrateDatabaseJob:\n  enabled: true\n")
    assert "unset" in fired(repo_copy.run(), "job-helm-hooks-enabled")[0].message


def test_disabled_job_needs_no_hook_setting(repo_copy):
    repo_copy.edit(VALUES, "migrateDatabaseJob:\n  enabled: true\n  useHelmHooks: false\n",
                   "migrateDatabaseJob:\n  enabled: false\n")
    assert not fired(repo_copy.run(), "job-helm-hooks-enabled")


def test_shell_defaults_and_assignments_are_not_missing_env():
    script = 'X=1\necho "${X}" "${Y:-dflt}" "$HOME" "${AIRFLOW_HOME}" "$Z"'
    assert used_variables(script) == {"X", "HOME", "AIRFLOW_HOME", "Z"}


# --- secrets on a command line ---------------------------------------------------------------------------------

def test_the_reference_script_gives_the_password_on_stdin_and_passes(repo_copy):
    assert not fired(repo_copy.run(), "job-password-on-command-line")


@pytest.mark.parametrize("given", ['--password "${AIRFLOW_DEFAULT_PASSWORD}"', "-p $AIRFLOW_DEFAULT_PASSWORD",
                                   "--password=hunter2-literal"])
def test_a_password_given_as_an_argument_is_a_warning_naming_how(repo_copy, given):
    repo_copy.edit(VALUES, '        --email "${AIRFLOW_DEFAULT_EMAIL}" \\\n',
                   f'        --email "${{AIRFLOW_DEFAULT_EMAIL}}" {given} \\\n')
    found = fired(repo_copy.run(), "job-password-on-command-line")
    assert len(found) == 1 and found[0].severity == "warning"
    assert "command line" in found[0].message and "hunter2" not in found[0].message + found[0].hint
