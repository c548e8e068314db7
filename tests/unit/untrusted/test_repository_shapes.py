"""Repository shapes YAML accepts but the harness cannot use (issue 16 item 9): each is one named problem at the
edge (e2e/install.shape_problems): a preflight finding, and exit 2 with one line from every other command that
takes a repository. Before, plan/scenario/preflight exited 3 on some and all passed others silently."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest
import yaml

from e2e.cli import main
from e2e.config import DEFAULT_GITOPS_DIR, REPO_ROOT

pytestmark = pytest.mark.unit
VALUES = "apps/airflow/airflow-values.yaml"


def _docs(rel, change):
    def apply(root: Path) -> None:
        docs = list(yaml.safe_load_all((root / rel).read_text()))
        change(docs)
        (root / rel).write_text(yaml.safe_dump_all(docs))
    return apply


def _text(rel, old, new):
    def apply(root: Path) -> None:
        text = (root / rel).read_text()
        assert old in text
        (root / rel).write_text(text.replace(old, new, 1))
    return apply


SHAPES = {  # name -> (change, what the one line names)
    "spec: 1.5": (_docs("argocd/apps/airflow.yaml", lambda d: d[0].__setitem__("spec", 1.5)),
                  "Application/argocd/airflow spec is a number, not a mapping"),
    "createUserJob.env: 5": (_docs(VALUES, lambda d: d[0]["createUserJob"].__setitem__("env", 5)),
                             "values createUserJob.env is a number, not a list"),
    "argocd-cm data: x": (_docs("argocd/config/argocd-cm.yaml", lambda d: d[0].__setitem__("data", "x")),
                          "ConfigMap/argocd/argocd-cm data is a string, not a mapping"),
    "second values document": (lambda root: (root / VALUES).write_text((root / VALUES).read_text() + "---\na: 1\n"),
                               "values file holds 2 YAML documents"),
    "spec.data: [-1]": (_docs("apps/airflow/external-secrets.yaml", lambda d: d[0]["spec"].__setitem__("data", [-1])),
                        "spec.data[0] is a number, not a mapping"),
    "IPv6 git URL without ]": (_text(VALUES, "ssh://git@git.example.com/platform", "ssh://git@[::1/platform"),
                               "dags.gitSync.repo is not a URL that parses (Invalid IPv6 URL)"),
    "IPv6 Vault URL without ]": (_text("apps/airflow/cluster-secret-store.yaml", "https://vault.example.internal:8200",
                                       "https://[::1:8200"), "vault.server is not a URL that parses"),
    "extraSecrets: [1]": (_docs(VALUES, lambda d: d[0].__setitem__("extraSecrets", [1])),
                          "values extraSecrets is a list, not a mapping"),
}


@pytest.fixture(scope="module", params=list(SHAPES), ids=list(SHAPES))
def shaped(request, tmp_path_factory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("shape") / "repo"
    shutil.copytree(DEFAULT_GITOPS_DIR, root)
    change, named = SHAPES[request.param]
    change(root)
    return root, named


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_preflight_names_the_shape_as_a_finding(shaped):
    repo, named = shaped
    code, out, err = run(["preflight", str(repo), "--format", "json"])
    found = [f for f in json.loads(out)["findings"] if f["rule"] == "object-shape-invalid"]
    assert code == 1 and len(found) == 1 and named in found[0]["message"], (code, err[-300:])


@pytest.mark.parametrize("command", ["plan", "scenario", "payload", "components"])
def test_every_other_command_refuses_it_with_one_line_exit_2(shaped, command, tmp_path):
    repo, named = shaped
    argv = {"plan": ["plan", "--gitops-dir", str(repo), "--output", str(tmp_path / "plan")],
            "scenario": ["scenario", "gitsync-wrong-host-key", "--dry-run", "--gitops-dir", str(repo)],
            "payload": ["payload", "--out", str(tmp_path / "p.yaml"), "--gitops-dir", str(repo)],
            "components": ["components", str(repo), "--only", "broker"]}[command]
    code, _, err = run(argv)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and named in lines[0], (code, err[-500:])
    assert not (tmp_path / "p.yaml").exists() and not (tmp_path / "plan").exists()


@pytest.mark.parametrize("repo", [DEFAULT_GITOPS_DIR, REPO_ROOT / "fixtures" / "variants" / "team-repo"],
                         ids=["reference", "team-repo"])
def test_the_shipped_repositories_have_no_shape_problem(repo):
    from e2e.gitops.loader import load_repository
    from e2e.install import shape_problems

    assert shape_problems(load_repository(repo)) == []


@pytest.mark.parametrize("stray", ["---\n", "--- null\n", "---\n---\n"], ids=["trailing ---", "--- null", "two ---"])
def test_a_stray_empty_document_in_a_values_file_is_no_second_document(stray, tmp_path):
    """Helm reads the first document and an empty one is none: plan writes the pushed values with the test host
    key (before: exit 3, ComposerError in the known-hosts rewrite, found by the long plan fuzz)."""
    repo = tmp_path / "repo"
    shutil.copytree(DEFAULT_GITOPS_DIR, repo)
    (repo / VALUES).write_text((repo / VALUES).read_text() + stray)
    code, _, err = run(["plan", "--gitops-dir", str(repo), "--output", str(tmp_path / "plan")])
    assert code == 0, err[-500:]
    pushed = yaml.safe_load((tmp_path / "plan" / "repositories" / "gitops" / VALUES).read_text())
    assert pushed["dags"]["gitSync"]["knownHosts"].count("\n") == 1
