"""Where ESO reads and connects, derived once (e2e.gitops.esovault) and used by the seeding, the admin client,
the Vault Service and preflight. Cases follow ESO's `providers/v1/vault/client_get.go` buildPath doc table."""

from __future__ import annotations

import shutil

import pytest

from e2e.config import DEFAULT_GITOPS_DIR, RunConfig
from e2e.gitops import esovault
from e2e.gitops.loader import load_repository
from e2e.stack import names, vault

pytestmark = pytest.mark.unit

STORE = "apps/airflow/cluster-secret-store.yaml"


def _repo(tmp_path, old: str, new: str):
    root = tmp_path / "repo"
    shutil.copytree(DEFAULT_GITOPS_DIR, root)
    path = root / STORE
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return load_repository(root)


def _store(tmp_path, path_line: str, version: str = "v2"):
    repo = _repo(tmp_path, '      path: "secret"\n      version: "v2"\n',
                 (f"      {path_line}\n" if path_line else "") + f'      version: "{version}"\n')
    return repo.stores[0]


@pytest.mark.parametrize(("path_line", "version", "key", "api_path", "mount", "path"), [
    ('path: "secret/path"', "v2", "foo", "secret/path/data/foo", "secret/path", "foo"),
    ('path: "secret/path"', "v1", "foo", "secret/path/foo", "secret/path", "foo"),
    ('path: "secret/path"', "v2", "secret/path/foo", "secret/path/data/foo", "secret/path", "foo"),
    ('path: "secret/path"', "v2", "secret/path/data/foo", "secret/path/data/foo", "secret/path", "foo"),
    ('path: "secret/path"', "v1", "secret/path/foo", "secret/path/foo", "secret/path", "foo"),
    ("", "v2", "secret/path/foo", "secret/data/path/foo", "secret", "path/foo"),
    ("", "v2", "secret/path/data/foo", "secret/path/data/foo", "secret/path", "foo"),
    ("", "v1", "secret/path/foo", "secret/path/foo", "secret", "path/foo"),
    ('path: "secret"', "v2", "airflow/config", "secret/data/airflow/config", "secret", "airflow/config"),
])
def test_read_location_is_esos_build_path(tmp_path, path_line, version, key, api_path, mount, path):
    where = esovault.read_location(_store(tmp_path, path_line, version), key)
    assert (where.api_path, where.mount, where.path) == (api_path, mount, path)


def test_a_store_without_path_gets_the_payload_where_eso_reads_it(tmp_path):
    """Before: mount `secret` and path `secret/airflow/config` (ESO reads secret/data/airflow/config)."""
    repo = _repo(tmp_path, '      path: "secret"\n', "")
    for es in repo.external_secrets:
        for d in es.data:
            d["remoteRef"]["key"] = "secret/airflow/config"
    payload = vault.seed_plan(repo, {"k": "v"})[-1].args
    assert (payload["mount_point"], payload["path"]) == ("secret", "airflow/config")
    assert vault.seed_plan(repo, {"k": "v"})[-2].args["path"] == "secret"  # the KV mount enabled


def test_the_vault_service_listens_on_the_port_the_store_dials(tmp_path):
    repo = _repo(tmp_path, "https://vault.example.internal:8200", "https://vault.example.internal")
    assert esovault.server_address(repo.stores[0]) == ("vault.example.internal", 443)
    service = vault.helm_values(RunConfig(run_id="r"), repo, vault.dev_root_token())["server"]["service"]
    assert service == {"port": 443, "targetPort": vault.PORT}
    assert vault.service_port(repo) == 443


def test_a_cluster_store_ca_provider_without_namespace_is_refused(tmp_path):
    repo = _repo(tmp_path, "        namespace: external-secrets\n        key: ca.crt\n", "        key: ca.crt\n")
    with pytest.raises(ValueError, match="needs a namespace"):
        names.ca_target(repo.stores[0], "external-secrets")


def test_a_store_with_only_a_ca_bundle_gets_no_unread_config_map(tmp_path):
    repo = _repo(tmp_path, "      caProvider:\n        type: ConfigMap\n        name: vault-ca\n"
                           "        namespace: external-secrets\n        key: ca.crt\n", "      caBundle: LS0t\n")
    with pytest.raises(ValueError, match="no caProvider"):
        names.ca_target(repo.stores[0], "external-secrets")
