"""Failure classes on the messages kind, Docker, kubelet, kubectl, ESO, OpenSSH and Airflow really print."""

from __future__ import annotations

import pytest

from e2e.ci.classify import DEPENDENCY_NOT_READY, INFRASTRUCTURE, PRODUCT, classify

pytestmark = pytest.mark.unit

INFRASTRUCTURE_TEXTS = {
    "docker hub rate limit": (
        'Failed to pull image "docker.io/library/postgres:17.6-bookworm": rpc error: code = Unknown desc = '
        "failed to pull and unpack image: toomanyrequests: You have reached your pull rate limit. You may "
        "increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit"),
    "registry 429": (
        'failed to resolve reference "quay.io/argoproj/argocd:v3.5.1": unexpected status from HEAD request to '
        "https://quay.io/v2/argoproj/argocd/manifests/v3.5.1: 429 Too Many Requests"),
    "pod image pull backoff via a fail-fast wait": (
        "Failed: pod argocd/argocd-server-6d4f9c7b8-x2x9q waiting ImagePullBackOff: "
        'Back-off pulling image "quay.io/argoproj/argocd:v3.5.1"'),
    "ErrImagePull": "container vault in vault/vault-0 is waiting: ErrImagePull",
    "dns in the node": (
        'dial tcp: lookup registry-1.docker.io on 10.96.0.10:53: no such host'),
    "dns on the runner": (
        "urllib3.exceptions.NameResolutionError: Failed to resolve 'dl.k8s.io' "
        "([Errno -3] Temporary failure in name resolution)"),
    "kind create cluster": (
        'ERROR: failed to create cluster: failed to pull image "kindest/node:v1.36.4@sha256:099e0493": '
        "command \"docker pull kindest/node:v1.36.4\" failed with error: exit status 1"),
    "kind kubeadm": "ERROR: failed to create cluster: failed to init node with kubeadm: command failed",
    "docker daemon": (
        "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"),
    "node not ready": 'timed out after 120s: node "airflow-e2e-control-plane" not ready (KubeletNotReady)',
}

DEPENDENCY_TEXTS = {
    "ESO webhook": (
        'Internal error occurred: failed calling webhook "validate.externalsecret.external-secrets.io": failed to '
        'call webhook: Post "https://external-secrets-webhook.external-secrets.svc:443/validate-external-secrets-'
        'io-v1-externalsecret?timeout=5s": dial tcp 10.96.12.3:443: connect: connection refused'),
    "no endpoints": (
        'Internal error occurred: failed calling webhook "vault.hashicorp.com": no endpoints available for '
        'service "vault-agent-injector-svc"'),
    "rollout wait": (
        "TimeoutError: timed out after 300s waiting for deployment argocd/argocd-repo-server to become ready: "
        "0/1 replicas available"),
    "deployment progress deadline": (
        'error: deployment "external-secrets" exceeded its progress deadline'),
}

PRODUCT_TEXTS = {
    "ESO 403 on a KV v2 policy without data/": (
        "ExternalSecret airflow/airflow-fernet-key Ready=False SecretSyncedError: error processing spec.data[0] "
        "(key: airflow/config), err: Code: 403. Errors: * 1 error occurred: * permission denied"),
    "template key missing": (
        'SecretSyncedError: could not execute template: template: fernet-key:1:24: executing "fernet-key" at '
        "<(fromYaml .config).fernetKeyy>: map has no entry for key \"fernetKeyy\""),
    "git-sync host key": (
        "git-sync init container failed: too many failures, aborting; stderr: No ED25519 host key is known for "
        "git.example.com and you have requested strict checking. Host key verification failed."),
    "key without newline": 'Load key "/etc/git-secret/ssh": invalid format',
    "migrations never ran": "TimeoutError: There are still unapplied migrations after 10 seconds.",
    "immutable Job": 'Job.batch "airflow-create-user" is invalid: spec.template: Invalid value: field is immutable',
    "job failed": "Job airflow/airflow-run-airflow-migrations failed: BackoffLimitExceeded",
    "fernet": "ValueError: Fernet key must be 32 url-safe base64-encoded bytes.",
    "plain assertion": "AssertionError: assert 'airflow-fernet-key' in ['airflow-api-secret-key']",
    "secrets after pods (FAILURES 1)": (
        'pod airflow/airflow-scheduler-0 waiting CreateContainerConfigError: secret "airflow-fernet-key" not found'),
    "broker password mismatch (FAILURES 9)": (
        "redis.exceptions.AuthenticationError: invalid username-password pair or user is disabled."),
    "unencoded @ in the DB URL (FAILURES 10)": (
        "psycopg2.OperationalError: could not translate host name \"x@postgresql\" to address: "
        "Name or service not known"),
    "values file in a directory source (FAILURES 16)": (
        "Application airflow-secrets ComparisonError: Object 'Kind' is missing in "
        "'{\"airflow\":{\"image\":{}}}'"),
    "vault sealed (FAILURES 8)": "ExternalSecret airflow/airflow-fernet-key: Error making API request. Code: 503. "
                                 "Errors: * Vault is sealed",
    "wrong DB password (FACTS)": 'FATAL:  password authentication failed for user "airflow"',
}


EDGE_CASES = {  # (text, pytest phase) -> class
    "connection refused while bringing up": (
        "HTTPSConnectionPool(host='127.0.0.1', port=8200): Max retries exceeded ([Errno 111] Connection refused)",
        "setup", DEPENDENCY_NOT_READY),
    "connection refused inside the test body": (
        "redis.exceptions.ConnectionError: Error 111 connecting to 127.0.0.1:6379. Connection refused.", "call",
        PRODUCT),
    "a plain timeout in the test body is not retried": (
        "TimeoutError: timed out after 60s: ExternalSecret still Ready=Unknown", "call", PRODUCT),
    "infrastructure wins over a product word in the same text": (
        "SecretSyncedError observed, but first: ImagePullBackOff on external-secrets-7c9d", "call", INFRASTRUCTURE),
}
CASES = {**{k: (t, "call", INFRASTRUCTURE) for k, t in INFRASTRUCTURE_TEXTS.items()},
         **{k: (t, "call", DEPENDENCY_NOT_READY) for k, t in DEPENDENCY_TEXTS.items()},
         **{k: (t, "call", PRODUCT) for k, t in PRODUCT_TEXTS.items()}, **EDGE_CASES}


@pytest.mark.parametrize(("text", "phase", "expected"), CASES.values(), ids=CASES.keys())
def test_failure_class(text, phase, expected):
    assert classify(text, phase).failure_class == expected


def test_the_matching_rule_is_named():
    assert classify(PRODUCT_TEXTS["git-sync host key"]).rule == "host-key"
    assert classify("assert 1 == 2").rule == "assertion"
