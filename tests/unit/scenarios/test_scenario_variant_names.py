"""Scenarios against a team's own repository (fixtures/variants/team-repo): every name in a plan and every
name a predicate looks for comes from that repository (release `af` in `data-platform`, `dp-*` Secrets, KV v2
mount `kv`, payload at `kv/data-platform/airflow`, ESO in `eso-system`), never from the reference."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from e2e.config import RunConfig
from e2e.gitops import load_repository
from e2e.scenarios.layout import Layout
from e2e.scenarios.registry import REGISTRY, get

from . import api_objects as k
from .recording_stack import REFERENCE, VARIANT, RecordingStack
from .stack_states import healthy, memory

TEAM = load_repository(VARIANT)

# Names only the reference repository uses: none may appear in a plan for the variant.
REFERENCE_ONLY = ("airflow-fernet-key", "airflow-api-secret-key", "airflow-metadata", "airflow-broker-url",
                  "airflow-ssh-secret", "airflow-default-user", "airflow-create-user", "airflow-run-airflow-migrations",
                  "release=airflow", "deploy/airflow-scheduler", "secret/data/airflow", "secret/airflow/config",
                  "-n airflow ", "-n external-secrets ", "git.example.com", 'user "airflow"', "(fromYaml .config)",
                  "apps/airflow/", "argocd/apps/", "Application airflow ", "application airflow ")
# The reference's Application names as whole words (dp-airflow-secrets and k8s/airflow-secrets are the variant's).
REFERENCE_APPS = re.compile(r"(?<![\w/-])(airflow-secrets(?![\w-])|airflow(?= OutOfSync| starts syncing|: chart))")

# What each plan must name instead (the variant's own names).
VARIANT_NAMES = {
    "secrets-after-pods": ("kubectl -n eso-system scale deployment/external-secrets", "-n data-platform delete secret",
                           "release=af,component in", "Secrets exist: dp-fernet, dp-api-key"),
    "chart-generated-keys": ("values/airflow.yaml: remove fernetKeySecretName", "dp-airflow OutOfSync",
                             "dp-fernet re-created with another key"),
    "kv2-policy-without-data": ('-path "kv/data/data-platform/*" {', '+path "kv/data-platform/*" {',
                                "vault policy write dp-airflow-kv-read"),
    "template-key-missing": ("ExternalSecret/dp-fernet", "(fromYaml .settings).fernetKeyy",
                             "dp-fernet SecretSyncedError"),
    "gitsync-wrong-host-key": ('+      [git.corp.internal]:2222 ssh-ed25519 <verified-public-host-key>',
                               "-n data-platform delete pod -l 'release=af,component in (scheduler,"),
    "gitsync-key-no-newline": ("vault kv put kv/data-platform/airflow: payload extraSecrets.dp-git-ssh.data.gitSshKey",
                               "force-sync=<now>: dp-git-ssh", "wait until Secret dp-git-ssh"),
    "userjob-broken-connection": ("vault kv put kv/data-platform/airflow: payload metadataConnection",
                                  "-n data-platform delete job af-create-user",
                                  'af-create-user fails visibly: `password authentication failed for user "af"`',
                                  "Job af-create-user Complete", "force-sync=<now>: dp-metadata"),
    "waves-without-parent": ("argocd/settings/argocd-cm.yaml", "dp-airflow starts syncing before dp-airflow-secrets",
                             "patch application dp-airflow-secrets"),
    "vault-restarted": ("kubectl -n vault delete pod",),
    "broker-password-mismatch": ("vault kv put kv/data-platform/airflow: payload brokerUrl", "dp-broker",
                                 "release=af,component in (worker)"),
    "bad-fernet-key": ("-n data-platform exec deploy/af-scheduler -c scheduler", "wait until Secret dp-fernet",
                       "release=af,component in (scheduler)"),
    "externalsecret-defaults-outofsync": ("k8s/airflow-secrets/external-secrets.yaml: ExternalSecret/dp-fernet",
                                          "dp-airflow-secrets synced to the current revision"),
    "migrations-never-run": ("-n data-platform exec deploy/af-scheduler", "values/airflow.yaml: set "
                             "migrateDatabaseJob.useHelmHooks", "Job af-run-airflow-migrations Complete",
                             "delete job af-create-user"),
    "secret-pruned-with-owner": ("patch application dp-airflow-secrets", "the parent re-creates dp-airflow-secrets",
                                 "Secrets exist: dp-fernet"),
}
# chart-upgrade: the variant already pins the newest chart the harness knows, so it runs on a copy one behind.
CHART_UPGRADE_NAMES = ("argocd/children/dp-airflow.yaml: Application/dp-airflow: chart targetRevision -> 1.22.0",
                       "Application dp-airflow at chart 1.22.0", "Job af-run-airflow-migrations re-created")
REFUSED = {  # what cannot happen in the variant, or is already there
    "values-in-directory-source": "values/airflow.yaml is outside dp-airflow-secrets's directory source "
                                  "k8s/airflow-secrets/, so no directory.exclude keeps it out: FAILURES.md 16 cannot "
                                  "happen in this repository",
    "chart-upgrade": "dp-airflow: chart 1.22.0: the repository already says this; nothing to commit"}


def dry_run(scenario_cli, name: str, gitops_dir: Path) -> tuple[int, str, str]:
    return scenario_cli(name, "--dry-run", "--gitops-dir", str(gitops_dir))


def reference_names_in(text: str) -> list[str]:
    return [n for n in REFERENCE_ONLY if n in text] + [m.group(0) for m in REFERENCE_APPS.finditer(text)]


def one_chart_behind(tmp_path: Path) -> Path:
    repo = Path(shutil.copytree(VARIANT, tmp_path / "team-repo"))
    app = repo / "argocd/children/dp-airflow.yaml"
    app.write_text(app.read_text().replace("targetRevision: 1.22.0", "targetRevision: 1.21.0"), encoding="utf-8")
    return repo


def test_every_scenario_is_covered_for_the_variant():
    assert set(VARIANT_NAMES) | set(REFUSED) == set(REGISTRY)


@pytest.mark.parametrize("name", sorted(VARIANT_NAMES))
def test_the_variant_plan_names_only_the_variants_names(name, scenario_cli):
    code, out, err = dry_run(scenario_cli, name, VARIANT)
    assert code == 0, err
    assert reference_names_in(out) == []
    for expected in VARIANT_NAMES[name]:
        assert expected in out


def test_chart_upgrade_plan_on_the_variant_names_its_application_and_job(tmp_path, scenario_cli):
    code, out, err = dry_run(scenario_cli, "chart-upgrade", one_chart_behind(tmp_path))
    assert code == 0, err
    assert reference_names_in(out) == []
    for expected in CHART_UPGRADE_NAMES:
        assert expected in out


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_break_the_variant_cannot_take_refuses_in_one_line_saying_why(name, scenario_cli):
    code, out, err = dry_run(scenario_cli, name, VARIANT)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert REFUSED[name] in err
    assert reference_names_in(err) == []


def test_the_variant_layout_reads_every_name_from_the_repository():
    lay = Layout.from_repository(TEAM)
    assert (lay.release, lay.airflow_namespace, lay.eso_namespace) == ("af", "data-platform", "eso-system")
    assert (lay.fernet_secret, lay.metadata_secret, lay.broker_secret, lay.ssh_secret) == (
        "dp-fernet", "dp-metadata", "dp-broker", "dp-git-ssh")
    assert (lay.user_job, lay.migrate_job) == ("af-create-user", "af-run-airflow-migrations")
    assert (lay.payload_path, lay.payload_property) == ("kv/data-platform/airflow", "settings")
    assert lay.kv_read_path == "kv/data/data-platform/*" and lay.kv_read_path_without_data == "kv/data-platform/*"
    assert lay.scheduler == ("deploy/af-scheduler", "scheduler")
    assert lay.git_host == "[git.corp.internal]:2222"


def test_namespaces_come_from_the_run_config_when_one_is_given():
    config = RunConfig(run_id="unit", gitops_dir=VARIANT, airflow_namespace="dp-staging")
    plan_step = get("secrets-after-pods", TEAM, config=config).break_[1]
    assert plan_step.describe() == "kubectl -n dp-staging delete secret <every ExternalSecret target>"


def variant_stack(fernet_value: str = "the-key"):
    """A healthy variant stack: the dp-* Secrets, the af Jobs, the dp-airflow Applications."""
    secrets = {n: k.secret(n, {"fernet-key" if n == "dp-fernet" else "value": f"value-of-{n}"}, uid=f"uid-{n}")
               for n in Layout.from_repository(TEAM).secrets}
    secrets["dp-fernet"] = k.secret("dp-fernet", {"fernet-key": fernet_value}, uid="uid-dp-fernet")
    return healthy(secrets=secrets,
                   applications=[k.application("dp-airflow-secrets"), k.application("dp-airflow", sync="OutOfSync")])


def test_the_variants_fernet_invariant_watches_dp_fernet():
    keep_key = next(i for i in get("vault-restarted", TEAM).invariants
                    if i.describe == "the fernet key unchanged (throughout)")
    before = variant_stack()
    assert keep_key.evaluate(variant_stack(), memory(before)).ok
    out = keep_key.evaluate(variant_stack("another-key"), memory(before))
    assert out.failed and "dp-fernet/fernet-key changed" in out.evidence[0]


def test_the_variants_chart_made_secrets_symptom_watches_its_own_application():
    scenario = get("chart-generated-keys", TEAM)
    out = scenario.symptom.evaluate(variant_stack(), memory(variant_stack()))
    assert out.ok and "Application dp-airflow OutOfSync (random keys differ on every render)" in out.evidence


@pytest.mark.parametrize("name", sorted(set(VARIANT_NAMES) - {"vault-restarted"}))
def test_the_same_check_finds_the_reference_names_in_the_reference_plan(name, scenario_cli):
    code, out, err = dry_run(scenario_cli, name, REFERENCE)
    assert code == 0, err
    assert reference_names_in(out)


def test_the_release_is_read_even_without_a_secrets_application(tmp_path):
    repo = Path(shutil.copytree(VARIANT, tmp_path / "team-repo"))
    (repo / "argocd/children/dp-airflow-secrets.yaml").unlink()
    lay = Layout.from_repository(load_repository(repo))
    assert (lay.release, lay.airflow_namespace, lay.user_job) == ("af", "data-platform", "af-create-user")


def test_a_live_run_on_the_variant_acts_on_its_release_in_its_namespace():
    from e2e.scenarios.collect import airflow_users
    from e2e.scenarios.model import Memory
    from e2e.scenarios.steps import ResetMetadataDatabase, RestartAirflowPods, RunAirflowCli

    stack = RecordingStack()
    stack.repo, stack.config = TEAM, RunConfig.from_env(gitops_dir=VARIANT, run_id="unit")
    steps = get("bad-fernet-key", stack.repo, config=stack.config).steps() + (
        get("bad-fernet-key", stack.repo).probes + get("migrations-never-run", stack.repo).break_)
    for step in steps:
        if isinstance(step, RestartAirflowPods | RunAirflowCli | ResetMetadataDatabase):
            step.apply(stack, Memory())
    assert airflow_users(stack) == ("admin",)
    calls = [" ".join(c) for c in stack.kube.calls]
    assert "-n data-platform delete pod -l release=af,component in (scheduler) --wait=false" in calls
    assert any(c.startswith("-n data-platform exec deploy/af-scheduler -c scheduler -- sh -c airflow variables")
               for c in calls)
    assert "-n data-platform exec deploy/af-scheduler -c scheduler -- airflow db reset --yes --skip-init" in calls
    assert "-n data-platform exec deploy/af-scheduler -c scheduler -- airflow users list --output json" in calls
    assert not [c for c in calls if "release=airflow" in c or "airflow-scheduler" in c or "-n airflow " in c]
