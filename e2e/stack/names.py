"""Host names the repository uses, read from the repository (never typed): the CoreDNS rewrites and the
certificate SANs follow from them, so the user's manifests run unchanged in the test cluster.
"""

from __future__ import annotations

from e2e.gitops.model import Repository, VaultStore
from e2e.install import GitUrl, find_install, parse_git_url

DEFAULT_KUBERNETES_HOST = "https://kubernetes.default.svc"


def gitops_urls(repo: Repository) -> list[GitUrl]:
    """SSH URLs of Git sources in the repository's Applications (the repositories Argo CD clones)."""
    seen: dict[str, GitUrl] = {}
    for app in repo.applications:
        for source in app.sources:
            if source.is_chart:
                continue
            parsed = parse_git_url(source.repo_url)
            if parsed:
                seen.setdefault(parsed.url, parsed)
    return list(seen.values())


def dags_url(repo: Repository) -> GitUrl | None:
    """The git-sync repository the Airflow install's values name (dags.gitSync.repo), when it is SSH."""
    inst = find_install(repo)
    return inst.git_sync.parsed if inst is not None else None


def git_urls(repo: Repository) -> list[GitUrl]:
    """Every SSH URL the test git server serves: the GitOps sources', then the DAG repository's."""
    dags = dags_url(repo)
    return [*gitops_urls(repo), *([dags] if dags else [])]


def git_hosts(repo: Repository) -> list[str]:
    return sorted({u.host for u in git_urls(repo)})


def vault_store(repo: Repository) -> VaultStore:
    if not repo.stores:
        raise ValueError("the repository has no Vault ClusterSecretStore/SecretStore")
    return repo.stores[0]


def ca_target(store: VaultStore, default_namespace: str) -> tuple[str, str, str]:
    """(namespace, ConfigMap name, key) the store reads its CA from, as ESO resolves it: a ClusterSecretStore's
    caProvider must name its namespace (ESO refuses the store otherwise); a SecretStore reads its own namespace.
    A store that names no caProvider (only caBundle, or nothing) reads no ConfigMap: refused here, since the test
    Vault's CA is new on every start and only a caProvider can pick it up."""
    ca = store.ca_provider
    if not ca:
        raise ValueError(f"{store.obj.ref}: no caProvider; the run's Vault CA is published as a ConfigMap that only a "
                         "caProvider reads (caBundle is fixed in Git)")
    if (ca.get("type") or "ConfigMap") != "ConfigMap":
        raise ValueError(f"{store.obj.ref}: caProvider type {ca.get('type')!r}; the harness publishes a ConfigMap")
    if store.obj.kind == "ClusterSecretStore" and not ca.get("namespace"):
        raise ValueError(f"{store.obj.ref}: a ClusterSecretStore's caProvider needs a namespace (ESO refuses it)")
    namespace = ca.get("namespace") if store.obj.kind == "ClusterSecretStore" else store.obj.namespace
    return (str(namespace or default_namespace), str(ca.get("name") or "vault-ca"), str(ca.get("key") or "ca.crt"))
