"""The CI hooks in a real pytest session (a subprocess on a small generated test file): JUnit properties,
failures.json, rerun.txt, the bundle, sharding and the once-only rerun of infrastructure failures."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from e2e.ci import rerun

pytestmark = pytest.mark.unit

SUITE = '''
import os
import pytest

@pytest.mark.cluster
def test_argocd_comes_up():
    if not os.environ.get("AIRFLOW_E2E_RERUN"):
        raise RuntimeError('pod argocd-server waiting ImagePullBackOff: Back-off pulling image "quay.io/x"')

def test_secret_is_synced():
    assert "SecretSyncedError" == "SecretSynced"

def test_passes():
    assert True
'''


def _run(tmp_path, *args, env=None):
    test_file = tmp_path / "test_suite.py"
    if not test_file.exists():
        test_file.write_text(SUITE)
    cmd = [sys.executable, "-m", "pytest", str(test_file), "-p", "no:cacheprovider", "-p", "e2e.fixtures", "-q", *args]
    return subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)


def _junit_properties(path):
    found = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        found[case.get("name")] = {p.get("name"): p.get("value") for p in case.iter("property")}
    return found


def test_every_failure_gets_its_class_as_a_junit_property(tmp_path):
    result = _run(tmp_path, "--e2e-ci-out", str(tmp_path / "ci"), "--junitxml", str(tmp_path / "junit.xml"))
    assert result.returncode == 1, result.stdout
    props = _junit_properties(tmp_path / "junit.xml")
    assert props["test_argocd_comes_up"]["failure_class"] == "infrastructure"
    assert props["test_secret_is_synced"]["failure_class"] == "product"
    assert "failure_class" not in props["test_passes"]


def test_failed_run_writes_failures_rerun_list_and_a_bundle(tmp_path):
    _run(tmp_path, "--e2e-ci-out", str(tmp_path / "ci"))
    failures = json.loads((tmp_path / "ci" / "failures.json").read_text())["failures"]
    assert {(f["nodeid"].split("::")[1], f["failure_class"]) for f in failures} == {
        ("test_argocd_comes_up", "infrastructure"), ("test_secret_is_synced", "product")}
    assert (tmp_path / "ci" / "rerun.txt").read_text().strip().endswith("::test_argocd_comes_up")
    bundle = json.loads((tmp_path / "ci" / "bundle.json").read_text())
    assert [f["failure_class"] for f in bundle["failures"]] == ["infrastructure", "product"]


def test_shards_split_the_suite_without_overlap(tmp_path):
    ran = []
    for shard in ("1/2", "2/2"):
        ci_out = str(tmp_path / shard.replace("/", "-"))
        out = _run(tmp_path, "--e2e-shard", shard, "-rA", "--e2e-ci-out", ci_out).stdout
        ran.append({line.split("::")[-1].split()[0] for line in out.splitlines() if "::test_" in line})
    assert ran[0].isdisjoint(ran[1])
    assert ran[0] | ran[1] == {"test_argocd_comes_up", "test_secret_is_synced", "test_passes"}


def test_shards_split_what_the_marker_selected(tmp_path):
    out = _run(tmp_path, "-m", "not cluster", "--e2e-shard", "1/2", "-rA", "--e2e-ci-out", str(tmp_path / "ci")).stdout
    assert {line.split("::")[-1].split()[0] for line in out.splitlines() if "::test_" in line} == {"test_passes"}


def test_a_bad_shard_is_a_usage_error(tmp_path):
    result = _run(tmp_path, "--e2e-shard", "3/2")
    assert result.returncode == 4 and "--shard 3/2" in result.stderr


def test_only_infrastructure_failures_are_rerun_once(tmp_path):
    (tmp_path / "test_suite.py").write_text(SUITE.split("def test_secret_is_synced")[0])
    code = rerun.main(["--ci-out", str(tmp_path / "ci"), "--", str(tmp_path / "test_suite.py"),
                       "-p", "no:cacheprovider", "-p", "e2e.fixtures", "-q"])
    assert code == 0
    assert (tmp_path / "ci" / "rerun.txt").exists() and not (tmp_path / "ci" / "rerun" / "rerun.txt").exists()


def test_a_product_failure_is_never_rerun():
    failures = [{"failure_class": "infrastructure"}, {"failure_class": "product"}]
    assert not rerun.should_rerun(1, failures)
    assert rerun.should_rerun(1, failures[:1])
    assert not rerun.should_rerun(2, failures[:1])  # interrupted or usage error: not a test failure
    assert not rerun.should_rerun(1, [{"failure_class": "dependency-not-ready"}])


def test_job_summary_lists_each_failure_with_its_class_and_rerun_verdict():
    from e2e.ci.summary import summary_markdown

    failures = [{"nodeid": "t.py::a", "phase": "setup", "failure_class": "infrastructure", "rule": "image-pull"},
                {"nodeid": "t.py::b", "phase": "call", "failure_class": "product", "rule": "assertion"}]
    text = summary_markdown(failures, has_bundle=True, rerun=[])
    assert "| `t.py::a` | setup | infrastructure | image-pull | passed |" in text
    assert "| `t.py::b` | call | product | assertion | - |" in text
    assert "airflow-e2e reproduce ci/bundle.json" in text
    assert "failed again" in summary_markdown(failures[:1], has_bundle=False, rerun=failures[:1])
    assert summary_markdown([], has_bundle=False) == ""
