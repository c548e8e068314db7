"""What the bring-up does with chart and install.yaml renders (helm and the download replaced by realistic
outputs): test hooks dropped, namespaces filled, every object labelled, workloads found for the waits."""

from __future__ import annotations

import io
import subprocess

import pytest

from e2e.cluster import bringup, images, tools
from e2e.cluster import plan as plan_mod
from e2e.config import RUN_ID_LABEL, RunConfig

pytestmark = pytest.mark.unit

VAULT_RENDER = """\
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: vault
  namespace: vault
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: vault-server-binding
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:auth-delegator}
subjects: [{kind: ServiceAccount, name: vault, namespace: vault}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: vault
  namespace: vault
spec:
  selector: {matchLabels: {app.kubernetes.io/name: vault}}
  template:
    metadata: {labels: {app.kubernetes.io/name: vault}}
    spec:
      containers: [{name: vault, image: "hashicorp/vault:2.0.4"}]
---
apiVersion: v1
kind: Pod
metadata:
  name: vault-server-test
  namespace: vault
  annotations: {helm.sh/hook: test}
spec:
  containers: [{name: t, image: "hashicorp/vault:2.0.4"}]
"""

ESO_RENDER = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: externalsecrets.external-secrets.io}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: external-secrets-webhook}
spec:
  template:
    spec:
      containers: [{name: webhook, image: "ghcr.io/external-secrets/external-secrets:v2.9.0"}]
"""

INSTALL_YAML = b"""\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: argocd-application-controller}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: argocd-redis}
spec:
  template:
    spec:
      containers: [{name: redis, image: "public.ecr.aws/docker/library/redis:8.2.2-alpine"}]
"""


@pytest.fixture
def live(tmp_path, monkeypatch):
    monkeypatch.setattr(bringup, "STATE_ROOT", tmp_path)
    config = RunConfig(run_id="e2e-render-1")
    plan, material, repo = plan_mod.prepare(config)

    def fake_run(argv, **_):
        out = {"vault": VAULT_RENDER, "external-secrets": ESO_RENDER}.get(argv[2], "")
        if argv[2] == "airflow":
            return subprocess.CompletedProcess(argv, 1, "", "Error: offline")
        return subprocess.CompletedProcess(argv, 0, out, "")

    monkeypatch.setattr(tools, "run", fake_run)
    monkeypatch.setattr(bringup.urllib.request, "urlopen", lambda url, timeout: io.BytesIO(INSTALL_YAML))
    run = bringup.LiveRun(config, plan, material, repo, material.masker(), bringup.Progress(material.masker()))
    run.render_charts()
    return run


def test_helm_test_hooks_are_dropped_and_every_rendered_object_is_labelled(live):
    names = [o["metadata"]["name"] for o in live.rendered["vault"]]
    assert "vault-server-test" not in names
    for key in ("vault", "eso", "argocd"):
        for obj in live.rendered[key]:
            assert obj["metadata"]["labels"][RUN_ID_LABEL] == "e2e-render-1", obj["metadata"]["name"]


def test_namespaced_objects_land_in_their_component_namespace_and_cluster_scoped_ones_stay_cluster_wide(live):
    webhook = next(o for o in live.rendered["eso"] if o["kind"] == "Deployment")
    assert webhook["metadata"]["namespace"] == "external-secrets"
    crd = next(o for o in live.rendered["eso"] if o["kind"] == "CustomResourceDefinition")
    assert "namespace" not in crd["metadata"]
    redis = next(o for o in live.rendered["argocd"] if o["kind"] == "Deployment")
    assert redis["metadata"]["namespace"] == "argocd"
    role = next(o for o in live.rendered["argocd"] if o["kind"] == "ClusterRole")
    assert "namespace" not in role["metadata"]


def test_waits_and_images_come_from_the_renders(live):
    assert bringup.rollout_targets(live.rendered["vault"]) == [("vault", "statefulset/vault")]
    every = [o for objs in live.rendered.values() for o in objs]
    assert "public.ecr.aws/docker/library/redis:8.2.2-alpine" in images.images_in(every)
    assert live.rendered["airflow"] == []  # a chart that cannot be rendered leaves its images to the node
