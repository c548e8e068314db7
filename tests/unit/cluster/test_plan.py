"""The bring-up plan: order, parallel lanes, objects and their invariants, and masking of everything written."""

from __future__ import annotations

import json

import kubernetes_validate
import pytest
import yaml

from e2e import versions
from e2e.cluster import plan as plan_mod
from e2e.config import RUN_ID_LABEL, RunConfig
from e2e.masking import YAML_SAFE_MASK, Masker
from e2e.stack import gitserver
from e2e.stack.pushed import repository_files

pytestmark = pytest.mark.unit

CORE_KINDS = {"Namespace", "Secret", "ConfigMap", "Deployment", "Service"}


def _objects(plan):
    return [o for m in plan.manifests.values() for o in m.objects]


def _phase_names(plan):
    return [p.name for p in plan.phases]


def test_phases_run_in_dependency_order(built):
    plan, _, _ = built
    assert _phase_names(plan) == ["cluster", "images", "namespaces", "install", "ready", "configure", "deliver",
                                  "converge"]


def test_independent_installs_run_in_parallel_lanes(built):
    plan, _, _ = built
    install = next(p for p in plan.phases if p.name == "install")
    assert install.parallel
    first_steps = {lane[0].name for lane in install.lanes}
    assert first_steps == {"vault.install", "eso.install", "argocd.install", "gitserver.install",
                           "postgres.install", "coredns.patch"}


def test_namespaces_are_applied_before_any_namespaced_object(built):
    plan, _, _ = built
    applies = [s.name for s in plan.steps() if s.action in ("apply", "render-apply", "patch")]
    assert applies[0] == "namespaces.apply"


@pytest.mark.parametrize("order", [
    ("vault.install", "vault.ready", "vault.publish-ca", "vault.seed"),  # Vault ready and its CA out before seeding
    ("eso.ready", "airflow.root"),  # the ClusterSecretStore arrives with the root Application (airflow-secrets)
])
def test_steps_that_depend_on_each_other_run_in_order(built, order):
    names = [s.name for s in built[0].steps()]
    assert [names.index(n) for n in order] == sorted(names.index(n) for n in order)


def test_root_application_is_the_last_apply_and_readiness_waits_for_both_children(built):
    plan, _, _ = built
    applies = [s for s in plan.steps() if s.action in ("apply", "render-apply", "patch")]
    assert applies[-1].name == "airflow.root"
    root = plan.manifests["40-root-application.yaml"].objects[0]
    assert root["metadata"]["name"] == "airflow-root"
    assert plan.step("airflow.ready").argv[-2:] == ["airflow", "airflow-secrets"]


def test_every_object_the_run_creates_carries_the_run_id(built, config):
    plan, _, _ = built
    for obj in _objects(plan):
        if obj["metadata"].get("namespace") == "kube-system":
            continue
        assert obj["metadata"]["labels"][RUN_ID_LABEL] == config.run_id, obj["metadata"]["name"]


def test_coredns_is_annotated_never_labelled_so_teardown_by_label_cannot_delete_it(built, config):
    plan, _, _ = built
    coredns = plan.manifests["15-coredns.yaml"].objects[0]
    assert RUN_ID_LABEL not in (coredns["metadata"].get("labels") or {})
    assert coredns["metadata"]["annotations"]["airflow-e2e.io/patched-by"] == config.run_id


def test_core_objects_validate_against_the_kubernetes_schema(built):
    plan, _, _ = built
    checked = 0
    for obj in _objects(plan):
        if obj["kind"] in CORE_KINDS:
            kubernetes_validate.validate(obj, "1.36.0", strict=True)
            checked += 1
    assert checked >= 10


def test_known_hosts_everywhere_is_the_test_server_key(built):
    plan, material, _ = built
    key = material.host_key.public_line
    cm = plan.manifests["23-argocd-ssh-known-hosts-cm.yaml"].objects[0]
    assert cm["data"]["ssh_known_hosts"] == f"git.example.com {key}\n"
    values = yaml.safe_load(plan.repo_files["apps/airflow/airflow-values.yaml"])
    assert values["dags"]["gitSync"]["knownHosts"] == f"git.example.com {key}\n"
    git_secret = plan.manifests["13-git-server.yaml"].objects[0]
    assert git_secret["stringData"]["ssh_host_ed25519_key.pub"].strip() == key


def test_only_known_hosts_differs_in_the_pushed_repository(built):
    plan, _, repo = built
    original = repository_files(repo.root)
    changed = {rel for rel in original if original[rel] != plan.repo_files[rel]}
    assert changed == {"apps/airflow/airflow-values.yaml"}
    before = yaml.safe_load(original["apps/airflow/airflow-values.yaml"])
    after = yaml.safe_load(plan.repo_files["apps/airflow/airflow-values.yaml"])
    before["dags"]["gitSync"].pop("knownHosts")
    after["dags"]["gitSync"].pop("knownHosts")
    assert before == after


def test_vault_sans_include_the_store_host_and_service_names(built):
    plan, _, _ = built
    args = yaml.safe_load(plan.manifests["10-vault-values.yaml"].text)["server"]["extraArgs"].split()
    sans = {a.split("=", 1)[1] for a in args if a.startswith("-dev-tls-san=")}
    assert {"vault.example.internal", "vault.vault.svc", "vault.vault.svc.cluster.local", "localhost"} <= sans
    assert "-dev-tls" in args


def test_ca_config_map_is_where_the_store_names_it(built):
    plan, _, _ = built
    cm = plan.manifests["20-vault-ca.yaml"].objects[0]
    assert (cm["metadata"]["namespace"], cm["metadata"]["name"], list(cm["data"])) == \
        ("external-secrets", "vault-ca", ["ca.crt"])


@pytest.fixture(scope="module")
def written(built, tmp_path_factory):
    """The directory `airflow-e2e plan` writes for the built plan."""
    plan, material, _ = built
    out = tmp_path_factory.mktemp("plan")
    plan_mod.write(plan, out, material.masker())
    return out


def test_no_verification_is_turned_off_anywhere(written):
    for path in written.rglob("*"):
        if path.is_file():
            text = path.read_text()
            for bad in ("StrictHostKeyChecking=no", "insecure-skip-tls-verify", "tls-skip-verify",
                        "tlsDisable: true", "GITSYNC_SSH_KNOWN_HOSTS=false", "--insecure"):
                assert bad not in text, f"{bad} in {path.name}"


def test_plan_output_contains_no_secret_value(built, written):
    _, material, _ = built
    everything = "\n".join(p.read_text() for p in written.rglob("*") if p.is_file())
    raw = Masker(material.values())
    assert raw.leaks(everything) == []
    assert material.vault_token not in everything
    assert material.host_key.private_openssh.splitlines()[1] not in everything
    assert material.deploy_key.private_openssh.splitlines()[1] not in everything
    db_password = plan_mod.postgres.db_target(material.payload).password
    assert db_password not in everything
    assert YAML_SAFE_MASK in everything


def test_commands_json_lists_phases_with_parallel_lanes_marked(written):
    commands = json.loads((written / "commands.json").read_text())
    install = next(p for p in commands["phases"] if p["name"] == "install")
    assert install["parallel"] is True and len(install["lanes"]) == 6
    deliver = next(p for p in commands["phases"] if p["name"] == "deliver")
    assert deliver["parallel"] is False
    assert all(step["timeout"] > 0 for p in commands["phases"] for lane in p["lanes"] for step in lane)


def test_existing_cluster_plan_has_no_kind_steps(repo):
    plan, _, _ = plan_mod.prepare(RunConfig(cluster="existing", run_id="e2e-x"))
    assert "00-kind-config.yaml" not in plan.manifests
    assert [s.name for s in plan.phases[0].steps()] == ["cluster.connect"]
    assert "images" not in _phase_names(plan)


def test_timeouts_scale_with_the_multiplier(config):
    slow, _, _ = plan_mod.prepare(RunConfig(run_id="e2e-y", timeout_multiplier=2.0))
    fast, _, _ = plan_mod.prepare(RunConfig(run_id="e2e-y"))
    assert slow.step("airflow.ready").timeout == 2 * fast.step("airflow.ready").timeout


def test_images_come_from_rendered_objects_and_the_versions_table(built):
    plan, _, _ = built
    assert gitserver.image() in plan.images and versions.POSTGRES_IMAGE in plan.images
    assert versions.VAULT_IMAGE in plan.images and versions.ARGOCD_IMAGE in plan.images
    assert f"apache/airflow:{versions.CHART_AIRFLOW[versions.PINNED_CHART]}" in plan.images


def test_a_candidate_chart_version_changes_only_the_chart_target_revision():
    plan, _, repo = plan_mod.prepare(RunConfig(run_id="e2e-z", chart_version="1.22.0"))
    app = yaml.safe_load(plan.repo_files["argocd/apps/airflow.yaml"])
    assert app["spec"]["sources"][0]["targetRevision"] == "1.22.0"
    original = repository_files(repo.root)
    changed = {rel for rel in original if original[rel] != plan.repo_files[rel]}
    assert changed == {"apps/airflow/airflow-values.yaml", "argocd/apps/airflow.yaml"}
    before = yaml.safe_load(original["argocd/apps/airflow.yaml"])
    before["spec"]["sources"][0]["targetRevision"] = "1.22.0"
    assert before == app


def test_upgrade_from_starts_the_run_on_the_old_chart():
    plan, _, _ = plan_mod.prepare(RunConfig(run_id="e2e-u", chart_version="1.22.0", upgrade_from="1.21.0"))
    app = yaml.safe_load(plan.repo_files["argocd/apps/airflow.yaml"])
    assert app["spec"]["sources"][0]["targetRevision"] == "1.21.0"


def test_each_applied_file_follows_its_own_dash_f(built):
    """The plan's command list can be copied into a shell: every file after `kubectl apply` has its own -f."""
    for step in built[0].steps():
        argv = step.argv
        if argv[:2] != ["kubectl", "apply"] or "|" in argv:
            continue
        for name in [a for a in argv if a.endswith((".yaml", ".yml"))]:
            assert argv[argv.index(name) - 1] == "-f", f"{step.name}: {name} has no -f before it"
