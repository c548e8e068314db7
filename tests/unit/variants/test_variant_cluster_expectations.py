"""The cluster suite's expectations come from the repository: on the variant (release af, namespace
data-platform, dp-* Secrets, git on port 2222) they name the variant's things, and they agree with what the
harness really pushes and applies (e2e/suites/cluster/test_bringup.py and test_upgrade.py compare with them)."""

from __future__ import annotations

import pytest
import yaml

from e2e.cluster import plan as plan_mod
from e2e.config import DEFAULT_GITOPS_DIR, REPO_ROOT, RunConfig
from e2e.install import airflow_install
from e2e.stack import expected, pushed
from e2e.stack.operator import scheduler_workload

pytestmark = pytest.mark.unit
VARIANT = REPO_ROOT / "fixtures" / "variants" / "team-repo"


@pytest.fixture(scope="module", params=[DEFAULT_GITOPS_DIR, VARIANT], ids=["reference", "variant"])
def built(request):
    config = RunConfig.from_env(gitops_dir=request.param, run_id="e2e-expect")
    plan, material, repo = plan_mod.prepare(config)
    return request.param, config, plan, material, repo


def test_known_hosts_lines_carry_the_repositorys_port(built):
    gitops_dir, _config, plan, material, repo = built
    key = material.host_key.public_line
    line = expected.dags_known_hosts_line(repo, key)
    argocd_lines = expected.argocd_known_hosts_lines(repo, key)
    if gitops_dir == VARIANT:
        assert line.startswith("[git.corp.internal]:2222 ") and argocd_lines[0].startswith("[git.corp.internal]:2222 ")
    else:
        assert line.startswith("git.example.com ssh-ed25519 ")
    for rel in pushed.known_hosts_files(repo):  # what the harness really pushes
        assert yaml.safe_load(plan.repo_files[rel])["dags"]["gitSync"]["knownHosts"].strip() == line
    cm = next(o for o in plan.manifests["23-argocd-ssh-known-hosts-cm.yaml"].objects)
    assert cm["data"]["ssh_known_hosts"].strip().splitlines() == argocd_lines


def test_ca_config_map_and_secret_names_are_the_repositorys(built):
    gitops_dir, config, plan, _material, repo = built
    namespace, name, key = expected.ca_config_map(repo, config)
    cm = plan.manifests["20-vault-ca.yaml"].objects[0]
    assert (cm["metadata"]["namespace"], cm["metadata"]["name"], list(cm["data"])) == (namespace, name, [key])
    targets = expected.external_secret_targets(repo)
    if gitops_dir == VARIANT:
        assert (namespace, name, key) == ("eso-system", "corp-vault-ca", "ca.pem")
        assert {n for _, n in targets} >= {"dp-fernet", "dp-metadata", "dp-git-ssh"}
        assert {ns for ns, _ in targets} == {"data-platform"}
    else:
        assert {n for _, n in targets} >= {"airflow-fernet-key", "airflow-metadata", "airflow-ssh-secret"}


def test_upgrade_probes_read_the_dag_processor_of_the_repositorys_release(built):
    gitops_dir, _config, _plan, _material, repo = built
    release = "af" if gitops_dir == VARIANT else "airflow"
    assert airflow_install(repo).release == release
    assert airflow_install(repo).app.name == ("dp-airflow" if gitops_dir == VARIANT else "airflow")
    assert expected.dag_reader(repo, "3.2.2") == (f"deploy/{release}-dag-processor", "dag-processor")
    assert expected.dag_reader(repo, "2.10.5") == (f"deploy/{release}-scheduler", "scheduler")
    assert scheduler_workload(airflow_install(repo).release) == (f"deploy/{release}-scheduler", "scheduler")


def test_the_cluster_suite_hard_codes_no_reference_name():
    suite = REPO_ROOT / "e2e" / "suites" / "cluster"
    for name in ("test_bringup.py", "test_upgrade.py"):
        text = (suite / name).read_text()
        for literal in ('"vault-ca"', '"ca.crt"', "apps/airflow/airflow-values.yaml", '"airflow-fernet-key"',
                        "deploy/airflow-scheduler", '"applications.argoproj.io", "airflow"'):
            assert literal not in text, f"{name} hard-codes {literal}"
