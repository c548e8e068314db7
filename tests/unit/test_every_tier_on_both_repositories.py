"""Every tier reads the same AirflowInstall, on the reference and on a team's own repository alike.

Each test runs on both bundled repositories and names nothing of either: every expected name (release,
namespaces, Secrets, keys, Jobs, payload location, git host) is read from the install, so a tier that
hard-codes a reference name fails on the team variant. Plain data and real rendering, no cluster.
"""

from __future__ import annotations

import base64

import pytest
import yaml

from e2e import payload as payload_mod
from e2e.checks import health
from e2e.checks.expect import Expectations
from e2e.cluster import plan as plan_mod
from e2e.components import inputs, jobenv
from e2e.config import RunConfig
from e2e.gitops.loader import load_repository
from e2e.install import airflow_install, payload_kv, payload_location
from e2e.observe.snapshot import Snapshot
from e2e.preflight.engine import run_preflight
from e2e.scenarios import registry
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import Memory

pytestmark = pytest.mark.unit

@pytest.fixture(scope="module")
def install(root):
    return airflow_install(load_repository(root))


def test_preflight_finds_the_install_and_every_secret_it_needs_is_produced(root, install):
    report = run_preflight(root)
    assert [f for f in report.findings if f.severity == "error"] == []
    produced = {es.target_name for es in install.external_secrets}
    needs = install.secret_needs()
    assert needs and set(needs) <= produced
    for need in needs.values():  # provenance: each need is located in a values file the install read
        assert need.file in install.values_file_paths and need.line


def test_components_build_the_job_environment_from_the_installs_own_secrets(root, install):
    found = inputs.load_inputs(root)
    assert found.install.release == install.release and found.values == install.values
    payload = payload_mod.generate(**payload_mod.shape_for(found.repo))
    secrets = jobenv.render_secrets(found.repo, payload)
    env = jobenv.build(found.values, secrets, found.airflow_version, "/tmp/airflow-home")
    for name, ref in install.running(found.airflow_version).secret_refs():
        for var in ref.env:
            if var in jobenv.JOB_ONLY_SKIPPED:
                continue
            assert env.sources[var] == f"{name}/{ref.data_key}"
            assert env.env[var] == secrets[name][ref.data_key]
    settings = inputs.git_sync_settings(found.values)
    assert (settings["host"], settings["port"]) == (install.git_sync.parsed.host, install.git_sync.parsed.port)


def test_cluster_plan_deploys_what_the_install_says(root, install):
    config = RunConfig.from_env(gitops_dir=root, run_id="e2e-2612020000-abcd")
    plan, material, repo = plan_mod.prepare(config)
    assert config.airflow_namespace == install.namespace
    assert config.chart_version == install.chart_version
    namespaces = {o["metadata"]["name"] for o in plan.manifests["01-namespaces.yaml"].objects}
    assert install.namespace in namespaces and install.argocd_namespace in namespaces
    seed = yaml.safe_load(plan.manifests["21-vault-seed.yaml"].text)
    written = [op["args"] for op in seed if op["op"] == "payload"]
    mount, path = payload_kv(repo)
    assert [(a["mount_point"], a["path"], list(a["secret"])) for a in written] == \
        [(mount, path, [payload_location(repo)[1]])]
    pushed = yaml.safe_load(plan.repo_files[install.values_file_paths[0]])
    known = pushed["dags"]["gitSync"]["knownHosts"]
    assert known.split()[0] == install.git_sync.known_hosts_host
    assert material.host_key.public_line.split()[1] in known


def test_cluster_checks_expect_the_installs_names(root, install):
    expect = Expectations.from_repository(load_repository(root), install.airflow_version)
    assert (expect.release, expect.namespace, expect.chart_app) == (install.release, install.namespace,
                                                                    install.app.name)
    assert (expect.migration_job, expect.user_job) == (install.migration_job, install.user_job)
    assert set(expect.required_keys) == set(install.secret_needs())
    assert set(expect.chart_generated) == set(install.chart_generated())


def test_scenarios_edit_and_watch_what_the_install_names(root, install):
    layout = Layout.from_repository(load_repository(root))
    assert (layout.release, layout.airflow_namespace, layout.argocd_namespace) == \
        (install.release, install.namespace, install.argocd_namespace)
    assert (layout.migrate_job, layout.user_job) == (install.migration_job, install.user_job)
    assert layout.scheduler[0] == f"deploy/{install.scheduler}"
    assert layout.values in install.values_file_paths
    assert layout.fernet_secret == install.values["fernetKeySecretName"]
    assert (layout.payload_key, layout.payload_property) == install.payload_location
    assert layout.git_host == install.git_sync.known_hosts_host


def live_objects(repo, install) -> Snapshot:
    """A healthy stack as the API would show it, every object named as the repository and its install say:
    the repository's own Applications and ExternalSecrets with a synced status, their Secrets, the chart's
    scheduler Deployment and pod."""
    synced = {"sync": {"status": "Synced"}, "health": {"status": "Healthy"}}
    ready = {"conditions": [{"type": "Ready", "status": "True", "reason": "SecretSynced"}]}
    meta = {"namespace": install.namespace, "labels": {"release": install.release, "component": "scheduler"}}
    return Snapshot.from_lists(
        applications=[{**app.obj.body, "status": synced} for app in repo.applications],
        external_secrets=[{**es.obj.body, "status": ready} for es in install.external_secrets],
        secret_objects=[{"metadata": {"name": es.target_name, "namespace": install.namespace, "uid": es.target_name},
                         "data": {"key": base64.b64encode(b"value").decode()}} for es in install.external_secrets],
        deployments=[{"metadata": {**meta, "name": install.scheduler, "generation": 1}, "spec": {"replicas": 1},
                      "status": {"readyReplicas": 1, "updatedReplicas": 1, "observedGeneration": 1}}],
        pods=[{"metadata": {**meta, "name": f"{install.scheduler}-0", "uid": "pod-1"},
               "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}}])


def test_cluster_judgements_read_live_objects_by_the_installs_names(root, install):
    """The health checks and a scenario's symptom and convergence, over one view of live objects."""
    repo = load_repository(root)
    live = live_objects(repo, install)
    expect = Expectations.from_repository(repo, install.airflow_version)
    assert health.workloads_ready(live, expect).ok and health.applications_synced_healthy(live, expect).ok
    [deployment] = live.of("Deployment")
    stale = {**deployment, "status": {**deployment["status"], "readyReplicas": 0}}
    verdict = health.workloads_ready(live.replaced(deployments=[stale]), expect)
    assert not verdict.ok and f"Deployment/{install.scheduler}: 0/1 ready" in verdict.evidence[0]
    pruned, memory = registry.get("secret-pruned-with-owner", repo), Memory(before=live)
    assert pruned.converged.evaluate(live, memory).ok
    assert pruned.symptom.evaluate(live.replaced(secret_objects=[]), memory).ok
    assert pruned.converged.evaluate(live.replaced(secret_objects=[]), memory).pending
