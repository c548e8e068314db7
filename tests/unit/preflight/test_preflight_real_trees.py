"""Real repository trees are read, not refused: foreign YAML, chart folders, Kustomize patches, path selection,
sources in other repositories, and the loader's fast path on a large CRD (issue 14 points 2, 3 and 7)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from corpus_tools import big_crd_text

from e2e.gitops import load_repository, yamlio
from e2e.gitops.thisrepo import canonical_git_url, this_repository
from e2e.preflight.engine import run_preflight

ROOT = Path(__file__).resolve().parents[3]


def test_custom_tags_are_read_as_their_plain_values():
    [(_, data)] = yamlio.load_documents("password: !vault secret/data/x#pw\nlist: !Ref [a, b]\n", "f.yaml")
    assert data == {"password": "secret/data/x#pw", "list": ["a", "b"]}


def test_a_redefined_anchor_means_the_latest_one_as_yaml_1_2_says():
    text = "a: &v 1\nb: *v\nc: &v 2\nd: *v\n"
    [(_, data)] = yamlio.load_documents(text, "f.yaml")
    assert data == {"a": 1, "b": 1, "c": 2, "d": 2}


def test_helm_chart_templates_are_skipped_and_the_chart_values_are_read(tmp_path):
    (tmp_path / "charts/tools/templates").mkdir(parents=True)
    (tmp_path / "charts/tools/Chart.yaml").write_text("apiVersion: v2\nname: tools\nversion: 0.1.0\n")
    (tmp_path / "charts/tools/values.yaml").write_text("replicas: 1\n")
    (tmp_path / "charts/tools/templates/cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n")
    repo = load_repository(tmp_path)
    assert repo.unreadable == [] and repo.chart_dirs == ["charts/tools"]
    assert set(repo.data_files) == {"charts/tools/Chart.yaml", "charts/tools/values.yaml"}
    report = run_preflight(tmp_path)
    assert [(f.rule, f.file) for f in report.findings] == [("helm-chart-templates-not-read", "charts/tools/Chart.yaml")]


def test_kustomize_patch_files_are_not_objects_of_their_own(tmp_path):
    (tmp_path / "overlays/prod").mkdir(parents=True)
    (tmp_path / "overlays/prod/kustomization.yaml").write_text(
        "resources: [../../base]\npatches:\n- path: app-patch.yaml\npatchesStrategicMerge: [es-patch.yaml]\n")
    (tmp_path / "overlays/prod/app-patch.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: airflow, namespace: argocd}\n"
        "spec: {source: {targetRevision: 1.21.0}}\n")
    (tmp_path / "overlays/prod/es-patch.yaml").write_text(
        "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: x, namespace: airflow}\n"
        "spec: {refreshInterval: 0s}\n")
    repo = load_repository(tmp_path)
    assert repo.applications == [] and repo.external_secrets == []
    assert {"overlays/prod/app-patch.yaml", "overlays/prod/es-patch.yaml"} <= set(repo.data_files)
    assert run_preflight(tmp_path).findings == []


def test_include_and_exclude_select_the_files_read(tmp_path):
    for rel in ("deploy/airflow/a.yaml", "deploy/airflow/rendered/b.yaml", "legacy/c.yaml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    (tmp_path / "legacy/broken.yaml").write_text("a: [\n")
    assert run_preflight(tmp_path).errors == 1  # legacy/broken.yaml
    files = {o.origin.file for o in load_repository(tmp_path, include=["deploy"], exclude=["*/rendered/*"]).objects}
    assert files == {"deploy/airflow/a.yaml"}
    report = run_preflight(tmp_path, exclude=["legacy"])
    assert report.findings == [] and report.files_read == 2


def test_git_urls_of_one_repository_in_every_spelling_are_equal():
    urls = ["git@git.example.com:platform/k8s-infra.git", "ssh://git@git.example.com:2222/platform/k8s-infra",
            "https://git.example.com/Platform/k8s-infra.git/"]
    assert {canonical_git_url(u) for u in urls} == {"git.example.com/platform/k8s-infra"}
    assert canonical_git_url("https://github.com/other/k8s-infra") != canonical_git_url(urls[0])


def test_this_repository_comes_from_git_remote_at_the_top_of_a_clone(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin",
                    "git@git.example.com:platform/k8s-infra.git"], check=True)
    this = this_repository(tmp_path)
    assert this.how == "git remote" and this.is_this("ssh://git@git.example.com/platform/k8s-infra.git")
    assert not this.is_this("https://github.com/other-team/secrets.git")
    (tmp_path / "sub").mkdir()
    assert not this_repository(tmp_path / "sub").known  # a subtree of a clone: not its URL
    assert this_repository(tmp_path, ["https://example.org/x.git"]).how == "option"


def test_a_source_in_another_repository_is_reported_and_not_resolved_here(repo_copy):
    repo_copy.edit("argocd/apps/airflow-secrets.yaml", "ssh://git@git.example.com/platform/k8s-infra.git",
                   "https://github.com/other-team/shared-secrets.git")
    # a values file at the same path as in the other repository must not be read as its directory source
    repo_copy.edit("argocd/apps/airflow-secrets.yaml", "directory:", "directory:\n      recurse: true\n      ")
    repo_copy.options["repo_urls"] = ["git@git.example.com:platform/k8s-infra.git"]
    report = repo_copy.run()
    assert [(f.rule, f.severity, f.object) for f in report.findings if f.rule == "source-in-other-repository"] == [
        ("source-in-other-repository", "info", "Application/argocd/airflow-secrets")]
    assert "directory-source-non-kubernetes-file" not in {f.rule for f in report.findings}


def test_a_700_kb_crd_takes_libyamls_fast_path():
    text = big_crd_text()
    assert len(text) >= 700 * 1024
    assert yamlio.nesting_bound(text) > yamlio.MAX_FAST_DEPTH  # the cheap guess alone would refuse it
    assert yamlio.loader_for(text) is yamlio._FastLineLoader


def test_a_deep_document_still_takes_the_guarded_pure_python_path():
    text = "a:\n" + "".join("  " * i + "- [\n" for i in range(1, 3)) + "[" * 3000 + "]" * 3000 + "\n"
    assert yamlio.loader_for(text) is yamlio._LineLoader


def test_preflight_start_imports_neither_other_tiers_nor_the_hcl_parser_when_cached(tmp_path):
    """The import set of a preflight process (not a timing): what makes start-up slow must not be in it
    (cryptography alone costs more than `import yaml`; tarfile only for a chart download)."""
    code = ("import sys\nfrom e2e import cli\ncli.main(['preflight', sys.argv[1]])\n"
            "heavy = sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in ('hcl2', 'lark', 'redis', "
            "'kubernetes', 'hvac', 'sh', 'tenacity', 'ruamel', 'cryptography', 'tarfile')} | {m for m in sys.modules "
            "if m.startswith(('e2e.components', 'e2e.cluster', 'e2e.stack', 'e2e.scenarios', 'e2e.ci', 'e2e.report', "
            "'e2e.payload'))})\nprint('HEAVY=' + ','.join(heavy))\n")
    reference = str(ROOT / "fixtures" / "gitops")
    env = {**os.environ, "AIRFLOW_E2E_CACHE_DIR": str(tmp_path / "cache")}
    first = subprocess.run([sys.executable, "-c", code, reference], capture_output=True, text=True, timeout=120,
                           env=env)
    # the first run parses the policies and the knownHosts keys (and fills the cache), and only that
    assert "HEAVY=cryptography,hcl2,lark" in first.stdout, first.stdout
    result = subprocess.run([sys.executable, "-c", code, reference], capture_output=True, text=True, timeout=120,
                            env=env)
    assert result.stdout.strip().splitlines()[-1] == "HEAVY=", result.stdout
