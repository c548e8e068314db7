"""Benchmarks (pytest-benchmark, not timed assertions): preflight in-process on the reference repository and on
generated repositories of 500 and 1,000 Applications (the pair shows how cost grows).

Run: .venv/bin/pytest tests/unit/preflight -m benchmark --benchmark-only
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from e2e.gitops import load_repository
from e2e.preflight.context import Context
from e2e.preflight.engine import run_preflight
from e2e.preflight.rules import all_rules

REFERENCE = Path(__file__).resolve().parents[3] / "fixtures" / "gitops"


def generate_repository(root: Path, applications: int) -> Path:
    """A valid GitOps repository with `applications` Applications: one secrets + one chart Application per
    tenant namespace, each with its own values file and nine ExternalSecrets, all owned by one parent."""
    shutil.copytree(REFERENCE, root)
    values = (root / "apps/airflow/airflow-values.yaml").read_text()
    external_secrets = (root / "apps/airflow/external-secrets.yaml").read_text()
    secrets_app = (root / "argocd/apps/airflow-secrets.yaml").read_text()
    chart_app = (root / "argocd/apps/airflow.yaml").read_text()
    (root / "apps/shared").mkdir()
    shutil.move(root / "apps/airflow/cluster-secret-store.yaml", root / "apps/shared/cluster-secret-store.yaml")
    shutil.rmtree(root / "apps/airflow")
    for old in (root / "argocd/apps").iterdir():
        old.unlink()
    for i in range(applications // 2):
        tenant = f"tenant-{i:04d}"
        (root / "apps" / tenant).mkdir()
        (root / "apps" / tenant / "airflow-values.yaml").write_text(values)
        (root / "apps" / tenant / "external-secrets.yaml").write_text(
            external_secrets.replace("namespace: airflow", f"namespace: {tenant}"))
        (root / "argocd/apps" / f"{tenant}.yaml").write_text(
            secrets_app.replace("name: airflow-secrets", f"name: {tenant}-secrets")
            .replace("path: apps/airflow", f"path: apps/{tenant}").replace("namespace: airflow", f"namespace: {tenant}")
            + "---\n" + chart_app.replace("name: airflow\n", f"name: {tenant}\n")
            .replace("apps/airflow/airflow-values.yaml", f"apps/{tenant}/airflow-values.yaml")
            .replace("namespace: airflow", f"namespace: {tenant}"))
    return root


@pytest.fixture(scope="module", params=[500, 1000], ids=lambda n: f"{n}-applications")
def generated(request, tmp_path_factory) -> tuple[Path, int]:
    if request.config.getoption("benchmark_disable", False):
        pytest.skip("large generated repositories run only when benchmarking (-m benchmark --benchmark-only)")
    return generate_repository(tmp_path_factory.mktemp("bench") / "gitops", request.param), request.param


def test_generated_repository_is_as_clean_as_the_reference(tmp_path):
    report = run_preflight(generate_repository(tmp_path / "gitops", 40))
    # per tenant: values, ExternalSecrets, Applications; plus root, argocd-cm, store, role, policy, payload example
    assert report.findings == [] and report.files_read == 3 * 20 + 6


@pytest.mark.benchmark
def test_benchmark_reference_repository(benchmark):
    report = benchmark(run_preflight, REFERENCE)
    assert report.errors == 0 and report.findings == []


@pytest.mark.benchmark
def test_benchmark_generated_repository(benchmark, generated):
    root, applications = generated
    report = benchmark.pedantic(run_preflight, args=(root,), rounds=3, iterations=1, warmup_rounds=0)
    assert report.findings == []
    assert report.files_read >= applications  # every tenant's files were read


@pytest.mark.benchmark
def test_benchmark_rules_only_on_generated_repository(benchmark, generated):
    """The rule layer alone (model already loaded): what preflight adds on top of reading YAML."""
    root, _applications = generated
    repo = load_repository(root)
    rules = [r for r in all_rules() if not r.needs_payload]

    def run_rules() -> int:
        ctx = Context(repo)
        return sum(len(rule(ctx)) for rule in rules)

    assert benchmark.pedantic(run_rules, rounds=3, iterations=1, warmup_rounds=0) == 0


@pytest.mark.benchmark
def test_benchmark_speed_ratios_side_by_side(request, benchmark):
    """Issue 14 point 7, measured in one run by scripts/preflight_speed.py: fresh-process start-up / `import yaml`,
    the 700 KB CRD / the pure-Python loader, 1,000 / 500 Applications. Recorded, not asserted (a benchmark)."""
    if request.config.getoption("benchmark_disable", False):
        pytest.skip("side-by-side ratios run only when benchmarking (-m benchmark --benchmark-only)")
    import importlib.util

    spec = importlib.util.spec_from_file_location("preflight_speed", REFERENCE.parents[1] / "scripts" /
                                                  "preflight_speed.py")
    speed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(speed)

    def measure() -> dict[str, float]:
        yaml_s, preflight_s = speed.startup_ratio(9)
        fast, slow, _size = speed.crd_ratio()
        five, thousand = speed.scale_ratio()
        return {"startup_ratio": preflight_s / yaml_s, "crd_ratio": fast / slow, "scale_ratio": thousand / five}

    ratios = benchmark.pedantic(measure, rounds=1, iterations=1)
    benchmark.extra_info.update(ratios)
    print(" ".join(f"{k}={v:.2f}" for k, v in ratios.items()))
