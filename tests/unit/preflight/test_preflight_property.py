"""Property: any YAML a user can commit gives findings or one UnusableInput line, never an unhandled exception.

Random documents use the vocabulary the rules look at (kinds, spec fields, chart values) so hypothesis reaches
deep code paths; they replace or join files of a copy of the reference repository.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from e2e.errors import UnusableInput
from e2e.preflight.engine import Report, run_preflight

REFERENCE = Path(__file__).resolve().parents[3] / "fixtures" / "gitops"
KEYS = ["apiVersion", "kind", "metadata", "name", "namespace", "annotations", "labels", "spec", "source", "sources",
        "path", "chart", "ref", "repoURL", "targetRevision", "helm", "valueFiles", "releaseName", "directory",
        "exclude", "include", "recurse", "destination", "target", "template", "data", "secretKey", "remoteRef",
        "key", "property", "refreshInterval", "refreshPolicy", "secretStoreRef", "provider", "vault", "server",
        "version", "caProvider", "auth", "kubernetes", "role", "serviceAccountRef", "audiences", "dags", "gitSync",
        "enabled", "repo", "knownHosts", "sshKeySecret", "createUserJob", "migrateDatabaseJob", "useHelmHooks",
        "applyCustomEnv", "env", "args", "command", "valueFrom", "secretKeyRef", "fernetKeySecretName", "redis",
        "passwordSecretName", "config", "stringData", "insecure", "argocd.argoproj.io/sync-wave",
        "argocd.argoproj.io/secret-type", "bound_service_account_names", "policies", "audience", "extraSecrets"]
TEXTS = ["argoproj.io/v1alpha1", "external-secrets.io/v1", "v1", "Application", "ExternalSecret",
         "ClusterSecretStore", "SecretStore", "ConfigMap", "Secret", "airflow", "argocd", "apps/airflow", "1.21.0",
         "$values/apps/airflow/airflow-values.yaml", "{{ (fromYaml .config).x.y }}", "{{ index .config \"k\" }}",
         "{{ .config | b64dec }}", "{{ (", "ssh://git@git.example.com:2222/x.git", "git@h:x.git", "[h]:22 ssh-rsa AAAA",
         "http://vault:8200", "https://vault:8200", "0", "0s", "5", "-3", "${X}", "StrictHostKeyChecking=no", "*",
         "secret/data/+/x", "true", "airflow-fernet-key", "|1|abc|def ssh-ed25519 AAAA", "CreatedOnce"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12), st.floats(allow_nan=False),
                    st.sampled_from(TEXTS), st.text(max_size=30))
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=10), st.integers(0, 3))
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(keys, inner, max_size=6)), max_leaves=40)
KINDS = [("argoproj.io/v1alpha1", "Application"), ("external-secrets.io/v1", "ExternalSecret"),
         ("external-secrets.io/v1", "ClusterSecretStore"), ("external-secrets.io/v1", "SecretStore"),
         ("v1", "ConfigMap"), ("v1", "Secret")]
kube_like = st.sampled_from(KINDS).flatmap(lambda pair: st.fixed_dictionaries(
    {"apiVersion": st.just(pair[0]), "kind": st.just(pair[1])},
    optional={"metadata": documents, "spec": documents, "data": documents, "stringData": documents}))
TARGETS = ["apps/airflow/airflow-values.yaml", "apps/airflow/external-secrets.yaml", "argocd/apps/airflow.yaml",
           "apps/airflow/cluster-secret-store.yaml", "vault/roles/external-secrets-airflow.yaml",
           "vault/payload.example.yaml", "argocd/apps/new.yaml"]


def _dump(docs: list) -> str:
    return yaml.safe_dump_all(docs, allow_unicode=True, sort_keys=False)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.sampled_from(TARGETS), docs=st.lists(st.one_of(kube_like, documents), min_size=1, max_size=3))
def test_random_yaml_gives_findings_or_one_clear_line(target, docs):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        shutil.copytree(REFERENCE, root)
        (root / target).write_text(_dump(docs))
        try:
            report = run_preflight(root)
        except UnusableInput as exc:
            assert "\n" not in str(exc) and str(exc)
        else:
            assert isinstance(report, Report)


@settings(max_examples=60, deadline=None)
@given(payload=documents)
def test_random_payload_gives_findings_or_one_clear_line(payload):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "payload.yaml"
        path.write_text(yaml.safe_dump(payload, allow_unicode=True))
        try:
            report = run_preflight(REFERENCE, path)
        except UnusableInput as exc:
            assert "\n" not in str(exc) and str(exc)
        else:
            assert isinstance(report, Report)
