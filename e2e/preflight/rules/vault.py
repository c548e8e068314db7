"""Vault as data: TLS to Vault, KV v2 policy paths, and whether the role ESO logs in with can read what the
ExternalSecrets ask for (FAILURES.md 3; seed "Vault policy" and "I avoid plain HTTP for Vault").
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from functools import lru_cache

from e2e.gitops import esovault
from e2e.gitops.model import ExternalSecret, VaultPolicy, VaultRole, VaultStore
from e2e.preflight.context import Context
from e2e.preflight.finding import Finding
from e2e.preflight.registry import rule

KV2_API_PREFIXES = {"data", "metadata", "delete", "undelete", "destroy", "subkeys", "config"}
BUILTIN_POLICIES = {"default", "root"}


@rule("vault-without-tls", "error", "a SecretStore reaches Vault over plain http://",
      "seed \"I avoid plain HTTP for Vault\"")
def vault_without_tls(ctx: Context) -> list[Finding]:
    return [
        ctx.finding(file=s.obj.origin.file, line=_server_line(s), obj=s.obj.ref,
                    message="Vault server is plain http://: the token and every payload value cross the network "
                            "unencrypted",
                    hint="use https:// and trust Vault's CA with caProvider (a ConfigMap or Secret holding ca.crt)")
        for s in ctx.repo.stores if s.server.strip().lower().startswith("http://")
    ]


@rule("vault-tls-without-ca", "error", "a SecretStore reaches Vault over https:// without caProvider or caBundle",
      "seed \"The ClusterSecretStore points to Vault over HTTPS with the internal CA\"")
def vault_tls_without_ca(ctx: Context) -> list[Finding]:
    return [
        ctx.finding(file=s.obj.origin.file, line=_server_line(s), obj=s.obj.ref,
                    message="Vault is reached over https:// but the store names no CA (caProvider or caBundle): "
                            "an internal CA fails verification, and nothing pins which CA is trusted",
                    hint="add spec.provider.vault.caProvider {type: ConfigMap, name, namespace, key: ca.crt}")
        for s in ctx.repo.stores
        if s.server.strip().lower().startswith("https://") and not s.ca_provider and not s.ca_bundle
    ]


@rule("vault-ca-provider-without-namespace", "error",
      "a ClusterSecretStore's caProvider names no namespace, which ESO refuses",
      "external-secrets CAProvider: namespace is required for a ClusterSecretStore")
def vault_ca_provider_without_namespace(ctx: Context) -> list[Finding]:
    return [
        ctx.finding(file=s.obj.origin.file, line=_ca_line(s), obj=s.obj.ref,
                    message="the ClusterSecretStore's caProvider has no namespace: ESO cannot tell where the CA "
                            "lives and marks the store invalid, so no ExternalSecret syncs",
                    hint="add caProvider.namespace (the namespace of the ConfigMap or Secret holding the CA)")
        for s in ctx.repo.stores
        if s.obj.kind == "ClusterSecretStore" and s.ca_provider and not s.ca_provider.get("namespace")
    ]


@rule("vault-ca-bundle-only", "error",
      "a store trusts Vault through an inline caBundle only, which the test Vault's per-run CA cannot match",
      "FAILURES.md 8 (the dev-TLS CA is new on every start)")
def vault_ca_bundle_only(ctx: Context) -> list[Finding]:
    return [
        ctx.finding(file=s.obj.origin.file, line=_ca_line(s), obj=s.obj.ref,
                    message="the store pins Vault's CA inline (caBundle) and names no caProvider: a rotated or "
                            "re-issued CA needs a commit, and the test Vault's CA (new on every start, published "
                            "as a ConfigMap) is never read, so the store cannot be tested",
                    hint="reference the CA with caProvider {type: ConfigMap, name, namespace, key} instead")
        for s in ctx.repo.stores if s.ca_bundle and not s.ca_provider
    ]


@rule("vault-kv2-policy-without-data", "error",
      "a policy path on a KV v2 mount lacks `data/` (e.g. secret/airflow/*), so it never matches a read",
      "FAILURES.md 3; seed \"KV v2 policies need secret/data/airflow/*\"")
def vault_kv2_policy_without_data(ctx: Context) -> list[Finding]:
    mounts = {_mount(s) for s in ctx.repo.stores if s.version == "v2"} - {None}
    out = []
    for policy in ctx.repo.policies:
        for path in policy.rules:
            for mount in mounts:
                if not path.startswith(f"{mount}/"):
                    continue
                segment = path[len(mount) + 1:].split("/", 1)[0]
                if _may_be_kv2_api(segment):
                    continue
                rest = path[len(mount) + 1:]
                out.append(ctx.finding(
                    file=policy.origin.file, line=_policy_line(policy, path),
                    obj=f"VaultPolicy/{policy.name}",
                    message=f"path {path!r} is on KV v2 mount {mount!r}, whose reads go to {mount}/data/...: this "
                            "rule never matches; ExternalSecrets get 403 permission denied while the store is Ready",
                    hint=f"use path \"{mount}/data/{rest}\""))
    return out


@rule("vault-role-not-found", "warning",
      "a SecretStore logs in with a Vault role that vault/roles/ does not define",
      "FAILURES.md 3")
def vault_role_not_found(ctx: Context) -> list[Finding]:
    if not ctx.repo.roles or ctx.vault_unknown:
        return []
    out = []
    for store in ctx.repo.stores:
        name = _role_name(store)
        if isinstance(name, str) and name not in ctx.roles_by_name:
            out.append(ctx.finding(
                file=store.obj.origin.file, line=_auth_line(store), obj=store.obj.ref,
                message=f"kubernetes auth role {name!r} is not in vault/roles/, so its bindings and policies "
                        "cannot be checked",
                hint=f"add vault/roles/{name}.yaml with the parameters of `vault write auth/kubernetes/role/{name}`"))
    return out


@rule("vault-role-service-account-mismatch", "error",
      "the Vault role's bound ServiceAccount names/namespaces do not include the store's serviceAccountRef",
      "FAILURES.md 3 (login fails: the store goes Ready=False)")
def vault_role_service_account_mismatch(ctx: Context) -> list[Finding]:
    out = []
    for store, role in _store_roles(ctx):
        sa = _sa_ref(store)
        name = sa.get("name")
        if not isinstance(name, str) or not name:
            continue
        names = role.listed("bound_service_account_names")
        if not _bound(names, name):
            out.append(_sa_finding(ctx, store, role, f"ServiceAccount name {name!r}", names,
                                   "bound_service_account_names"))
        if role.params.get("bound_service_account_namespace_selector"):
            continue
        namespaces = role.listed("bound_service_account_namespaces")
        for ns in sorted(_sa_namespaces(ctx, store)):
            if not _bound(namespaces, ns):
                out.append(_sa_finding(ctx, store, role, f"ServiceAccount namespace {ns!r}", namespaces,
                                       "bound_service_account_namespaces"))
    return out


@rule("vault-role-audience-mismatch", "error",
      "the Vault role's audience is not among the audiences of the token the store requests",
      "docs/facts.md Vault (set the role's audience and serviceAccountRef.audiences together)")
def vault_role_audience_mismatch(ctx: Context) -> list[Finding]:
    out = []
    for store, role in _store_roles(ctx):
        audience = role.params.get("audience")
        if not isinstance(audience, str) or not audience:
            continue
        audiences = _sa_ref(store).get("audiences")
        listed = [str(a) for a in audiences] if isinstance(audiences, list) else []
        if audience in listed:
            continue
        if not listed:
            out.append(ctx.finding(
                file=store.obj.origin.file, line=_auth_line(store),
                obj=store.obj.ref, severity="warning",
                message=f"role {role.name!r} requires audience {audience!r}, but serviceAccountRef.audiences is "
                        "unset: the token carries the API server's default audience, which matches only on "
                        "clusters whose issuer is exactly that",
                hint=f"set serviceAccountRef.audiences: [{audience}] in the store"))
        else:
            out.append(ctx.finding(
                file=store.obj.origin.file, line=_auth_line(store),
                obj=store.obj.ref,
                message=f"role {role.name!r} requires audience {audience!r}, but the store requests tokens for "
                        f"{', '.join(listed)}: Vault rejects the login (invalid audience claim)",
                hint=f"make serviceAccountRef.audiences include {audience} (or change the role's audience)"))
    return out


@rule("vault-policy-missing-read", "error",
      "the policies of the store's Vault role do not grant read on secret/data/<key> for an ExternalSecret",
      "FAILURES.md 3")
def vault_policy_missing_read(ctx: Context) -> list[Finding]:
    if (not ctx.repo.roles and not ctx.repo.policies) or ctx.vault_unknown:
        return []  # a policy file not read is not a missing grant (file-not-read names it)
    # One finding per (role, path), where the fix goes (the role's policy file), naming every reader.
    readers: dict[tuple[str, str], list[ExternalSecret]] = {}
    roles: dict[str, VaultRole] = {}
    for es in ctx.repo.external_secrets:
        store = _store_of(ctx, es)
        role = ctx.roles_by_name.get(_role_name(store)) if store is not None else None
        if store is None or role is None:
            continue
        roles[role.name] = role
        for key in es.remote_keys:
            readers.setdefault((role.name, _read_path(store, key)), []).append(es)
    out = []
    for (role_name, path), ess in readers.items():
        role = roles[role_name]
        reason = _why_not_readable(ctx, role, path)
        if reason is None:
            continue
        file, line = _policy_location(ctx, role)
        names = ", ".join(sorted({es.obj.ref for es in ess}))
        out.append(ctx.finding(
            file=file, line=line, obj=f"VaultRole/{role.name}",
            message=f"{path!r} is read through role {role.name!r} by {len(ess)} ExternalSecret(s) ({names}), but "
                    f"{reason}: ESO gets 403 permission denied (SecretSyncedError)",
            hint=f"grant capabilities = [\"read\"] on path \"{path}\" (or a glob covering it) in "
                 f"{file if file.endswith('.hcl') else 'a policy the role lists'}"))
    return out


def _policy_location(ctx: Context, role: VaultRole) -> tuple[str, int]:
    """The role's only policy file when it lists exactly one that exists here, else the role's own file."""
    listed = [ctx.policies_by_name.get(name) for name in role.listed("policies")]
    present = [p for p in listed if p is not None]
    if len(present) == 1 and len(listed) == 1:
        return present[0].origin.file, present[0].origin.line
    return role.origin.file, role.origin.line


# --- helpers ------------------------------------------------------------------------------------------------


def _kube_auth(store: VaultStore) -> dict:
    kube = store.auth.get("kubernetes")
    return kube if isinstance(kube, dict) else {}


def _sa_ref(store: VaultStore) -> dict:
    ref = _kube_auth(store).get("serviceAccountRef")
    return ref if isinstance(ref, dict) else {}


def _role_name(store: VaultStore) -> str | None:
    name = _kube_auth(store).get("role")
    return name if isinstance(name, str) else None


def _store_roles(ctx: Context) -> Iterator[tuple[VaultStore, VaultRole]]:
    for store in ctx.repo.stores:
        role = ctx.roles_by_name.get(_role_name(store))
        if role is not None:
            yield store, role


def _store_of(ctx: Context, es: ExternalSecret) -> VaultStore | None:
    store = ctx.stores_by_name.get(es.store_name)
    if store is None:
        return None
    if es.store_kind == "SecretStore" and (store.obj.kind != "SecretStore" or store.obj.namespace != es.namespace):
        return None
    return store if store.obj.kind == es.store_kind else None


def _mount(store: VaultStore) -> str | None:
    return store.path.strip("/") if store.path else None


def _read_path(store: VaultStore, key: str) -> str:
    """The logical path ESO reads (one derivation: e2e.gitops.esovault)."""
    return esovault.read_location(store, key).api_path


def _may_be_kv2_api(segment: str) -> bool:
    if segment in KV2_API_PREFIXES or segment in ("+", "*", ""):
        return True
    return segment.endswith("*") and "data".startswith(segment[:-1])


@lru_cache(maxsize=4096)
def vault_glob(pattern: str) -> re.Pattern[str]:
    """A Vault ACL path pattern as a regex: a trailing `*` is a prefix match, a `+` segment is one segment."""
    prefix = pattern.endswith("*")
    body = pattern[:-1] if prefix else pattern
    parts = ["[^/]*" if seg == "+" else re.escape(seg) for seg in body.split("/")]
    return re.compile("/".join(parts) + (".*" if prefix else "") + r"\Z")


def _specificity(pattern: str) -> tuple[int, int, int]:
    return (0 if pattern.endswith("*") else 1, -pattern.count("+"), len(pattern))


def _why_not_readable(ctx: Context, role: VaultRole, path: str) -> str | None:
    names = [p for p in role.listed("policies") + role.listed("token_policies") if p not in BUILTIN_POLICIES]
    if not names:
        return "the role lists no policies"
    missing = [n for n in names if n not in ctx.policies_by_name]
    granted = False
    for name in names:
        policy = ctx.policies_by_name.get(name)
        if policy is None:
            continue
        matching = [p for p in policy.rules if vault_glob(p).match(path)]
        if not matching:
            continue
        best = max(matching, key=_specificity)
        capabilities = policy.rules[best]
        if "deny" in capabilities:
            return f"policy {name!r} denies it (path {best!r})"
        granted = granted or "read" in capabilities
    if granted or any(ctx.policies_by_name[n].opaque for n in names if n in ctx.policies_by_name):
        return None  # granted, or a listed policy's text is not known here (never guessed)
    if missing:
        return f"no listed policy grants read, and {', '.join(repr(m) for m in missing)} is not in vault/policies/"
    return f"no path in policies {', '.join(repr(n) for n in names)} grants read on it"


def _bound(allowed: list[str], value: str) -> bool:
    return any(a == "*" or a == value or fnmatch.fnmatchcase(value, a) for a in allowed)


def _sa_namespaces(ctx: Context, store: VaultStore) -> set[str]:
    ns = _sa_ref(store).get("namespace")
    if store.obj.kind == "SecretStore":
        return {store.obj.namespace} if store.obj.namespace else set()
    if isinstance(ns, str) and ns:
        return {ns}
    return {es.namespace for es in ctx.repo.external_secrets if es.store_name == store.name and es.namespace}


def _sa_finding(ctx: Context, store: VaultStore, role: VaultRole, what: str, allowed: list[str],
                param: str) -> Finding:
    return ctx.finding(
        file=store.obj.origin.file, line=_auth_line(store), obj=store.obj.ref,
        message=f"logs in as {what}, but role {role.name!r} binds {param}={','.join(allowed) or '(none)'}: "
                "Vault rejects the login and the store is not Ready",
        hint=f"make {role.origin.file} {param} include it, or point serviceAccountRef at a bound ServiceAccount")


def _server_line(store: VaultStore) -> int:
    vault = ((store.obj.body.get("spec") or {}).get("provider") or {}).get("vault")
    return vault.line_of("server") if hasattr(vault, "line_of") else store.obj.origin.line


def _ca_line(store: VaultStore) -> int:
    vault = ((store.obj.body.get("spec") or {}).get("provider") or {}).get("vault")
    for key in ("caProvider", "caBundle"):
        if hasattr(vault, "line_of") and key in vault:
            return vault.line_of(key)
    return store.obj.origin.line


def _auth_line(store: VaultStore) -> int:
    kube = _kube_auth(store)
    if hasattr(kube, "line_of"):
        return kube.line_of("serviceAccountRef") if "serviceAccountRef" in kube else kube.line
    return store.obj.origin.line


def _policy_line(policy: VaultPolicy, path: str) -> int:
    index = policy.text.find(f'"{path}"')
    return policy.text.count("\n", 0, index) + 1 if index >= 0 else policy.origin.line
