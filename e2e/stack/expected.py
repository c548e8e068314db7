"""What a healthy bring-up looks like for THIS repository: the lines, names and places the cluster checks
expect, computed from the repository and the run (never the reference repository's names).

Why here: the cluster suite cannot run on machines without a registry; with the expectations as functions,
unit tests prove them on the reference and the variant (release af, namespace data-platform, dp-* Secrets,
git on port 2222), and the live tests only compare.
"""

from __future__ import annotations

from e2e.config import RunConfig
from e2e.gitops.model import Repository, get_path
from e2e.install import airflow_install
from e2e.stack import argocd, names
from e2e.stack.operator import scheduler_workload


def dags_known_hosts_line(repo: Repository, host_public_key: str) -> str:
    """The knownHosts line git-sync gets: `[host]:port key` off port 22, as OpenSSH matches it."""
    url = names.dags_url(repo)
    if url is None:
        raise ValueError("the chart values name no dags.gitSync.repo")
    return argocd.known_hosts_line(url.host, url.port, host_public_key)


argocd_known_hosts_lines = argocd.known_hosts_lines  # what argocd-ssh-known-hosts-cm holds


def ca_config_map(repo: Repository, config: RunConfig) -> tuple[str, str, str]:
    """(namespace, name, key) of the ConfigMap the store reads Vault's CA from."""
    return names.ca_target(names.vault_store(repo), config.eso_namespace)


def external_secret_targets(repo: Repository) -> list[tuple[str | None, str]]:
    """(namespace, Secret name) of every Secret the repository's ExternalSecrets create."""
    return sorted({(es.namespace, es.target_name) for es in repo.external_secrets}, key=lambda t: (t[0] or "", t[1]))


def dag_reader(repo: Repository, airflow_version: str) -> tuple[str, str]:
    """(workload, container) that holds the DAG files: on Airflow 3 with the dag processor on (the chart's
    default there), the scheduler has neither the DAG volume nor git-sync (apache/airflow PR #59123)."""
    inst = airflow_install(repo)
    enabled = get_path(inst.values, "dagProcessor.enabled")
    if enabled is None:
        enabled = int(airflow_version.split(".")[0]) >= 3
    return (f"deploy/{inst.release}-dag-processor", "dag-processor") if enabled else scheduler_workload(inst.release)
