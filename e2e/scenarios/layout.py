"""Where a GitOps repository keeps the files scenarios edit, and what it calls everything: read from its
AirflowInstall (and the run's RunConfig for namespaces), never assumed.

Why: scenarios run against the reference repository and against a team's own (`--gitops-dir`); the values
file, the ExternalSecrets file or the Application files may live elsewhere there, and the release, the
namespaces, the Secrets, the Jobs, the Vault mount and the payload location are the team's choice (release
`af` in `data-platform`, `dp-*` Secrets, KV v2 mount `kv`). What the repository does not have is None, and
a scenario that needs it refuses in one line (`Layout.need`) instead of editing a file the reference has.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

from e2e.config import RunConfig
from e2e.gitops.model import Repository, get_path
from e2e.install import AirflowInstall, airflow_install, payload_kv
from e2e.stack.operator import scheduler_workload

_FROM_YAML = re.compile(r"\{\{-?\s*\(fromYaml \.(?P<prop>\w+)\)(?P<path>(?:\.[\w-]+)+)\s*-?\}\}")


class NotInRepository(ValueError):
    """A scenario needs a file or a name this repository does not have (e.g. no argocd-cm in it)."""


@dataclass(frozen=True)
class Layout:
    # files
    values: str | None  # the values file scenarios edit
    external_secrets: str | None  # the file holding the fernet key's ExternalSecret
    airflow_app: str  # the chart Application's file
    secrets_app: str | None  # the secrets Application's file
    argocd_cm: str | None  # argocd-cm, when the repository holds it
    read_policy: str | None  # vault/policies/<name>.hcl: the policy whose path covers the payload
    # Applications and the chart's names
    chart_app: str
    secrets_app_name: str | None
    secrets_dir: str | None  # the secrets Application's directory source path
    values_in_secrets_dir: bool  # the values file lies inside that directory source (entry 16 can happen)
    release: str  # helm.releaseName: pods `release=<release>`, `deploy/<release>-scheduler`
    airflow_namespace: str
    argocd_namespace: str
    eso_namespace: str
    vault_namespace: str
    secrets: tuple[str, ...]  # every ExternalSecret target in the Airflow namespace
    fernet_secret: str  # fernetKeySecretName (the chart's own name when unset)
    fernet_external_secret: str | None  # the ExternalSecret that writes it
    metadata_secret: str
    broker_secret: str
    ssh_secret: str | None  # dags.gitSync.sshKeySecret
    migrate_job: str
    user_job: str
    # the Vault payload: where it is and the fields scenarios change
    vault_mount: str
    payload_key: str
    payload_property: str
    kv_read_path: str  # the read policy's KV v2 path
    fernet_field: str | None
    metadata_field: str | None
    broker_field: str | None
    ssh_key_field: str | None
    db_user: str | None  # the metadata connection's user, as PostgreSQL names it when it refuses
    git_host: str | None  # the known_hosts host token of the DAG repository
    renamed_external_secrets: tuple[tuple[str, str], ...] = ()  # (Secret, its ExternalSecret) where they differ

    def need(self, field: str) -> str:
        """The field's value, or NotInRepository naming what the repository lacks."""
        value = getattr(self, field)
        if value is None:
            raise NotInRepository(f"this repository has no {field.replace('_', ' ')} a scenario can act on")
        return value

    @property
    def policy_file(self) -> str:
        return f"vault/policies/{self.need('read_policy')}.hcl"

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
        return scheduler_workload(self.release)

    def external_secret(self, secret: str) -> str:
        """The ExternalSecret that writes `secret` (the same name unless the repository says otherwise)."""
        return dict(self.renamed_external_secrets).get(secret, secret)

    @classmethod
    def from_repository(cls, repo: Repository, config: RunConfig | None = None) -> Layout:
        """What `repo`'s AirflowInstall says; namespaces from `config` when given."""
        return cls(**_read(airflow_install(repo), config))


def _read(inst: AirflowInstall, config: RunConfig | None) -> dict:
    repo = inst.repo
    app_file = inst.app.obj.origin.file
    files = [vf.path for vf in inst.values_files if vf.path != app_file]
    values_file = (files[-1] if inst.how == "wrapper" else files[0]) if files else None
    secrets_app = inst.secrets_app
    secrets_dir = (secrets_app.directory_sources[0].path or "").strip().strip("/") if secrets_app else None
    namespace = config.airflow_namespace if config else inst.namespace or "default"
    names = {field: inst.secret_name(path) for field, path in (
        ("fernet_secret", "fernetKeySecretName"), ("metadata_secret", "data.metadataSecretName"),
        ("broker_secret", "data.brokerUrlSecretName"))}
    fernet = next((es for es in repo.external_secrets if es.target_name == names["fernet_secret"]), None)
    cm = next((o for o in repo.objects_of_kind("ConfigMap") if o.name == "argocd-cm"), None)
    found = dict(
        values=values_file, external_secrets=fernet.obj.origin.file if fernet else None, airflow_app=app_file,
        secrets_app=secrets_app.obj.origin.file if secrets_app else None, argocd_cm=cm.origin.file if cm else None,
        chart_app=inst.app.name, secrets_app_name=secrets_app.name if secrets_app else None,
        secrets_dir=secrets_dir,
        values_in_secrets_dir=secrets_dir is not None and (secrets_dir in ("", ".") or str(values_file).startswith(
            secrets_dir + "/")),
        release=inst.release, airflow_namespace=namespace,
        argocd_namespace=config.argocd_namespace if config else inst.argocd_namespace,
        eso_namespace=config.eso_namespace if config else inst.eso_namespace or _defaults().eso_namespace,
        vault_namespace=(config or _defaults()).vault_namespace,
        secrets=tuple(es.target_name for es in repo.external_secrets_in(namespace)),
        **names, fernet_external_secret=fernet.name if fernet else None, ssh_secret=inst.git_sync.ssh_key_secret,
        migrate_job=inst.migration_job, user_job=inst.user_job, git_host=inst.git_sync.known_hosts_host,
        renamed_external_secrets=tuple((es.target_name, es.name) for es in repo.external_secrets
                                       if es.target_name != es.name),
    )
    found.update(_payload_fields(inst, found))
    found.update(_vault(inst))
    return found


def _defaults() -> RunConfig:
    """The run's defaults for namespaces the harness itself installs into (ESO, Vault) when no config is given."""
    return RunConfig(run_id="plan")


def _payload_fields(inst: AirflowInstall, found: dict) -> dict:
    """The payload fields each Secret's template reads (`(fromYaml .settings).fernetKey`), the payload's
    location and the metadata connection's database user."""
    repo = inst.repo
    key, prop = inst.payload_location
    out: dict = {"payload_key": key, "payload_property": prop}
    for field, secret_field, data_key in (("fernet_field", "fernet_secret", "fernet-key"),
                                          ("metadata_field", "metadata_secret", "connection"),
                                          ("broker_field", "broker_secret", "connection")):
        es = next((e for e in repo.external_secrets if e.target_name == found[secret_field]), None)
        match = _FROM_YAML.fullmatch(((es.template_data if es else {}).get(data_key) or "").strip())
        out[field] = match.group("path").lstrip(".") if match else None
    extra = get_path(repo.payload_example, "extraSecrets") or {}
    ssh_entry = next((str(name) for name, entry in extra.items()
                      if isinstance(entry, dict) and get_path(entry, "data.gitSshKey") is not None),
                     found["ssh_secret"])
    out["ssh_key_field"] = f"extraSecrets.{ssh_entry}.data.gitSshKey" if ssh_entry else None
    connection = get_path(repo.payload_example, out["metadata_field"]) if out["metadata_field"] else None
    user = urllib.parse.urlsplit(connection).username if isinstance(connection, str) else None
    out["db_user"] = urllib.parse.unquote(user) if user else None
    return out


def _vault(inst: AirflowInstall) -> dict:
    """The KV mount (the store's `path`), the read policy and its KV v2 path covering the payload's key."""
    repo = inst.repo
    mount = payload_kv(repo)[0]
    key = inst.payload_location[0]
    parent = key.rsplit("/", 1)[0] if "/" in key else key
    out: dict = {"vault_mount": mount, "kv_read_path": f"{mount}/data/{parent}/*", "read_policy": None}
    policy = next((p for p in repo.policies if any(path.startswith(f"{mount}/data/") for path in p.rules)),
                  repo.policies[0] if repo.policies else None)
    if policy is not None:
        out["read_policy"] = policy.name
        path = next((p for p in policy.rules if p.startswith(f"{mount}/data/")), None)
        if path:
            out["kv_read_path"] = path
    return out
