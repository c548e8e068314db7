"""A real Vault-API server (OpenBao dev mode with TLS) takes the token the plan generates and the harness's own
seeding, over TLS verified with the server's CA. Vault rejects what OpenBao rejects here (a dotted token id)."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest
import yaml

from e2e.cluster.plan import RunSecrets
from e2e.components.net import free_port
from e2e.components.openbao import OpenBaoServer, bao_binary
from e2e.components.waiting import GaveUp
from e2e.gitops.loader import load_repository
from e2e.install import payload_location
from e2e.stack import vault

REPO_ROOT = Path(__file__).resolve().parents[2]
REPOSITORIES = [REPO_ROOT / "fixtures" / "gitops", REPO_ROOT / "fixtures" / "variants" / "team-repo"]

pytestmark = pytest.mark.components


@pytest.mark.parametrize("gitops_dir", REPOSITORIES, ids=lambda p: p.name)
def test_vault_dev_tls_takes_the_plans_root_token_and_the_harness_seeding(gitops_dir):
    repo = load_repository(gitops_dir)
    material = RunSecrets.generate({"fernetKey": "k", "webserverSecretKey": "w"})
    with OpenBaoServer(material.vault_token) as bao:
        # Off-cluster no pod service-account CA exists; any PEM stands in for the cluster's (a Vault pod reads its own).
        ops = vault.seed_plan(repo, material.payload, kubernetes_ca_cert=bao.ca_pem)
        client = bao.client()
        assert client.is_authenticated()
        vault.apply_seed(client, ops)
        vault.apply_seed(client, ops)  # idempotent: a reused Vault is seeded again without error

        store = repo.stores[0]
        payload_op = ops[-1].args
        for policy in repo.policies:
            assert client.sys.read_policy(policy.name)["data"]["rules"].strip() == policy.text.strip()
        mounts = client.sys.list_mounted_secrets_engines()["data"]
        assert mounts[f"{store.path}/"]["options"]["version"] == "2"
        read = client.secrets.kv.v2.read_secret_version(path=payload_op["path"], mount_point=payload_op["mount_point"],
                                                        raise_on_deleted_version=True)
        prop = payload_location(repo)[1]
        assert yaml.safe_load(read["data"]["data"][prop]) == material.payload
        auth_mount = store.kubernetes_auth["mountPath"]
        config = client.auth.kubernetes.read_config(mount_point=auth_mount)
        assert config["kubernetes_host"] == "https://kubernetes.default.svc"
        for role in repo.roles:
            got = client.auth.kubernetes.read_role(role.name, mount_point=auth_mount)
            assert got["bound_service_account_names"] == role.listed("bound_service_account_names")
            assert got["token_policies"] == role.listed("policies")


def _store_without_path(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(REPOSITORIES[0], root)
    store = root / "apps" / "airflow" / "cluster-secret-store.yaml"
    store.write_text(store.read_text().replace('      path: "secret"\n', ""))
    for es in (root / "apps" / "airflow").glob("external-secret*.yaml"):
        es.write_text(es.read_text().replace("key: airflow/config", "key: secret/airflow/config"))
    return root


@pytest.mark.parametrize("shape", ["gitops", "team-repo", "store-without-path"])
def test_the_payload_is_seeded_where_eso_reads_it(openbao_server, tmp_path, shape):
    """ESO reads the logical path buildPath gives (ReadWithData), not what a client library would guess."""
    from e2e.gitops import esovault

    gitops_dir = {"gitops": REPOSITORIES[0], "team-repo": REPOSITORIES[1]}.get(shape) or _store_without_path(tmp_path)
    repo = load_repository(gitops_dir)
    payload = {"fernetKey": f"k-{shape}"}
    client = openbao_server.client()
    vault.apply_seed(client, vault.seed_plan(repo, payload, kubernetes_ca_cert=openbao_server.ca_pem))
    key, prop = payload_location(repo)
    where = esovault.read_location(repo.stores[0], vault.payload_key(repo))
    assert where.api_path.endswith(key.split("/", 1)[-1])
    read = client.read(where.api_path)
    assert yaml.safe_load(read["data"]["data"][prop]) == payload


def _vault_refuses(token: str) -> bool:
    """Vault's rule for a custom dev-mode root token id (vault/token_store.go): no token prefix, no '.'."""
    return not token or token.startswith(("hvs.", "s.", "hvb.", "b.", "hvr.", "r.")) or "." in token


@pytest.mark.parametrize("token", ["hvs." + "a" * 24, "s.abc", "dotted.token"])
def test_vault_dev_mode_refuses_a_dotted_or_prefixed_root_token(token):
    """The server the blocker was found on: the old `hvs.` token never gets a running Vault."""
    assert _vault_refuses(token)
    with pytest.raises(GaveUp, match="failed to create root token") as caught, OpenBaoServer(token):
        pass
    assert token not in str(caught.value)


def test_generated_root_tokens_are_ones_vault_accepts():
    tokens = {vault.dev_root_token() for _ in range(200)}
    assert len(tokens) == 200 and all(not _vault_refuses(t) for t in tokens)


def test_openbao_verifies_with_its_own_ca_only(openbao_server, tmp_path):
    import hvac
    import requests

    assert openbao_server.client().sys.read_health_status(method="GET")["sealed"] is False
    other = tmp_path / "other-ca.pem"
    other.write_text(_other_ca_pem())
    with pytest.raises(requests.exceptions.SSLError) as caught:
        hvac.Client(url=openbao_server.url, verify=str(other)).sys.read_health_status(method="GET")
    # A wrong CA fails the bring-up's Vault steps at once instead of being retried for the step's deadline.
    from e2e.cluster.bringup import transient_step_error

    assert isinstance(caught.value, requests.exceptions.ConnectionError)
    assert not transient_step_error(caught.value)
    with pytest.raises(requests.exceptions.ConnectionError) as refused:
        hvac.Client(url=f"https://127.0.0.1:{free_port()}", verify=openbao_server.ca_file).sys.read_health_status()
    assert transient_step_error(refused.value)  # a port-forward not up yet stays transient


def test_openbao_stops_its_process_group_and_leaves_no_temp_dir():
    server = OpenBaoServer(vault.dev_root_token()).start()
    root, pid = server.root, server._proc.pid
    assert root is not None and (root / "tls" / "vault-ca.pem").is_file()
    server.stop()
    assert not root.exists()
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, signal.SIG_DFL or 0)
    server.stop()  # twice is harmless


def test_the_bao_binary_is_the_real_one_not_its_python_launcher():
    with open(bao_binary(), "rb") as handle:
        assert handle.read(4) in (b"\x7fELF", b"\xcf\xfa\xed\xfe")


def _other_ca_pem() -> str:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "not the bao CA")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()
