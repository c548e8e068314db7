"""`airflow-e2e plan` as a user runs it: files written, exit codes, one line on bad input."""

from __future__ import annotations

import json

import pytest

from e2e.cli import main

pytestmark = pytest.mark.unit


def test_plan_writes_every_manifest_and_the_ordered_commands(tmp_path, capsys):
    assert main(["plan", "--output", str(tmp_path / "out")]) == 0
    out = tmp_path / "out"
    for name in ("00-kind-config.yaml", "01-namespaces.yaml", "10-vault-values.yaml", "11-eso-values.yaml",
                 "13-git-server.yaml", "14-postgresql.yaml", "15-coredns.yaml", "20-vault-ca.yaml",
                 "21-vault-seed.yaml", "22-argocd-repositories.yaml", "23-argocd-ssh-known-hosts-cm.yaml",
                 "24-argocd-cm.yaml", "40-root-application.yaml", "images.json", "commands.json",
                 "repositories/gitops/argocd/root.yaml", "repositories/dags/dags/hello.py"):
        assert (out / name).is_file(), name
    phases = [p["name"] for p in json.loads((out / "commands.json").read_text())["phases"]]
    assert phases[-2:] == ["deliver", "converge"]
    assert "plan e2e-" in capsys.readouterr().out


def test_plan_for_an_existing_cluster_has_no_kind_config(tmp_path):
    assert main(["plan", "--output", str(tmp_path), "--cluster", "existing"]) == 0
    assert not (tmp_path / "00-kind-config.yaml").exists()


def test_plan_pins_the_chosen_kubernetes_node_image(tmp_path):
    assert main(["plan", "--output", str(tmp_path), "--kubernetes", "1.35"]) == 0
    assert "kindest/node:v1.35.8@sha256:" in (tmp_path / "00-kind-config.yaml").read_text()


@pytest.mark.parametrize(("args", "said"), [
    (["--chart-version", "9.9.9"], "unknown chart version 9.9.9"),
    (["--gitops-dir", "nope"], "no such directory"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, said):
    args = [str(tmp_path / a) if a == "nope" else a for a in args]
    assert main(["plan", "--output", str(tmp_path / "o"), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and said in err[0]
