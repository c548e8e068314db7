"""Where a GitOps repository keeps the files scenarios edit, read from the repository model.

Why: scenarios run against the reference repository and against a team's own (`--gitops-dir`); the values
file, the ExternalSecrets file or the Application files may live elsewhere there. Anything not found falls
back to the reference layout, and an edit that then does not apply says so in one line.
"""

from __future__ import annotations

from dataclasses import dataclass

from e2e.gitops.model import Repository, resolve_values_path


@dataclass(frozen=True)
class Layout:
    values: str = "apps/airflow/airflow-values.yaml"
    external_secrets: str = "apps/airflow/external-secrets.yaml"  # the file holding airflow-fernet-key
    airflow_app: str = "argocd/apps/airflow.yaml"
    secrets_app: str = "argocd/apps/airflow-secrets.yaml"
    argocd_cm: str = "argocd/config/argocd-cm.yaml"
    read_policy: str = "airflow-secret-read"  # vault/policies/<name>.hcl
    chart_app: str = "airflow"
    secrets_app_name: str = "airflow-secrets"

    @property
    def policy_file(self) -> str:
        return f"vault/policies/{self.read_policy}.hcl"

    @classmethod
    def from_repository(cls, repo: Repository | None) -> Layout:
        if repo is None:
            return cls()
        found: dict[str, str] = {}
        chart_app = next((a for a in repo.applications if a.chart_sources), None)
        if chart_app is not None:
            found["chart_app"] = chart_app.name
            found["airflow_app"] = chart_app.obj.origin.file
            files = [resolve_values_path(f) for s in chart_app.chart_sources for f in s.value_files]
            if files and files[0]:
                found["values"] = files[0]
        secrets_app = next((a for a in repo.applications if a.directory_sources and any(
            es.obj.origin.file.startswith((a.directory_sources[0].path or "").strip("/") + "/")
            for es in repo.external_secrets)), None)
        if secrets_app is not None:
            found["secrets_app"] = secrets_app.obj.origin.file
            found["secrets_app_name"] = secrets_app.name
        fernet = next((es for es in repo.external_secrets if es.target_name == "airflow-fernet-key"), None)
        if fernet is not None:
            found["external_secrets"] = fernet.obj.origin.file
        cm = next((o for o in repo.objects_of_kind("ConfigMap") if o.name == "argocd-cm"), None)
        if cm is not None:
            found["argocd_cm"] = cm.origin.file
        if repo.policies:
            found["read_policy"] = repo.policies[0].name
        return cls(**found)
