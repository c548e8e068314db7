"""Where a GitOps repository keeps the files scenarios edit, and what it calls everything, read from the
repository model (and the run's RunConfig for namespaces).

Why: scenarios run against the reference repository and against a team's own (`--gitops-dir`); the values
file, the ExternalSecrets file or the Application files may live elsewhere there, and the release, the
namespaces, the Secrets, the Jobs, the Vault mount and the payload location are the team's choice (release
`af` in `data-platform`, `dp-*` Secrets, KV v2 mount `kv`). Anything not found falls back to the reference's
(every default below is what fixtures/gitops says), and an edit that then does not apply says so in one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from e2e.gitops.model import Repository, get_path
from e2e.install import AirflowInstall, find_install, kv_mount, payload_location, secrets_application

if TYPE_CHECKING:
    from e2e.config import RunConfig

REFERENCE_SECRETS = ("airflow-fernet-key", "airflow-api-secret-key", "airflow-jwt-secret", "airflow-metadata",
                     "airflow-broker-url", "airflow-redis-password", "airflow-webserver-secret-key",
                     "airflow-default-user", "airflow-ssh-secret")
_FROM_YAML = re.compile(r"\{\{-?\s*\(fromYaml \.(?P<prop>\w+)\)(?P<path>(?:\.[\w-]+)+)\s*-?\}\}")


@dataclass(frozen=True)
class Layout:
    values: str = "apps/airflow/airflow-values.yaml"
    external_secrets: str = "apps/airflow/external-secrets.yaml"  # the file holding the fernet ExternalSecret
    airflow_app: str = "argocd/apps/airflow.yaml"
    secrets_app: str = "argocd/apps/airflow-secrets.yaml"
    argocd_cm: str = "argocd/config/argocd-cm.yaml"
    read_policy: str = "airflow-secret-read"  # vault/policies/<name>.hcl
    chart_app: str = "airflow"
    secrets_app_name: str = "airflow-secrets"
    secrets_dir: str = "apps/airflow"  # the secrets Application's directory source path
    values_in_secrets_dir: bool = True  # the values file lies inside that directory source (entry 16 can happen)
    # names the chart and the repository give things
    release: str = "airflow"  # helm.releaseName: pods `release=<release>`, `deploy/<release>-scheduler`
    airflow_namespace: str = "airflow"
    argocd_namespace: str = "argocd"
    eso_namespace: str = "external-secrets"
    secrets: tuple[str, ...] = REFERENCE_SECRETS  # every ExternalSecret target in the Airflow namespace
    fernet_secret: str = "airflow-fernet-key"  # fernetKeySecretName
    fernet_external_secret: str = "airflow-fernet-key"  # the ExternalSecret that writes it
    metadata_secret: str = "airflow-metadata"  # data.metadataSecretName
    broker_secret: str = "airflow-broker-url"  # data.brokerUrlSecretName
    ssh_secret: str = "airflow-ssh-secret"  # dags.gitSync.sshKeySecret
    migrate_job: str = "airflow-run-airflow-migrations"
    user_job: str = "airflow-create-user"
    # the Vault payload: where it is and the fields scenarios change
    vault_mount: str = "secret"
    payload_key: str = "airflow/config"
    payload_property: str = "config"
    kv_read_path: str = "secret/data/airflow/*"  # the read policy's KV v2 path
    fernet_field: str = "fernetKey"
    metadata_field: str = "metadataConnection"
    broker_field: str = "brokerUrl"
    ssh_key_field: str = "extraSecrets.airflow-ssh-secret.data.gitSshKey"
    db_user: str = "airflow"  # the metadata connection's user, as PostgreSQL names it when it refuses
    git_host: str = "git.example.com"  # the known_hosts host token of the DAG repository
    renamed_external_secrets: tuple[tuple[str, str], ...] = ()  # (Secret, its ExternalSecret) where they differ

    @property
    def policy_file(self) -> str:
        return f"vault/policies/{self.read_policy}.hcl"

    @property
    def payload_path(self) -> str:
        """`<mount>/<key>` as `vault kv put` names it (secret/airflow/config; kv/data-platform/airflow)."""
        return f"{self.vault_mount}/{self.payload_key}"

    @property
    def kv_read_path_without_data(self) -> str:
        """The same policy path without KV v2's `data/` segment: the mistake of FAILURES.md 3."""
        prefix = f"{self.vault_mount}/data/"
        rest = self.kv_read_path[len(prefix):] if self.kv_read_path.startswith(prefix) else self.kv_read_path
        return f"{self.vault_mount}/{rest}"

    @property
    def scheduler(self) -> tuple[str, str]:
        """(workload, container) where Airflow CLI commands run: the chart's `<release>-scheduler`."""
        return f"deploy/{self.release}-scheduler", "scheduler"

    def external_secret(self, secret: str) -> str:
        """The ExternalSecret that writes `secret` (the same name unless the repository says otherwise)."""
        return dict(self.renamed_external_secrets).get(secret, secret)

    @classmethod
    def from_repository(cls, repo: Repository | None, config: RunConfig | None = None) -> Layout:
        """What `repo` says (the reference layout when None); namespaces from `config` when given."""
        found: dict[str, object] = {} if repo is None else _read(repo)
        if config is not None:
            found.update(airflow_namespace=config.airflow_namespace, argocd_namespace=config.argocd_namespace,
                         eso_namespace=config.eso_namespace)
        return cls(**found)  # type: ignore[arg-type]


def _read(repo: Repository) -> dict[str, object]:
    found: dict[str, object] = {}
    inst = find_install(repo)
    values: dict = {}
    if inst is not None:
        found["chart_app"] = inst.app.name
        found["airflow_app"] = inst.app.obj.origin.file
        files = [vf.path for vf in inst.values_files if vf.path != inst.app.obj.origin.file]
        if files:
            found["values"] = files[-1] if inst.how == "wrapper" else files[0]
        values = inst.values
        found.update(_chart_names(inst))
    secrets_app = secrets_application(repo)
    if secrets_app is not None:
        found["secrets_app"] = secrets_app.obj.origin.file
        found["secrets_app_name"] = secrets_app.name
        secrets_dir = (secrets_app.directory_sources[0].path or "").strip().strip("/")
        found["secrets_dir"] = secrets_dir
        values_file = str(found.get("values", Layout.values))
        found["values_in_secrets_dir"] = secrets_dir in ("", ".") or values_file.startswith(secrets_dir + "/")
    namespace = str(found.get("airflow_namespace", Layout.airflow_namespace))
    targets = tuple(es.target_name for es in repo.external_secrets_in(namespace))
    if targets:
        found["secrets"] = targets
    renamed = tuple((es.target_name, es.name) for es in repo.external_secrets if es.target_name != es.name)
    if renamed:
        found["renamed_external_secrets"] = renamed
    for field, value_path in (("fernet_secret", "fernetKeySecretName"),
                              ("metadata_secret", "data.metadataSecretName"),
                              ("broker_secret", "data.brokerUrlSecretName"),
                              ("ssh_secret", "dags.gitSync.sshKeySecret")):
        name = get_path(values, value_path)
        if isinstance(name, str) and name:
            found[field] = name
    fernet_secret = str(found.get("fernet_secret", Layout.fernet_secret))
    fernet = next((es for es in repo.external_secrets if es.target_name == fernet_secret), None)
    if fernet is not None:
        found["external_secrets"] = fernet.obj.origin.file
        found["fernet_external_secret"] = fernet.name
    found.update(_payload_fields(repo, values, found))
    found.update(_vault(repo))
    cm = next((o for o in repo.objects_of_kind("ConfigMap") if o.name == "argocd-cm"), None)
    if cm is not None:
        found["argocd_cm"] = cm.origin.file
    return found


def _chart_names(inst: AirflowInstall) -> dict[str, object]:
    """Release, namespaces, Job names and the known-hosts host: the install's."""
    found: dict[str, object] = {"release": inst.release, "airflow_namespace": inst.namespace or "default",
                                "argocd_namespace": inst.argocd_namespace,
                                "migrate_job": inst.migration_job, "user_job": inst.user_job}
    if inst.eso_namespace:
        found["eso_namespace"] = inst.eso_namespace
    if inst.git_sync.known_hosts_host:
        found["git_host"] = inst.git_sync.known_hosts_host
    return found


def _payload_fields(repo: Repository, values: dict, found: dict[str, object]) -> dict[str, object]:
    """The payload fields each Secret's template reads (`(fromYaml .settings).fernetKey`), the payload's
    location and the metadata connection's database user."""
    out: dict[str, object] = {}
    key, prop = payload_location(repo)
    out["payload_key"], out["payload_property"] = key, prop
    for field, secret_field, data_key in (("fernet_field", "fernet_secret", "fernet-key"),
                                          ("metadata_field", "metadata_secret", "connection"),
                                          ("broker_field", "broker_secret", "connection")):
        secret = found.get(secret_field, getattr(Layout, secret_field))
        es = next((e for e in repo.external_secrets if e.target_name == secret), None)
        match = _FROM_YAML.fullmatch(((es.template_data if es else {}).get(data_key) or "").strip())
        if match:
            out[field] = match.group("path").lstrip(".")
    ssh_entry = next((str(name) for name, entry in (get_path(repo.payload_example, "extraSecrets") or {}).items()
                      if isinstance(entry, dict) and get_path(entry, "data.gitSshKey") is not None), None)
    ssh_entry = ssh_entry or str(found.get("ssh_secret", Layout.ssh_secret))
    out["ssh_key_field"] = f"extraSecrets.{ssh_entry}.data.gitSshKey"
    connection = get_path(repo.payload_example, str(out.get("metadata_field", Layout.metadata_field)))
    if isinstance(connection, str):
        import urllib.parse

        user = urllib.parse.urlsplit(connection).username
        if user:
            out["db_user"] = urllib.parse.unquote(user)
    return out


def _vault(repo: Repository) -> dict[str, object]:
    """The KV mount (the store's `path`), the read policy and its KV v2 path covering the payload's key."""
    out: dict[str, object] = {}
    mount = kv_mount(repo)
    out["vault_mount"] = mount
    key, _prop = payload_location(repo)
    parent = key.rsplit("/", 1)[0] if "/" in key else key
    out["kv_read_path"] = f"{mount}/data/{parent}/*"
    policy = next((p for p in repo.policies if any(path.startswith(f"{mount}/data/") for path in p.rules)),
                  repo.policies[0] if repo.policies else None)
    if policy is not None:
        out["read_policy"] = policy.name
        path = next((p for p in policy.rules if p.startswith(f"{mount}/data/")), None)
        if path:
            out["kv_read_path"] = path
    return out
