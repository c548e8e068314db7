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

from e2e import versions
from e2e.gitops.model import Repository, get_path, resolve_values_path

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

    def pod_selector(self, components: tuple[str, ...]) -> str:
        return f"release={self.release},component in ({','.join(components)})"

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
    chart_app = next((a for a in repo.applications if a.chart_sources), None)
    values: dict = {}
    if chart_app is not None:
        found["chart_app"] = chart_app.name
        found["airflow_app"] = chart_app.obj.origin.file
        files = [resolve_values_path(f) for s in chart_app.chart_sources for f in s.value_files]
        if files and files[0]:
            found["values"] = files[0]
        values = repo.merged_values(chart_app)
        found.update(_chart_names(repo, chart_app, values))
    secrets_app = next((a for a in repo.applications if a.directory_sources and any(
        es.obj.origin.file.startswith((a.directory_sources[0].path or "").strip("/") + "/")
        for es in repo.external_secrets)), None)
    if secrets_app is not None:
        found["secrets_app"] = secrets_app.obj.origin.file
        found["secrets_app_name"] = secrets_app.name
        secrets_dir = (secrets_app.directory_sources[0].path or "").strip("/")
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


def _chart_names(repo: Repository, chart_app, values: dict) -> dict[str, object]:
    """Release, namespaces and Job names, as the checks' Expectations derive them (the same rules on the chart
    Application alone when the repository has no secrets Application for Expectations)."""
    from e2e.checks.expect import MIGRATION_JOB, USER_JOB, Expectations

    revision = chart_app.chart_sources[0].target_revision or versions.PINNED_CHART
    airflow = versions.CHART_AIRFLOW.get(revision, versions.CHART_AIRFLOW[versions.PINNED_CHART])
    try:
        expect = Expectations.from_repository(repo, airflow)
        release, namespace, argocd = expect.release, expect.namespace, expect.argocd_namespace
    except ValueError:
        release = str(chart_app.chart_sources[0].helm.get("releaseName") or chart_app.name)
        namespace, argocd = chart_app.destination_namespace or "default", chart_app.obj.namespace or "argocd"
    found: dict[str, object] = {"release": release, "airflow_namespace": namespace, "argocd_namespace": argocd,
                                "migrate_job": MIGRATION_JOB.format(release=release),
                                "user_job": USER_JOB.format(release=release)}
    eso_namespace = repo.stores[0].service_account_ref.get("namespace") if repo.stores else None
    if isinstance(eso_namespace, str) and eso_namespace:
        found["eso_namespace"] = eso_namespace
    host = _known_hosts_host(get_path(values, "dags.gitSync.knownHosts"))
    if host:
        found["git_host"] = host
    return found


def _known_hosts_host(known_hosts: object) -> str | None:
    lines = [line.split() for line in str(known_hosts or "").splitlines() if line.strip() and not line.startswith("#")]
    return lines[0][0] if lines and lines[0] else None


def _payload_fields(repo: Repository, values: dict, found: dict[str, object]) -> dict[str, object]:
    """The payload fields each Secret's template reads (`(fromYaml .settings).fernetKey`), the payload's
    location and the metadata connection's database user."""
    out: dict[str, object] = {}
    key, prop = repo.payload_location()
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
    mount = (repo.stores[0].path or "").strip("/") if repo.stores else ""
    mount = mount or Layout.vault_mount
    out["vault_mount"] = mount
    key, _prop = repo.payload_location()
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
