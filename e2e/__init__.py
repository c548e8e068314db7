"""airflow-gitops-e2e: end-to-end harness for Airflow on Kubernetes via Argo CD, Vault, ESO and git-sync."""

__version__ = "0.1.0"
