"""Vault in dev mode with TLS (vault-helm), its CA for ESO, and seeding through hvac.

Why dev mode with -dev-tls: the store speaks HTTPS with a CA, as in production, without unseal ceremony;
the CA is new on every start (FAILURES.md 8), so it is read from the pod and published as the ConfigMap the
ClusterSecretStore names. The SANs cover the Service names, the store's host and the port-forward host.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from typing import Any

from e2e import payload as payload_mod
from e2e import versions
from e2e.config import RunConfig
from e2e.gitops import esovault
from e2e.gitops.model import Repository
from e2e.install import payload_location
from e2e.stack import names
from e2e.stack.common import Obj, config_map

RELEASE = "vault"
# On the container's own filesystem, not a volume: dev TLS writes its files 0444/0400 and removes them only on a
# clean exit, so after an unclean exit a restarted container could not overwrite them on a kept emptyDir and
# crash-loops ("permission denied" on vault-ca.pem); a restarted container gets a fresh /tmp. /tmp exists in the
# image (the directory must exist before Vault starts) and the chart mounts nothing there.
CERT_DIR = "/tmp"
CA_FILE = f"{CERT_DIR}/vault-ca.pem"
PORT = 8200  # where the dev server listens in the pod; the Service listens on the store's port (service_port)
LOCAL_SANS = ("localhost", "127.0.0.1")  # the harness reaches Vault through a port-forward


def template_argv(config: RunConfig, values_file: str) -> list[str]:
    """`helm template` of the pinned Vault chart into the run's Vault namespace (plan and bring-up)."""
    return ["helm", "template", RELEASE, "vault", "--repo", versions.VAULT_CHART_REPO, "--version",
            versions.VAULT_CHART_VERSION, "--namespace", config.vault_namespace, "--values", values_file]


def read_ca_args(config: RunConfig) -> list[str]:
    """kubectl arguments that print the CA the dev server wrote in its pod (bring-up, plan, re-seed)."""
    return ["-n", config.vault_namespace, "exec", f"{RELEASE}-0", "--", "cat", CA_FILE]


ROOT_TOKEN_ALPHABET = string.ascii_letters + string.digits


def dev_root_token() -> str:
    """A dev-mode root token id Vault accepts: no `hvs.`/`s.` prefix and no `.` at all (hashicorp/vault
    `vault/token_store.go`, #8092): a dotted id makes dev mode exit "failed to create root token"."""
    # A letter first: the chart writes the id unquoted into an env value, where YAML must read it as a string.
    return secrets.choice(string.ascii_letters) + "".join(secrets.choice(ROOT_TOKEN_ALPHABET) for _ in range(31))


def service_names(config: RunConfig) -> list[str]:
    ns = config.vault_namespace
    return [RELEASE, f"{RELEASE}.{ns}", f"{RELEASE}.{ns}.svc", f"{RELEASE}.{ns}.svc.cluster.local"]


def service_fqdn(config: RunConfig) -> str:
    return f"{RELEASE}.{config.vault_namespace}.svc.cluster.local"


def service_port(repo: Repository) -> int:
    """The port ESO dials (the store's server URL, e.g. :8200 or :443): the Service listens there."""
    return esovault.server_address(names.vault_store(repo))[1]


def sans(config: RunConfig, repo: Repository) -> list[str]:
    host, _port = esovault.server_address(names.vault_store(repo))
    return [*service_names(config), host, *LOCAL_SANS]


def helm_values(config: RunConfig, repo: Repository, root_token: str) -> dict[str, Any]:
    repository, tag = versions.VAULT_IMAGE.rsplit(":", 1)
    args = ["-dev-tls", f"-dev-tls-cert-dir={CERT_DIR}", *(f"-dev-tls-san={s}" for s in sans(config, repo))]
    return {
        "global": {"tlsDisable": False},
        "injector": {"enabled": False},
        "server": {
            "image": {"repository": repository, "tag": tag},
            "dev": {"enabled": True, "devRootToken": root_token},
            "extraArgs": " ".join(args),
            "extraEnvironmentVars": {"VAULT_CACERT": CA_FILE},
            "extraLabels": config.labels(),
            "dataStorage": {"enabled": False},
            # ESO dials the port in the store's URL; the Service maps it to the listener.
            "service": {"port": service_port(repo), "targetPort": PORT},
            "authDelegator": {"enabled": True},  # the kubernetes auth method reviews tokens with Vault's own SA
            # RollingUpdate: `kubectl rollout status` can watch it (the chart's OnDelete cannot be watched).
            "updateStrategyType": "RollingUpdate",
            # An HTTPS health probe instead of the chart's `vault status -tls-skip-verify` exec probe.
            "readinessProbe": {"enabled": True, "path": "/v1/sys/health"},
        },
        "ui": {"enabled": False},
    }


def ca_config_map(config: RunConfig, repo: Repository, ca_pem: str) -> Obj:
    """The CA as the store names it (FACTS: caProvider {type: ConfigMap, name, namespace, key})."""
    namespace, name, key = names.ca_target(names.vault_store(repo), config.eso_namespace)
    return config_map(name, namespace, {key: ca_pem}, config)


@dataclass
class SeedOp:
    """One idempotent Vault write, in order: what `seed` does, as data (plan shows it, tests check it)."""

    op: str
    args: dict[str, Any] = field(default_factory=dict)


def seed_plan(repo: Repository, payload: dict[str, Any], kubernetes_host: str = names.DEFAULT_KUBERNETES_HOST,
              payload_path: str | None = None, kubernetes_ca_cert: str | None = None) -> list[SeedOp]:
    """Policies, kubernetes auth (with kubernetes_host), roles, then the payload where the ExternalSecrets read
    it, derived as ESO derives it (e2e.gitops.esovault): mount, path and property (e.g. secret, airflow/config,
    field `config`). `payload_path` is a remote key as an ExternalSecret would name it.
    `kubernetes_ca_cert`: None in the cluster (Vault reads its pod's service-account CA and token); off-cluster
    a PEM, and Vault is told not to look for pod files."""
    store = names.vault_store(repo)
    mount_point = str(store.kubernetes_auth.get("mountPath") or "kubernetes")
    where = esovault.read_location(store, payload_path or payload_key(repo))
    ops = [SeedOp("policy", {"name": p.name, "policy": p.text}) for p in repo.policies]
    ops.append(SeedOp("enable_auth", {"method_type": "kubernetes", "path": mount_point}))
    kube_config = {"kubernetes_host": kubernetes_host, "mount_point": mount_point}
    if kubernetes_ca_cert:
        kube_config.update(kubernetes_ca_cert=kubernetes_ca_cert, disable_local_ca_jwt=True)  # no pod files
    ops.append(SeedOp("configure_kubernetes", kube_config))
    for role in repo.roles:
        args: dict[str, Any] = {
            "name": role.name,
            "bound_service_account_names": role.listed("bound_service_account_names"),
            "bound_service_account_namespaces": role.listed("bound_service_account_namespaces"),
            "policies": role.listed("policies"),
            "mount_point": mount_point,
        }
        for optional in ("ttl", "audience"):
            if role.params.get(optional) is not None:
                args[optional] = str(role.params[optional])
        ops.append(SeedOp("role", args))
    # A dev Vault mounts KV v2 only at `secret/`; a store on another mount (e.g. `kv`) needs it enabled.
    ops.append(SeedOp("enable_kv", {"backend_type": "kv", "path": where.mount,
                                    "options": {"version": where.version.lstrip("v")}}))
    ops.append(SeedOp("payload", {"mount_point": where.mount, "path": where.path,
                                  "secret": {payload_location(repo)[1]: payload_mod.dumps(payload)}}))
    return ops


def payload_key(repo: Repository) -> str:
    """The remote key the ExternalSecrets read the payload from (e.g. airflow/config)."""
    return payload_location(repo)[0]


def apply_seed(client: Any, ops: list[SeedOp]) -> None:
    """Run seed ops against an hvac.Client (hvac 2.x API names, docs/facts.md). Idempotent."""
    for step in ops:
        a = step.args
        if step.op == "policy":
            client.sys.create_or_update_policy(name=a["name"], policy=a["policy"])
        elif step.op == "enable_auth":
            enabled = client.sys.list_auth_methods()
            listing = enabled.get("data", enabled) if isinstance(enabled, dict) else {}
            if f"{a['path']}/" not in listing:
                client.sys.enable_auth_method(method_type=a["method_type"], path=a["path"])
        elif step.op == "enable_kv":
            mounted = client.sys.list_mounted_secrets_engines()
            listing = mounted.get("data", mounted) if isinstance(mounted, dict) else {}
            if f"{a['path']}/" not in listing:
                client.sys.enable_secrets_engine(**a)
        elif step.op == "configure_kubernetes":
            client.auth.kubernetes.configure(**a)
        elif step.op == "role":
            client.auth.kubernetes.create_role(**a)
        elif step.op == "payload":
            client.secrets.kv.v2.create_or_update_secret(path=a["path"], secret=a["secret"],
                                                         mount_point=a["mount_point"])
        else:  # pragma: no cover - a programming error, caught by unit tests of seed_plan
            raise ValueError(f"unknown seed op {step.op}")
