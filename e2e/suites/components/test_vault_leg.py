"""The Vault leg on a real Vault-API server (OpenBao dev-TLS): the cluster tier's seeding, then reads as ESO
makes them, with a token of the store's role's policies only, at the path ESO derives, over TLS with the CA."""

from __future__ import annotations

import time

import hvac
import pytest

from e2e.components import net
from e2e.components.openbao import OpenBaoServer
from e2e.components.vault_leg import VaultLegError, eso_token, locations, read_as_eso, role_policies, seed
from e2e.stack import names, vault

pytestmark = pytest.mark.components


@pytest.fixture(scope="module")
def seeded(openbao_server, component_stack):
    repo = component_stack.inputs.repo
    root = openbao_server.client()
    seed(root, repo, component_stack.payload, kubernetes_ca_cert=openbao_server.ca_pem)
    return openbao_server, root, repo


def _as(bao, token):
    return hvac.Client(url=bao.url, token=token, verify=str(bao.ca_file), timeout=10)


def test_eso_reads_back_the_seeded_payload_with_only_the_role_s_policies(seeded, component_stack):
    bao, root, repo = seeded
    _role, policies = role_policies(repo)
    got = read_as_eso(_as(bao, eso_token(root, policies)), repo, policies)
    assert got.payload == component_stack.payload
    assert got.secrets == component_stack.secrets()  # the Secrets the Job and every pod get
    paths = {location.api_path for _es, _key, location, _prop in locations(repo)}
    assert paths and all(any(path in line for path in paths) for line in got.evidence), got.evidence


def test_a_policy_without_data_is_refused_with_vault_s_own_403(seeded):
    bao, root, repo = seeded
    policy = next(p for p in repo.policies)
    root.sys.create_or_update_policy(name="e2e-without-data", policy=policy.text.replace("/data/", "/"))
    with pytest.raises(VaultLegError, match=r"403 .*permission denied") as caught:
        read_as_eso(_as(bao, eso_token(root, ["e2e-without-data"])), repo, ["e2e-without-data"])
    assert locations(repo)[0][2].api_path in str(caught.value)


def test_policies_that_do_not_cover_the_path_fail_naming_it(seeded):
    bao, root, repo = seeded
    location = locations(repo)[0][2]
    other = f'path "{location.mount}/data/e2e-elsewhere/*" {{\n  capabilities = ["read"]\n}}\n'
    root.sys.create_or_update_policy(name="e2e-other-path", policy=other)
    with pytest.raises(VaultLegError, match="e2e-other-path") as caught:
        read_as_eso(_as(bao, eso_token(root, ["e2e-other-path"])), repo, ["e2e-other-path"])
    assert location.api_path in str(caught.value)


def test_the_server_accepts_the_role_a_kubernetes_login_would_use(seeded):
    """A login itself needs a TokenReview API (absent here): the role's config round-trips instead, and a
    login attempt is refused by the server (it cannot review the token)."""
    bao, root, repo = seeded
    role_name, policies = role_policies(repo)
    mount = names.vault_store(repo).kubernetes_auth.get("mountPath") or "kubernetes"
    role = root.auth.kubernetes.read_role(role_name, mount_point=mount)
    assert role["token_policies"] == policies
    wanted = next(r for r in repo.roles if r.name == role_name)
    assert role["bound_service_account_namespaces"] == wanted.listed("bound_service_account_namespaces")
    with pytest.raises(hvac.exceptions.VaultError):
        _as(bao, None).auth.kubernetes.login(role_name, "not-a-service-account-token", mount_point=mount)


def test_an_unreachable_vault_is_one_clear_line_in_bounded_time(component_stack):
    client = hvac.Client(url=f"https://{net.LOOPBACK}:{net.free_port()}", token="t", verify=True, timeout=5)
    start = time.monotonic()
    with pytest.raises(VaultLegError, match="is unreachable: ConnectionError") as caught:
        read_as_eso(client, component_stack.inputs.repo, ["p"])
    assert time.monotonic() - start < 30 and "\n" not in str(caught.value)


def test_a_payload_that_is_not_a_mapping_fails_with_one_line(component_stack):
    repo = component_stack.inputs.repo
    with OpenBaoServer(vault.dev_root_token()) as bao:
        root = bao.client()
        seed(root, repo, {"placeholder": "x"}, kubernetes_ca_cert=bao.ca_pem)
        _es, _key, loc, prop = locations(repo)[0]
        root.secrets.kv.v2.create_or_update_secret(path=loc.path, mount_point=loc.mount,
                                                   secret={prop: "- just\n- a list\n"})
        _role, policies = role_policies(repo)
        with pytest.raises(VaultLegError, match="not a mapping"):
            read_as_eso(_as(bao, eso_token(root, policies)), repo, policies)
