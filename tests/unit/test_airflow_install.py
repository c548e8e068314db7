"""The Airflow install is found wherever a repository installs it, with values from every way Argo CD passes
them and where each value came from (e2e/install.py; issue 14 points 1 and 4).

Each case is a small repository written into tmp_path in a shape teams use; names are the case's own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e.gitops.loader import load_repository
from e2e.gitops.model import get_path
from e2e.install import NoAirflowInstall, airflow_install, installs, notices, parse_git_url
from e2e.preflight.engine import run_preflight


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


APP_HEAD = """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: orchestration
  namespace: gitops
spec:
  destination:
    namespace: pipelines
"""
CHART_SOURCES = """  sources:
    - repoURL: https://airflow.apache.org
      chart: airflow
      targetRevision: 1.22.0
      helm:
"""


def test_values_merge_in_argo_cd_order_through_any_ref_name(tmp_path):
    root = write(tmp_path, {
        "apps/orchestration.yaml": APP_HEAD + CHART_SOURCES + """        releaseName: orch
        valueFiles:
          - $cfg/values/base.yaml
          - $cfg/values/prod.yaml
        values: |
          executor: KubernetesExecutor
          webserver:
            replicas: 3
        valuesObject:
          webserver:
            replicas: 4
        parameters:
          - name: scheduler.replicas
            value: "2"
          - name: images.airflow.tag
            value: "2"
            forceString: true
    - repoURL: ssh://git@code.internal/ops/infra.git
      targetRevision: main
      ref: cfg
""",
        "values/base.yaml": "executor: CeleryExecutor\nfernetKeySecretName: orch-fernet\nscheduler:\n  replicas: 1\n",
        "values/prod.yaml": "fernetKeySecretName: orch-fernet-prod\n",
    })
    inst = airflow_install(load_repository(root))
    assert (inst.release, inst.namespace, inst.argocd_namespace, inst.chart_version) == \
        ("orch", "pipelines", "gitops", "1.22.0")
    assert inst.values_file_paths == ["values/base.yaml", "values/prod.yaml"]
    assert inst.values["fernetKeySecretName"] == "orch-fernet-prod"  # later file wins
    assert inst.values["executor"] == "KubernetesExecutor"  # helm.values over the files
    assert get_path(inst.values, "webserver.replicas") == 4  # valuesObject over helm.values
    assert get_path(inst.values, "scheduler.replicas") == 2  # parameters last, typed
    assert get_path(inst.values, "images.airflow.tag") == "2"  # forceString stays a string
    assert inst.locate("fernetKeySecretName") == ("values/prod.yaml", 1)
    assert [la.kind for la in inst.layers] == ["valueFiles", "valueFiles", "values", "valuesObject", "parameters"]
    assert inst.locate("executor") == ("apps/orchestration.yaml", 19)  # the line inside the values string
    assert inst.migration_job == "orch-run-airflow-migrations" and inst.scheduler == "orch-scheduler"
    assert "orch-fernet-prod" in inst.secret_needs()


def test_a_values_file_that_cannot_be_read_is_named_never_empty(tmp_path):
    root = write(tmp_path, {
        "apps/orchestration.yaml": APP_HEAD + CHART_SOURCES + """        valueFiles:
          - $values/values/missing.yaml
          - $nowhere/values/base.yaml
          - relative-to-the-chart.yaml
    - repoURL: ssh://git@code.internal/ops/infra.git
      targetRevision: main
      ref: values
""",
    })
    inst = airflow_install(load_repository(root))
    assert not inst.values_complete
    assert [(u.entry, u.why) for u in inst.unresolved] == [
        ("$values/values/missing.yaml", "not found in this repository"),
        ("$nowhere/values/base.yaml", "names $nowhere, but no source of the Application has `ref: nowhere`"),
        ("relative-to-the-chart.yaml", "is relative to the chart package (not in this repository)"),
    ]
    report = run_preflight(root)
    unresolved = [f for f in report.findings if f.rule == "values-unresolved"]
    assert len(unresolved) == 3 and all(f.file == "apps/orchestration.yaml" for f in unresolved)
    assert "values/missing.yaml" in unresolved[0].message
    # rules that read values do not guess: no "Secret name unset" from values nobody could read
    assert not [f for f in report.findings if f.rule == "secret-name-unset"]


def test_a_single_source_application_with_inline_values(tmp_path):
    root = write(tmp_path, {"apps/orchestration.yaml": APP_HEAD + """  source:
    repoURL: https://airflow.apache.org
    chart: airflow
    targetRevision: 1.21.0
    helm:
      valuesObject:
        dags:
          gitSync:
            enabled: true
            repo: git@code.internal:ops/dags.git
            knownHosts: code.internal ssh-ed25519 AAAA
"""})
    inst = airflow_install(load_repository(root))
    assert (inst.release, inst.how, inst.chart_version) == ("orchestration", "chart", "1.21.0")
    sync = inst.git_sync
    assert (sync.parsed.host, sync.parsed.port, sync.parsed.repo_path) == ("code.internal", 22, "ops/dags.git")
    assert sync.known_hosts_host == "code.internal"
    assert inst.locate("dags.gitSync.repo") == ("apps/orchestration.yaml", 18)


def test_a_wrapper_chart_in_the_repository_depending_on_airflow(tmp_path):
    root = write(tmp_path, {
        "apps/orchestration.yaml": APP_HEAD + """  source:
    repoURL: ssh://git@code.internal/ops/infra.git
    targetRevision: main
    path: charts/platform-airflow
    helm:
      releaseName: pa
      valueFiles:
        - values-prod.yaml
""",
        "charts/platform-airflow/Chart.yaml": "apiVersion: v2\nname: platform-airflow\nversion: 0.3.0\n"
                                              "dependencies:\n  - name: airflow\n    version: 1.22.0\n"
                                              "    repository: https://airflow.apache.org\n",
        "charts/platform-airflow/values.yaml": "airflow:\n  executor: CeleryExecutor\n"
                                               "  fernetKeySecretName: pa-fernet\nextra: {}\n",
        "charts/platform-airflow/values-prod.yaml": "airflow:\n  fernetKeySecretName: pa-fernet-prod\n",
    })
    inst = airflow_install(load_repository(root))
    assert (inst.how, inst.release, inst.chart_version, inst.airflow_version) == \
        ("wrapper", "pa", "1.22.0", "3.2.2")
    assert inst.values == {"executor": "CeleryExecutor", "fernetKeySecretName": "pa-fernet-prod"}
    assert inst.locate("fernetKeySecretName") == ("charts/platform-airflow/values-prod.yaml", 2)
    assert inst.values_file_paths == ["charts/platform-airflow/values.yaml", "charts/platform-airflow/values-prod.yaml"]


def test_airflow_installed_by_flux_is_a_notice_not_a_silent_pass(tmp_path):
    root = write(tmp_path, {"clusters/prod/airflow.yaml": """apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: airflow
  namespace: flux-system
spec:
  chart:
    spec:
      chart: airflow
      version: 1.22.0
""", "clusters/prod/kustomization.yaml": "helmCharts:\n  - name: airflow\n    version: 1.22.0\n"})
    repo = load_repository(root)
    assert installs(repo) == []
    assert [n.file for n in notices(repo)] == ["clusters/prod/airflow.yaml", "clusters/prod/kustomization.yaml"]
    with pytest.raises(NoAirflowInstall, match="Flux"):
        airflow_install(repo)
    found = [f for f in run_preflight(root).findings if f.rule == "airflow-installed-elsewhere"]
    assert len(found) == 2 and {f.severity for f in found} == {"info"}


@pytest.mark.parametrize(("url", "parsed"), [
    ("ssh://git@code.internal:2222/ops/dags.git", ("code.internal", 2222, "git", "/ops/dags.git")),
    ("git+ssh://deploy@Code.Internal/ops/dags.git", ("code.internal", 22, "deploy", "/ops/dags.git")),
    ("git@code.internal:ops/dags.git", ("code.internal", 22, "git", "~/ops/dags.git")),
    ("code.internal:/srv/dags.git", ("code.internal", 22, "git", "/srv/dags.git")),
    ("https://code.internal/ops/dags.git", None), ("ssh://git@code.internal:port/x", None), ("ssh:///x", None),
])
def test_one_parser_reads_every_ssh_git_url_form_and_nothing_else(url, parsed):
    got = parse_git_url(url)
    assert (got and (got.host, got.port, got.user, got.path)) == parsed


def test_values_in_another_repository_are_not_read_here_and_not_guessed(tmp_path):
    root = write(tmp_path, {"apps/orchestration.yaml": APP_HEAD + CHART_SOURCES + """        valueFiles:
          - $shared/airflow/values.yaml
    - repoURL: ssh://git@code.internal/platform/shared-config.git
      targetRevision: main
      ref: shared
""", "airflow/values.yaml": "fernetKeySecretName: looks-local-but-is-not\n"})
    report = run_preflight(root, repo_urls=["ssh://git@code.internal/ops/infra.git"])
    found = [f for f in report.findings if f.rule == "values-unresolved"]
    assert [(f.severity, "another repository" in f.message) for f in found] == [("info", True)]
    assert not [f for f in report.findings if f.rule.startswith("secret-")]
