"""A corpus of repository shapes teams really have (issue 14), each with the exact findings it must give and the
rules it must not fire. Every shape starts from the reference (fixtures/gitops, our own files) and is reshaped the
way a real repository is laid out: a monorepo subtree, chart folders, Kustomize overlays, foreign YAML, templated
and rendered copies, sources in other repositories, Terraform, SealedSecrets, other executors and charts; values
passed every way Argo CD passes them (issue 14 point 1) and Airflow installed every way (point 4).

Each shape's `@shape(EXPECT, MUST_NOT)`: EXPECT is the complete list of (rule, severity, file) preflight must report;
MUST_NOT names the false positives the old checker gave on that shape (or would give by guessing).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from corpus_tools import remove_document

HERE = Path(__file__).resolve().parent
REFERENCE = HERE.parents[2] / "fixtures" / "gitops"
SCHEMAS = HERE / "schemas"
VALUES = "apps/airflow/airflow-values.yaml"
ES_FILE = "apps/airflow/external-secrets.yaml"
CHART_APP = "argocd/apps/airflow.yaml"
SECRETS_APP = "argocd/apps/airflow-secrets.yaml"
THIS_REPO = "ssh://git@git.example.com/platform/k8s-infra.git"


SHAPES: dict[str, tuple[Callable, list[tuple[str, str, str]], set[str]]] = {}
GUESSING_RULES = {"secret-name-unset", "secret-without-external-secret", "eso-target-collides-with-chart-secret",
                  "job-helm-hooks-enabled", "job-script-env-missing", "job-apply-custom-env"}


def shape(expect: list[tuple[str, str, str]], must_not: set[str] = frozenset()):
    """Registers a reshaping of the reference with EXPECT (every finding) and MUST_NOT (its false positives)."""
    def register(reshape: Callable) -> Callable:
        SHAPES[reshape.__name__.replace("_", "-")] = (reshape, expect, set(must_not))
        return reshape
    return register


@shape([], {"file-unreadable", "directory-source-non-kubernetes-file", "secret-without-external-secret"})
def monorepo_subtree(s) -> None:
    """The GitOps config is one folder of a monorepo (platform/gitops); other teams' YAML sits beside it,
    including a compose file with reused anchors and a broken legacy file; --include points at the subtree."""
    sub = s.root / "platform" / "gitops"
    sub.mkdir(parents=True)
    for child in list(s.root.iterdir()):
        if child.name != "platform":
            shutil.move(str(child), str(sub / child.name))
    for rel in ("argocd/root.yaml", SECRETS_APP):
        s.edit(f"platform/gitops/{rel}", "path: ", "path: platform/gitops/")
    s.edit(f"platform/gitops/{CHART_APP}", "$values/apps/", "$values/platform/gitops/apps/")
    s.write("services/api/docker-compose.yaml", "x-defaults: &defaults\n  restart: always\nservices:\n"
            "  api:\n    <<: *defaults\n    image: api:1\n  worker: &defaults\n    image: worker:1\n"
            "  batch:\n    <<: *defaults\n")
    s.write("services/legacy/old.yaml", "key: [unclosed\n")
    s.options["include"] = ["platform/gitops"]


@shape([("helm-chart-templates-not-read", "info", "charts/airflow-extras/Chart.yaml")],
       {"file-unreadable", "file-templated"})
def helm_chart_folder(s) -> None:
    """An in-repository chart (Chart.yaml, values.yaml, templates/ with Go templates and a _helpers.tpl)."""
    s.write("charts/airflow-extras/Chart.yaml", "apiVersion: v2\nname: airflow-extras\nversion: 0.3.1\n")
    s.write("charts/airflow-extras/values.yaml", "pools:\n  - name: etl\n    slots: 8\n")
    s.write("charts/airflow-extras/templates/configmap.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include \"extras.fullname\" . }}\n"
            "data:\n{{- range .Values.pools }}\n  {{ .name }}: {{ .slots | quote }}\n{{- end }}\n")
    s.write("charts/airflow-extras/templates/_helpers.tpl", "{{- define \"extras.fullname\" -}}x{{- end -}}\n")


@shape([], {"eso-refresh-never", "eso-defaulted-fields-missing"})
def kustomize_overlays(s) -> None:
    """ESO's own install as a Kustomize base and a prod overlay whose patch is a partial ExternalSecret."""
    s.write("infra/eso/base/kustomization.yaml", "resources:\n  - namespace.yaml\n")
    s.write("infra/eso/base/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: external-secrets\n")
    s.write("infra/eso/overlays/prod/kustomization.yaml",
            "resources:\n  - ../../base\npatches:\n  - path: refresh-patch.yaml\n")
    s.write("infra/eso/overlays/prod/refresh-patch.yaml",
            "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: airflow-fernet-key\n"
            "  namespace: airflow\nspec:\n  refreshInterval: \"0\"\n")


@shape([], {"file-unreadable"})
def foreign_yaml(s) -> None:
    """CI and CloudFormation files with their own tags (!reference, !Ref, !Sub) and a redefined anchor."""
    s.write("ci/pipeline.yaml", ".setup: &setup\n  - pip install .\ntest:\n  script:\n    - !reference [.setup]\n"
            "    - pytest\n.setup: &setup\n  - make\nlint:\n  before_script: *setup\n")
    s.write("cloudformation/bucket.yaml", "Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n    Properties:\n"
            "      BucketName: !Sub '${AWS::StackName}-logs'\n      Tags: !Ref Tags\n")


@shape([("secret-committed-with-data", "error", "rendered/airflow/secret-fernet.yaml"),
        ("file-templated", "info", "environments/prod/airflow-values.yaml")], {"file-unreadable"})
def templated_and_rendered_copies(s) -> None:
    """A Go-templated values file (not YAML as committed) and a rendered copy of the chart with its Secret."""
    s.write("templates/airflow-values.yaml.gotmpl", "unused: true\n")
    s.write("environments/prod/airflow-values.yaml",
            "executor: CeleryExecutor\n{{- if .Env.BIG }}\nworkers:\n  replicas: 8\n{{- end }}\n")
    s.write("rendered/airflow/secret-fernet.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n"
            "  name: airflow-fernet-key\n  namespace: airflow\ntype: Opaque\ndata:\n"
            "  fernet-key: \"YjZkN2U5ZjBhMWIyYzNkNGU1ZjZhN2I4YzlkMGUxZjI=\"\n")


@shape([("file-unreadable", "error", "apps/airflow/notes.yaml"),
        ("vault-kv2-policy-without-data", "error", "vault/policies/airflow-secret-read.hcl"),
        ("vault-policy-missing-read", "error", "vault/policies/airflow-secret-read.hcl")])
def broken_file_and_real_mistake(s) -> None:
    """One broken file does not hide the rest: the KV v2 policy mistake elsewhere is still found."""
    s.write("apps/airflow/notes.yaml", "owner: data-platform\n  team: [a, b\n")
    s.edit("vault/policies/airflow-secret-read.hcl", 'path "secret/data/airflow/*"', 'path "secret/airflow/*"')


@shape([("source-in-other-repository", "info", SECRETS_APP)],
       {"secret-without-external-secret", "directory-source-non-kubernetes-file"})
def secrets_in_another_repository(s) -> None:
    """The ExternalSecrets live in a shared secrets repository, not here: not checked, never called missing."""
    s.edit(SECRETS_APP, THIS_REPO, "https://github.com/example-org/platform-secrets.git")
    (s.root / ES_FILE).unlink()
    s.options["repo_urls"] = ["git@git.example.com:platform/k8s-infra.git"]


TERRAFORM = '''resource "vault_policy" "airflow_read" {
  name   = "airflow-secret-read"
  policy = jsonencode({
    path = {
      "secret/data/airflow/*" = { capabilities = ["read"] }
    }
  })
}

resource "vault_kubernetes_auth_backend_role" "external_secrets" {
  backend                          = vault_auth_backend.kubernetes.path
  role_name                        = "external-secrets-airflow"
  bound_service_account_names      = ["external-secrets"]
  bound_service_account_namespaces = ["external-secrets"]
  token_policies                   = [vault_policy.airflow_read.name]
  audience                         = "https://kubernetes.default.svc.cluster.local"
}
'''


@shape([], {"vault-role-not-found", "vault-policy-missing-read", "file-unreadable"})
def terraform_vault(s) -> None:
    """Vault managed by Terraform: no vault/policies or vault/roles, a jsonencode policy and a role resource."""
    shutil.rmtree(s.root / "vault" / "policies")
    shutil.rmtree(s.root / "vault" / "roles")
    s.write("terraform/vault/main.tf", TERRAFORM)
    s.write("terraform/network/main.tf", 'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n')


@shape([("vault-kv2-policy-without-data", "error", "terraform/vault/main.tf"),
        ("vault-policy-missing-read", "error", "terraform/vault/main.tf")], {"file-unreadable"})
def terraform_kv2_mistake(s) -> None:
    """The same Terraform with the KV v2 mistake (no data/ segment)."""
    terraform_vault(s)
    s.edit("terraform/vault/main.tf", '"secret/data/airflow/*"', '"secret/airflow/*"')


SEALED = """apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: airflow-fernet-key
  namespace: airflow
spec:
  encryptedData:
    fernet-key: AgA3kq1Xc2VhbGVkLWZlcm5ldC1rZXktY2lwaGVydGV4dA==
  template:
    metadata:
      name: airflow-fernet-key
"""


@shape([], {"secret-without-external-secret", "secret-committed-with-data"})
def sealed_secrets(s) -> None:
    """The Fernet key is a SealedSecret instead of an ExternalSecret."""
    remove_document(s.root / ES_FILE, "airflow-fernet-key")
    s.write("apps/airflow/sealed-fernet-key.yaml", SEALED)


@shape([], {"secret-name-unset", "secret-without-external-secret"})
def local_executor(s) -> None:
    """LocalExecutor: no broker, no Redis, so no broker or Redis Secret anywhere."""
    s.edit(VALUES, "executor: CeleryExecutor", "executor: LocalExecutor")
    s.edit(VALUES, "  brokerUrlSecretName: airflow-broker-url\n", "")
    s.edit(VALUES, "redis:\n  passwordSecretName: airflow-redis-password\n", "redis:\n  enabled: false\n")
    remove_document(s.root / ES_FILE, "airflow-broker-url")
    remove_document(s.root / ES_FILE, "airflow-redis-password")


@shape([], {"secret-name-unset", "secret-without-external-secret"})
def airflow_2_chart(s) -> None:
    """A team still on chart 1.16.0 (Airflow 2.10): no API or JWT secret exists there."""
    s.edit(CHART_APP, "targetRevision: 1.21.0", "targetRevision: 1.16.0")
    s.edit(VALUES, "apiSecretKeySecretName: airflow-api-secret-key\njwtSecretName: airflow-jwt-secret\n", "")
    remove_document(s.root / ES_FILE, "airflow-api-secret-key")
    remove_document(s.root / ES_FILE, "airflow-jwt-secret")


@shape([("chart-version-unknown", "info", CHART_APP)], {"secret-name-unset"})
def unknown_patch_release(s) -> None:
    """A patch release the table does not list: rules follow 1.21.0, with one info."""
    s.edit(CHART_APP, "targetRevision: 1.21.0", "targetRevision: 1.21.3")


GENERATOR = """apiVersion: generators.external-secrets.io/v1alpha1
kind: Password
metadata:
  name: statsd-token
  namespace: airflow
spec:
  length: 40
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: statsd-token
  namespace: airflow
spec:
  refreshInterval: 0s
  target:
    name: statsd-token
    creationPolicy: Owner
    deletionPolicy: Retain
  dataFrom:
    - sourceRef:
        generatorRef:
          apiVersion: generators.external-secrets.io/v1alpha1
          kind: Password
          name: statsd-token
"""


@shape([], {"eso-refresh-never"})
def eso_generator_once(s) -> None:
    """An ESO Password generator refreshed never: generated once, on purpose."""
    s.write("apps/airflow/generated-token.yaml", GENERATOR)


# the typo leaves data.metadataSecretName unset: the chart would render airflow-metadata itself, which the
# ExternalSecret of that name also writes
@shape([("values-key-unknown", "error", VALUES), ("secret-name-unset", "warning", VALUES),
        ("eso-target-collides-with-chart-secret", "warning", ES_FILE)])
def values_typo_with_schema(s) -> None:
    """A misspelt key, checked against the chart's schema given by --chart-schema DIR."""
    s.edit(VALUES, "  metadataSecretName: airflow-metadata", "  metadataSecretname: airflow-metadata")
    s.options["chart_schema"] = SCHEMAS


@shape([("secret-committed-with-data", "error", "argocd/config/repo-k8s-infra.yaml")])
def committed_repository_secret(s) -> None:
    """An Argo CD repository Secret committed with its private key (a real leak)."""
    s.write("argocd/config/repo-k8s-infra.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: repo-k8s-infra\n"
            "  namespace: argocd\n  labels:\n    argocd.argoproj.io/secret-type: repository\nstringData:\n"
            "  type: git\n  url: ssh://git@git.example.com/platform/k8s-infra.git\n"
            "  sshPrivateKey: |\n    -----BEGIN OPENSSH PRIVATE KEY-----\n    b3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n"
            "    -----END OPENSSH PRIVATE KEY-----\n")


# --- point 1: values come in every way Argo CD passes them (each shape carries one values mistake, so the
# finding's file proves the values were read, and from which layer; MUST_NOT: what values read from the wrong
# place, in the wrong order, or not at all would give) ----------------------------------------------------------
HOOKS_ON = ("  useHelmHooks: false\n  applyCustomEnv: false\n  # FIX (review)",
            "  useHelmHooks: true\n  applyCustomEnv: false\n  # FIX (review)")  # createUserJob's, only


def _reference_values(hooks_on: bool = True) -> str:
    text = (REFERENCE / VALUES).read_text()
    return text.replace(*HOOKS_ON) if hooks_on else text


def _indented(text: str, spaces: int) -> str:
    return "".join((" " * spaces + line) if line.strip() else line for line in text.splitlines(keepends=True))


def _chart_app(s, sources: str) -> None:
    """The chart Application with its `sources:` block replaced (everything else as the reference writes it)."""
    text = (REFERENCE / CHART_APP).read_text()
    start, end = text.index("  sources:\n"), text.index("  destination:\n")
    s.write(CHART_APP, text[:start] + sources + text[end:])


CHART_SOURCE = ("    - repoURL: https://airflow.apache.org\n      chart: airflow\n      targetRevision: 1.21.0\n"
                "      helm:\n        releaseName: airflow\n")
REF_SOURCE = f"    - repoURL: {THIS_REPO}\n      targetRevision: main\n      ref: {{ref}}\n"


@shape([("job-helm-hooks-enabled", "error", "config/airflow/prod.yaml")],
       {"values-unresolved", "secret-name-unset", "source-in-other-repository"})
def values_via_any_ref_name(s) -> None:
    """valueFiles through a `ref: cfg` source (`$cfg/...`), the file in a config folder of this repository."""
    (s.root / VALUES).unlink()
    s.write("config/airflow/prod.yaml", _reference_values())
    _chart_app(s, "  sources:\n" + CHART_SOURCE + "        valueFiles:\n          - $cfg/config/airflow/prod.yaml\n"
               + REF_SOURCE.format(ref="cfg"))


@shape([("job-helm-hooks-enabled", "error", "charts/airflow/values-prod.yaml"),
        ("helm-chart-templates-not-read", "info", "charts/airflow/Chart.yaml")],
       {"values-unresolved", "secret-name-unset", "chart-version-not-pinned"})
def values_relative_to_chart_source(s) -> None:
    """The airflow chart vendored in the repository (a Git chart source): valueFiles relative to its path."""
    (s.root / VALUES).unlink()
    s.write("charts/airflow/Chart.yaml", "apiVersion: v2\nname: airflow\nversion: 1.21.0\nappVersion: 3.1.8\n")
    s.write("charts/airflow/values.yaml", "executor: CeleryExecutor\npostgresql:\n  enabled: true\n")
    s.write("charts/airflow/templates/NOTES.txt", "{{ .Release.Name }}\n")
    s.write("charts/airflow/values-prod.yaml", _reference_values())
    _chart_app(s, f"  source:\n    repoURL: {THIS_REPO}\n    targetRevision: main\n    path: charts/airflow\n"
               "    helm:\n      releaseName: airflow\n      valueFiles:\n        - values-prod.yaml\n")


@shape([("job-helm-hooks-enabled", "error", "environments/prod/airflow.yaml")],
       {"secret-without-external-secret", "job-script-env-missing", "values-unresolved"})
def value_files_merged_in_order(s) -> None:
    """Two valueFiles: the base names an old Fernet Secret, the prod file (later, wins) the right one and turns
    createUserJob's hooks on; everything else of createUserJob comes from the base (a deep merge)."""
    s.edit(VALUES, "fernetKeySecretName: airflow-fernet-key", "fernetKeySecretName: airflow-fernet-key-2023")
    s.write("environments/prod/airflow.yaml",
            "fernetKeySecretName: airflow-fernet-key\ncreateUserJob:\n  useHelmHooks: true\n")
    s.edit(CHART_APP, "          - $values/apps/airflow/airflow-values.yaml\n",
           "          - $values/apps/airflow/airflow-values.yaml\n          - $values/environments/prod/airflow.yaml\n")


@shape([("job-helm-hooks-enabled", "error", CHART_APP)], {"values-unresolved", "secret-name-unset"})
def helm_values_string(s) -> None:
    """All values inline as the `helm.values` string (no values file at all)."""
    (s.root / VALUES).unlink()
    _chart_app(s, "  sources:\n" + CHART_SOURCE + "        values: |\n" + _indented(_reference_values(), 10))


@shape([("job-helm-hooks-enabled", "error", CHART_APP)], {"secret-without-external-secret", "values-unresolved"})
def helm_values_object(s) -> None:
    """valuesObject over a values file: the file's Fernet Secret name is wrong, valuesObject corrects it."""
    s.edit(VALUES, "fernetKeySecretName: airflow-fernet-key", "fernetKeySecretName: airflow-fernet")
    s.edit(CHART_APP, "          - $values/apps/airflow/airflow-values.yaml\n",
           "          - $values/apps/airflow/airflow-values.yaml\n        valuesObject:\n"
           "          fernetKeySecretName: airflow-fernet-key\n"
           "          createUserJob:\n            useHelmHooks: true\n")


@shape([("job-helm-hooks-enabled", "error", CHART_APP)], {"secret-without-external-secret", "values-unresolved"})
def helm_parameters(s) -> None:
    """helm.parameters over a values file (typed like --set: "true" is a boolean)."""
    s.edit(VALUES, "fernetKeySecretName: airflow-fernet-key", "fernetKeySecretName: airflow-fernet")
    s.edit(CHART_APP, "          - $values/apps/airflow/airflow-values.yaml\n",
           "          - $values/apps/airflow/airflow-values.yaml\n        parameters:\n"
           "          - name: fernetKeySecretName\n            value: airflow-fernet-key\n"
           "          - name: createUserJob.useHelmHooks\n            value: \"true\"\n")


# the rules that would guess (values taken as empty, or as only the file that could be read) do not run
@shape([("values-unresolved", "error", CHART_APP)], GUESSING_RULES)
def values_file_missing(s) -> None:
    """A valueFiles entry names a file that is not in the repository: named, never read as empty; the values
    rules do not run (the hooks mistake in the file that is there is not reported: nothing is guessed)."""
    s.write(VALUES, _reference_values())
    s.edit(CHART_APP, "          - $values/apps/airflow/airflow-values.yaml\n",
           "          - $values/apps/airflow/airflow-values.yaml\n          - $values/environments/prod/airflow.yaml\n")


@shape([("file-unreadable", "error", VALUES), ("values-unresolved", "error", CHART_APP)],
       GUESSING_RULES | {"file-templated"})  # its `${...}` is shell, not the error
def values_file_unreadable(s) -> None:
    """The one values file is broken YAML: a finding in that file, and the install's values are unresolved."""
    s.write(VALUES, (REFERENCE / VALUES).read_text().replace("executor: CeleryExecutor", "executor: [Celery", 1))


# --- point 4: Airflow is found wherever it is installed ---------------------------------------------------------
@shape([("job-helm-hooks-enabled", "error", VALUES)], {"values-unresolved", "directory-source-non-kubernetes-file"})
def multi_source_with_manifests(s) -> None:
    """Three sources: the chart, the values `ref`, and a Git path with extra manifests of the same release."""
    s.write(VALUES, _reference_values())
    s.write("apps/airflow-extras/pdb.yaml",
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: airflow-scheduler\n"
            "  namespace: airflow\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n"
            "      component: scheduler\n")
    s.edit(CHART_APP, "      ref: values\n",
           f"      ref: values\n    - repoURL: {THIS_REPO}\n      targetRevision: main\n"
           "      path: apps/airflow-extras\n")


@shape([("job-helm-hooks-enabled", "error", CHART_APP)], {"values-unresolved", "secret-name-unset"})
def single_chart_source(s) -> None:
    """`source:` (one chart source) with the values as valuesObject."""
    (s.root / VALUES).unlink()
    _chart_app(s, "  source:\n    repoURL: https://airflow.apache.org\n    chart: airflow\n    targetRevision: 1.21.0\n"
               "    helm:\n      releaseName: airflow\n      valuesObject:\n" + _indented(_reference_values(), 8))


@shape([("job-helm-hooks-enabled", "error", "charts/platform-airflow/values.yaml")],
       {"values-unresolved", "secret-name-unset", "secret-without-external-secret"})
def wrapper_chart(s) -> None:
    """A platform chart in the repository that depends on `airflow`: its values under `airflow:`."""
    (s.root / VALUES).unlink()
    s.write("charts/platform-airflow/Chart.yaml",
            "apiVersion: v2\nname: platform-airflow\nversion: 0.4.0\ndependencies:\n  - name: airflow\n"
            "    version: 1.21.0\n    repository: https://airflow.apache.org\n")
    s.write("charts/platform-airflow/values.yaml", "airflow:\n" + _indented(_reference_values(), 2))
    _chart_app(s, f"  source:\n    repoURL: {THIS_REPO}\n    targetRevision: main\n    path: charts/platform-airflow\n"
               "    helm:\n      releaseName: airflow\n")


FLUX_RELEASE = """apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: apache-airflow
  namespace: flux-system
spec:
  url: https://airflow.apache.org
  interval: 1h
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: airflow
  namespace: airflow-edge
spec:
  interval: 10m
  chart:
    spec:
      chart: airflow
      version: 1.21.0
      sourceRef:
        kind: HelmRepository
        name: apache-airflow
        namespace: flux-system
  values:
    executor: LocalExecutor
"""


@shape([("airflow-installed-elsewhere", "info", "clusters/edge/airflow.yaml")],
       {"secret-without-external-secret", "file-unreadable"})
def flux_helm_release(s) -> None:
    """A second Airflow, on an edge cluster, installed by Flux: a notice, not a silent pass."""
    s.write("clusters/edge/airflow.yaml", FLUX_RELEASE)


@shape([("airflow-installed-elsewhere", "info", "apps/airflow-batch/kustomization.yaml")],
       {"directory-source-non-kubernetes-file", "secret-name-unset",
        "object-without-name"})  # kustomization.yaml: kustomize's input
def chart_rendered_by_another_application(s) -> None:
    """An Application whose Kustomize source renders the airflow chart (helmCharts): a notice."""
    s.write("apps/airflow-batch/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: airflow-batch\n"
            "helmCharts:\n  - name: airflow\n    repo: https://airflow.apache.org\n    version: 1.21.0\n"
            "    releaseName: airflow-batch\n    valuesFile: values.yaml\n")
    s.write("apps/airflow-batch/values.yaml", "executor: KubernetesExecutor\n")
    s.write("argocd/apps/airflow-batch.yaml",
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: airflow-batch\n"
            f"  namespace: argocd\nspec:\n  project: default\n  source:\n    repoURL: {THIS_REPO}\n"
            "    targetRevision: main\n    path: apps/airflow-batch\n  destination:\n"
            "    server: https://kubernetes.default.svc\n    namespace: airflow-batch\n")


def test_the_corpus_has_at_least_twelve_shapes_each_with_expectations():
    assert len(SHAPES) >= 12


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shape_gives_exactly_its_findings(repo_copy, name):
    reshape, expect, must_not = SHAPES[name]
    reshape(repo_copy)
    report = repo_copy.run()
    got = sorted((f.rule, f.severity, f.file) for f in report.findings)
    assert got == sorted(expect), [(f.rule, f.file, f.line, f.message) for f in report.findings]
    assert not must_not & {f.rule for f in report.findings}
