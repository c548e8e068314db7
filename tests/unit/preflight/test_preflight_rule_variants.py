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

CUSTOM_PORT = (VALUES, "ssh://git@git.example.com/platform", "ssh://git@git.example.com:2222/platform")
EXCLUDE = "    directory:\n      exclude: airflow-values.yaml\n"


def fired(report, rule_id):
    return [f for f in report.findings if f.rule == rule_id]


def edits(*changes):
    """(file, old, new) edits applied in order to the reference copy."""
    return list(changes)


# (rule, fires on the edited copy?, the edits): one shape users really write, one row each
EDIT_CASES = {
    "brace glob exclude keeps the values file out": ("directory-source-non-kubernetes-file", False, edits(
        (SECRETS_APP, EXCLUDE, "    directory:\n      exclude: '{other.yaml,airflow-values.yaml}'\n"))),
    "include glob that only picks manifests is enough": ("directory-source-non-kubernetes-file", False, edits(
        (SECRETS_APP, EXCLUDE, "    directory:\n      include: '{cluster-secret-store,external-secrets}.yaml'\n"))),
    "missing chart revision is not a pin": ("chart-version-not-pinned", True, edits(
        (CHART_APP, "      targetRevision: 1.21.0\n", ""))),
    "external secret in another namespace does not count": ("secret-without-external-secret", True, edits(
        (ES, "  name: airflow-metadata\n  namespace: airflow", "  name: airflow-metadata\n  namespace: default"))),
    "webserver secret key is not needed on Airflow 3": ("secret-name-unset", False, edits(
        (VALUES, "webserverSecretKeySecretName: airflow-webserver-secret-key\n", ""))),
    "env reference forms are not inline secrets": ("inline-secret-value", False, edits(
        (VALUES, "env:\n", "env:\n  - name: AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD\n    value: cat /run/conn\n"
         "  - name: AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_SECRET\n    value: sql_alchemy_conn\n"))),
    "refresh policy CreatedOnce never refreshes": ("eso-refresh-never", True, edits(
        (ES, "  refreshInterval: 2m\n", "  refreshInterval: 2m\n  refreshPolicy: CreatedOnce\n"))),
    "plus segment policy grants read": ("vault-policy-missing-read", False, edits(
        (POLICY, 'path "secret/data/airflow/*"', 'path "secret/data/+/config"'))),
    "role bound to a service account glob accepts it": ("vault-role-service-account-mismatch", False, edits(
        (ROLE, "bound_service_account_names: external-secrets", "bound_service_account_names: external-*"))),
    "bracketed host and port line matches a custom port": ("gitsync-known-hosts-host-mismatch", False, edits(
        CUSTOM_PORT,
        (VALUES, f"git.example.com ssh-ed25519 {HOST_KEY}", f"[git.example.com]:2222 ssh-ed25519 {HOST_KEY}"))),
    "a bare host line verifies a custom port as ssh falls back to it": ("gitsync-known-hosts-host-mismatch", False,
                                                                         edits(CUSTOM_PORT)),
    "key for another host is a mismatch": ("gitsync-known-hosts-host-mismatch", True, edits(
        (VALUES, f"git.example.com ssh-ed25519 {HOST_KEY}", f"github.com ssh-ed25519 {HOST_KEY}"))),
    "disabled job needs no hook setting": ("job-helm-hooks-enabled", False, edits(
        (VALUES, "migrateDatabaseJob:\n  enabled: true\n  useHelmHooks: false\n",
         "migrateDatabaseJob:\n  enabled: false\n"))),
    "the reference script gives the password on stdin and passes": ("job-password-on-command-line", False, edits()),
}


@pytest.mark.parametrize(("rule_id", "fires", "changes"), EDIT_CASES.values(), ids=list(EDIT_CASES))
def test_rule_on_a_shape_users_write(repo_copy, rule_id, fires, changes):
    for rel, old, new in changes:
        repo_copy.edit(rel, old, new)
    assert bool(fired(repo_copy.run(), rule_id)) is fires


# --- directory sources ---------------------------------------------------------------------------------------


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


# --- secrets ---------------------------------------------------------------------------------------------------

def test_default_user_secret_needs_its_external_secret(repo_copy):
    repo_copy.edit(ES, "    name: airflow-default-user\n    creationPolicy",
                   "    name: airflow-users\n    creationPolicy")
    findings = fired(repo_copy.run(), "secret-without-external-secret")
    assert [f.line for f in findings] and "airflow-default-user" in findings[0].message
    assert "createUserJob.env" in findings[0].message


def test_unset_metadata_secret_name_is_a_warning(repo_copy):
    repo_copy.edit(VALUES, "  metadataSecretName: airflow-metadata\n", "")
    assert {f.severity for f in fired(repo_copy.run(), "secret-name-unset")} == {"warning"}


@pytest.mark.parametrize("snippet", [
    "env:\n  - name: AIRFLOW__DATABASE__SQL_ALCHEMY_CONN\n    value: postgresql://u:p@h/db\n",
    "config:\n  core:\n    fernet_key: abcdefabcdef\n",
    "redis:\n  password: hunter22\n",
    "extraSecrets:\n  my-secret:\n    stringData: |\n      token: abc\n",
])
def test_inline_secret_values_are_found(repo_copy, snippet):
    repo_copy.write(VALUES, repo_copy.root.joinpath(VALUES).read_text() + "\n" + snippet)
    assert fired(repo_copy.run(), "inline-secret-value")


# --- ESO ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,zero", [("0", True), ("0s", True), ("0m0s", True), ("2m", False), ("1h0m", False),
                                       ("nonsense", False), ("0.5s", False)])
def test_go_zero_durations(text, zero):
    assert is_zero_duration(text) is zero


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


def test_a_more_specific_deny_wins(repo_copy):
    repo_copy.write(POLICY, repo_copy.root.joinpath(POLICY).read_text()
                    + 'path "secret/data/airflow/config" {\n  capabilities = ["deny"]\n}\n')
    assert fired(repo_copy.run(), "vault-policy-missing-read")


def test_policy_listed_by_role_but_missing_from_repo(repo_copy):
    repo_copy.edit(ROLE, "policies: airflow-secret-read", "policies: airflow-secret-reader")
    assert "not in vault/policies" in fired(repo_copy.run(), "vault-policy-missing-read")[0].message


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


def test_shell_defaults_and_assignments_are_not_missing_env():
    script = 'X=1\necho "${X}" "${Y:-dflt}" "$HOME" "${AIRFLOW_HOME}" "$Z"'
    assert used_variables(script) == {"X", "HOME", "AIRFLOW_HOME", "Z"}


# --- secrets on a command line ---------------------------------------------------------------------------------


@pytest.mark.parametrize("given", ['--password "${AIRFLOW_DEFAULT_PASSWORD}"', "-p $AIRFLOW_DEFAULT_PASSWORD",
                                   "--password=hunter2-literal"])
def test_a_password_given_as_an_argument_is_a_warning_naming_how(repo_copy, given):
    repo_copy.edit(VALUES, '        --email "${AIRFLOW_DEFAULT_EMAIL}" \\\n',
                   f'        --email "${{AIRFLOW_DEFAULT_EMAIL}}" {given} \\\n')
    found = fired(repo_copy.run(), "job-password-on-command-line")
    assert len(found) == 1 and found[0].severity == "warning"
    assert "command line" in found[0].message and "hunter2" not in found[0].message + found[0].hint
