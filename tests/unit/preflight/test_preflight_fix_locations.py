"""A finding points at the place the fix goes, in the user's own words (plain repository copies)."""

from test_preflight_rules import SECRETS_APP, VALUES


def test_wrong_wave_is_reported_at_the_secrets_applications_wave_line(repo_copy):
    repo_copy.edit(SECRETS_APP, 'sync-wave: "5"', 'sync-wave: "15"')
    [finding] = [f for f in repo_copy.run().findings if f.rule == "waves-wrong-order"]
    wave_line = next(n for n, text in enumerate((repo_copy.root / SECRETS_APP).read_text().splitlines(), 1)
                     if "sync-wave" in text)
    assert (finding.file, finding.line) == (SECRETS_APP, wave_line)
    assert "below 10" in finding.hint and "(now 15)" in finding.hint


def test_hook_finding_says_true_as_written_in_yaml_and_names_the_jobs_own_symptom(repo_copy):
    repo_copy.edit(VALUES, "createUserJob:\n  enabled: true\n  useHelmHooks: false",
                   "createUserJob:\n  enabled: true\n  useHelmHooks: true")
    [finding] = [f for f in repo_copy.run().findings if f.rule == "job-helm-hooks-enabled"]
    assert "useHelmHooks is true:" in finding.message
    assert "Waiting for migrations" not in finding.message and "default user" in finding.message


def test_a_policy_that_misses_the_read_path_is_one_finding_at_the_policy_file(repo_copy):
    policy = "vault/policies/airflow-secret-read.hcl"
    repo_copy.edit(policy, 'path "secret/data/airflow/*"', 'path "secret/data/other/*"')
    findings = [f for f in repo_copy.run().findings if f.rule == "vault-policy-missing-read"]
    assert len(findings) == 1, "nine ExternalSecrets reading one path through one role are one problem"
    [finding] = findings
    assert finding.file == policy
    assert "9 ExternalSecret(s)" in finding.message and "secret/data/airflow/config" in finding.message
    assert policy in finding.hint


def test_a_misspelt_data_key_gets_a_rename_hint(repo_copy):
    repo_copy.edit("apps/airflow/external-secrets.yaml", "        fernet-key: '", "        fernet_key: '")
    [finding] = [f for f in repo_copy.run().findings if f.rule == "secret-data-key-missing"]
    assert finding.hint.startswith("rename fernet_key to fernet-key")
