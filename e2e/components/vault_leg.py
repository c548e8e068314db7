"""The chain's Vault leg on a real Vault-API server (OpenBao dev-TLS): seed with the cluster tier's own seeding
(e2e.stack.vault.seed_plan/apply_seed), then read back as ESO would and render the Secrets from what came back.

"As ESO would": with a token holding only the policies of the role the store logs in with (plus Vault's
`default`, as a Kubernetes login gets), at the path ESO derives from the store and each ExternalSecret's
remote key (e2e.gitops.esovault.read_location), over TLS verified with the server's CA. A Kubernetes login
itself needs a TokenReview API, which does not exist here: the role is written and read back instead (the server
accepted its config), and a login attempt is shown to fail for that reason, not for the role.
Errors name paths and policies, never values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from e2e.components.jobenv import RenderedSecrets
from e2e.gitops import Repository
from e2e.gitops.esovault import VaultLocation, read_location
from e2e.gitops.templates import TemplateError, render_target_data
from e2e.stack import names, vault

TOKEN_TTL = "15m"


class VaultLegError(Exception):
    """One line: what Vault answered (its own words), at which path, with which policies."""


@dataclass
class EsoRead:
    """What ESO would have read for every ExternalSecret: Secret name -> rendered data, plus the evidence."""

    secrets: RenderedSecrets
    payload: dict[str, Any]
    evidence: list[str] = field(default_factory=list)


def role_policies(repo: Repository) -> tuple[str, list[str]]:
    """(role name, its policies) for the role the store's Kubernetes auth logs in with."""
    store = names.vault_store(repo)
    role_name = str(store.kubernetes_auth.get("role") or "")
    role = next((r for r in repo.roles if r.name == role_name), None)
    if role is None:
        raise VaultLegError(f"store {store.name} logs in with role {role_name!r}, which vault/roles does not define")
    return role_name, role.listed("policies")


def seed(root_client: Any, repo: Repository, payload: dict[str, Any], kubernetes_ca_cert: str) -> None:
    """The cluster tier's seeding, unchanged."""
    vault.apply_seed(root_client, vault.seed_plan(repo, payload, kubernetes_ca_cert=kubernetes_ca_cert))


def eso_token(root_client: Any, policies: list[str]) -> str:
    """A token with exactly these policies (and `default`), as `auth/kubernetes/login` with the role issues."""
    created = root_client.auth.token.create(policies=policies, ttl=TOKEN_TTL, no_parent=True)
    return str(created["auth"]["client_token"])


def locations(repo: Repository) -> list[tuple[str, str, VaultLocation, str | None]]:
    """(ExternalSecret, secretKey, where ESO reads, property) for every remoteRef of every ExternalSecret."""
    store = names.vault_store(repo)
    out = []
    for es in repo.external_secrets:
        for item in es.data:
            ref = item.get("remoteRef")
            if isinstance(ref, dict) and isinstance(ref.get("key"), str):
                prop = ref.get("property") if isinstance(ref.get("property"), str) else None
                out.append((es.name, str(item.get("secretKey")), read_location(store, ref["key"]), prop))
    return out


def read_as_eso(client: Any, repo: Repository, policies: list[str]) -> EsoRead:
    """Read every remote key at ESO's path with `client` (a token of the role's policies); render each Secret."""
    import hvac
    import requests

    texts: dict[str, dict[str, str]] = {}
    evidence = []
    for es_name, secret_key, loc, prop in locations(repo):
        try:
            read = client.secrets.kv.v2.read_secret_version(path=loc.path, mount_point=loc.mount,
                                                            raise_on_deleted_version=True)
        except hvac.exceptions.Forbidden as exc:
            raise VaultLegError(f"ExternalSecret {es_name}: GET {loc.api_path} with policies {policies}: "
                                f"403 {_first(exc)}") from None
        except hvac.exceptions.InvalidPath:
            raise VaultLegError(f"ExternalSecret {es_name}: GET {loc.api_path}: 404 nothing stored there") from None
        except requests.exceptions.SSLError as exc:
            raise VaultLegError(f"Vault at {client.url}: TLS verification failed ({type(exc).__name__})") from None
        except requests.exceptions.RequestException as exc:
            raise VaultLegError(f"Vault at {client.url} is unreachable: {type(exc).__name__}") from None
        data = read["data"]["data"]
        if prop is not None and prop not in data:
            raise VaultLegError(f"ExternalSecret {es_name}: {loc.api_path} has no property {prop!r}")
        texts.setdefault(es_name, {})[secret_key] = str(data[prop]) if prop else yaml.safe_dump(data)
        evidence.append(f"{es_name}: read {loc.api_path}" + (f" property {prop}" if prop else "") +
                        f" with policies {policies}")
    payload = yaml.safe_load(next(iter(next(iter(texts.values())).values()))) if texts else None
    if not isinstance(payload, dict):
        raise VaultLegError(f"the Vault payload is not a mapping (it is {type(payload).__name__}): ESO's "
                            "`fromYaml` templates cannot read keys from it")
    secrets = RenderedSecrets()  # ESO reconciles each ExternalSecret alone: one broken template fails one Secret
    for es in repo.external_secrets:
        if es.name not in texts:
            continue
        try:
            secrets[es.target_name] = render_target_data(es.template_data, texts[es.name])
        except TemplateError as exc:
            secrets.errors[es.target_name] = f"ESO would fail ExternalSecret {es.name} (template: {exc})"
    return EsoRead(secrets, payload, evidence)


def _first(exc: Exception) -> str:
    """Vault's own error text (hvac puts the server's `errors` list in the message)."""
    text = " ".join(str(exc).replace("*", " ").split())
    return text[:200] or type(exc).__name__
