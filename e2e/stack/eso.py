"""External Secrets Operator from its chart, rendered with `helm template` and applied labelled.

Why render and apply: every object (CRDs too) then carries the run id, `down` on an existing cluster deletes
exactly ours, and the image list comes from what is really applied.
"""

from __future__ import annotations

from typing import Any

from e2e import versions
from e2e.config import RunConfig
from e2e.gitops.model import Repository
from e2e.stack import names

RELEASE = "external-secrets"
DEPLOYMENTS = ("external-secrets", "external-secrets-webhook", "external-secrets-cert-controller")
CRDS_TO_ESTABLISH = ("clustersecretstores.external-secrets.io", "externalsecrets.external-secrets.io")


def service_account(repo: Repository, config: RunConfig) -> tuple[str, str]:
    """(namespace, name) of the ServiceAccount the store logs in with: the chart must create exactly it."""
    ref = names.vault_store(repo).service_account_ref
    return str(ref.get("namespace") or config.eso_namespace), str(ref.get("name") or RELEASE)


def helm_values(config: RunConfig, repo: Repository) -> dict[str, Any]:
    _ns, sa_name = service_account(repo, config)
    repository, tag = versions.ESO_IMAGE.rsplit(":", 1)
    return {
        "installCRDs": True,
        "image": {"repository": repository, "tag": tag},
        "serviceAccount": {"create": True, "name": sa_name},
        "commonLabels": config.labels(),
    }


def template_argv(config: RunConfig, repo: Repository, values_file: str) -> list[str]:
    namespace, _sa = service_account(repo, config)
    return ["helm", "template", RELEASE, "external-secrets", "--repo", versions.ESO_CHART_REPO,
            "--version", versions.ESO_CHART_VERSION, "--namespace", namespace, "--include-crds",
            "--values", values_file]
