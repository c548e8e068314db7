"""Reproduction bundles: written, read back, turned into the same run, and never holding a secret value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from e2e import payload as payload_mod
from e2e import versions
from e2e.ci import bundle as bundle_mod
from e2e.ci import bundle_schema
from e2e.ci.replay import plan_reproduction
from e2e.cli import main
from e2e.config import DEFAULT_GITOPS_DIR, RunConfig
from e2e.masking import Masker, secret_values

pytestmark = pytest.mark.unit

FAILURES = [
    {"nodeid": "e2e/suites/cluster/test_secrets.py::test_each_secret_is_byte_equal_to_the_vault_payload",
     "phase": "call", "failure_class": "product", "rule": "assertion"},
    {"nodeid": "e2e/suites/cluster/test_scenarios.py::test_scenario_recovers[policy-without-data]", "phase": "setup",
     "failure_class": "infrastructure", "rule": "image-pull"},
]


@pytest.fixture
def real_payload(tmp_path):
    data = payload_mod.generate()
    path = tmp_path / "payload.yaml"
    payload_mod.write(data, path)
    return data, path


@pytest.fixture
def written(tmp_path, real_payload):
    data, path = real_payload
    config = RunConfig(chart_version="1.22.0", payload_file=path, timeout_multiplier=2.0,
                       node_image=versions.node_image("1.35"))
    out = bundle_mod.write_bundle(bundle_mod.build_bundle(config, FAILURES, payload=data), tmp_path / "bundle.json",
                                  Masker(secret_values(data)))
    return out, config


def test_bundle_round_trips_through_its_file(written):
    path, config = written
    loaded = bundle_mod.load_bundle(path)
    assert RunConfig.from_json(loaded["run_config"]) == config
    assert loaded["failures"] == FAILURES
    assert loaded["chart_version"] == "1.22.0" and loaded["airflow_version"] == "3.2.2"


def test_bundle_records_versions_digests_values_and_repository_state(written):
    loaded = bundle_mod.load_bundle(written[0])
    assert loaded["versions"]["PINNED_CHART"] == "1.21.0"
    assert loaded["kind"]["node_image"] == versions.node_image("1.35") and loaded["kind"]["kubernetes"] == "1.35"
    assert loaded["kind"]["config"]["nodes"][0]["image"] == versions.node_image("1.35")
    repo = loaded["repository"]
    assert repo["path_in_harness"] == "fixtures/gitops"
    assert len(repo["content_sha256"]) == 64
    assert "apps/airflow/airflow-values.yaml" in repo["values_files"]


def test_bundle_holds_no_secret_value_of_the_run(written, real_payload):
    text = written[0].read_text()
    data, _ = real_payload
    leaks = [f"<{len(v)} chars>" for v in secret_values(data) if len(v) >= 6 and v in text]
    assert leaks == []
    assert Masker(secret_values(data)).leaks(text) == []


def test_payload_shape_has_key_paths_and_kinds_only(real_payload):
    data, _ = real_payload
    shape = bundle_mod.payload_shape(data)
    assert {"path": ["createUserJob", "defaultUser", "password"], "kind": "string"} in shape
    assert {"path": ["extraSecrets", payload_mod.SSH_SECRET, "data", "gitSshKey"], "kind": "multiline-string"} in shape


def test_fresh_payload_from_a_shape_has_the_same_shape_and_new_values(real_payload):
    data, _ = real_payload
    shape = bundle_mod.payload_shape({**data, "extra": {"list": [1, "x"], "flag": False}})
    fresh = bundle_mod.payload_from_shape(shape)
    assert bundle_mod.payload_shape(fresh) == shape
    assert fresh["fernetKey"] != data["fernetKey"]
    assert fresh["extraSecrets"][payload_mod.SSH_SECRET]["data"]["gitSshKey"].endswith("\n")


def test_reproduction_plan_reruns_the_failing_ids_with_the_same_chart_image_and_knobs(written, tmp_path):
    loaded = bundle_mod.load_bundle(written[0])
    plan = plan_reproduction(loaded, tmp_path / "work", python="python")
    assert plan.test_ids == [f["nodeid"] for f in FAILURES]
    argv = plan.argv
    assert argv[:3] == ["python", "-m", "pytest"] and argv[3:5] == plan.test_ids
    assert argv[argv.index("--e2e-chart-version") + 1] == "1.22.0"
    assert argv[argv.index("--e2e-timeout-multiplier") + 1] == "2.0"
    assert Path(argv[argv.index("--e2e-gitops-dir") + 1]).resolve() == DEFAULT_GITOPS_DIR.resolve()
    assert argv[argv.index("--e2e-kubernetes") + 1] == "1.35"
    assert plan.warnings == []


def test_reproduce_dry_run_prints_the_command_offline(written, capsys):
    assert main(["reproduce", str(written[0]), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "-m pytest e2e/suites/cluster/test_secrets.py::test_each_secret_is_byte_equal_to_the_vault_payload" in out
    assert "--e2e-chart-version 1.22.0" in out


def test_reproduce_warns_when_the_local_repository_differs(written, tmp_path, capsys):
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.yaml").write_text("a: 1\n")
    assert main(["reproduce", str(written[0]), "--dry-run", "--gitops-dir", str(other)]) == 0
    err = capsys.readouterr().err
    assert "repository content differs" in err and "values files differ" in err


def test_a_missing_bundle_is_one_line_and_exit_2(tmp_path, refused):
    assert "no such bundle file" in refused(tmp_path / "nope.json")


def test_reproduce_refuses_to_run_without_the_repository(written, tmp_path, refused):
    assert "pass --gitops-dir" in refused(written[0], "--gitops-dir", str(tmp_path / "absent"))


RERUN_PROBE = '''
import stat
import yaml

def test_probe(request):
    from pathlib import Path

    payload = Path(request.config.getoption("e2e_payload"))
    assert stat.S_IMODE(payload.stat().st_mode) == 0o600
    assert request.config.getoption("e2e_chart_version") == "1.22.0"
    assert request.config.getoption("e2e_kubernetes") == "1.35"
    assert sorted(yaml.safe_load(payload.read_text())) == {keys}
'''


def test_reproduce_writes_new_secrets_and_reruns_the_failing_test(written, real_payload, tmp_path, monkeypatch):
    """The shipped suites are swapped for a probe suite (a real cluster test needs a cluster); the bundle still
    names its test by a suite-relative id, as a real bundle does."""
    data, _ = real_payload
    suites = tmp_path / "suites"
    (suites / "e2e" / "suites" / "cluster").mkdir(parents=True)
    probe = suites / "e2e" / "suites" / "cluster" / "test_probe.py"
    probe.write_text(RERUN_PROBE.replace("{keys}", repr(sorted(data))))
    monkeypatch.setattr(bundle_schema, "SUITES_ROOT", suites)
    bundle = json.loads(written[0].read_text())
    bundle["failures"] = [{"nodeid": "e2e/suites/cluster/test_probe.py::test_probe", "phase": "call",
                           "failure_class": "product"}]
    path = tmp_path / "probe-bundle.json"
    path.write_text(json.dumps(bundle))
    assert main(["reproduce", str(path), "--work-dir", str(tmp_path / "work")]) == 0
    fresh = (tmp_path / "work" / "payload.yaml").read_text()
    secrets = [data["fernetKey"], data["redisPassword"], data["jwtSecret"], data["apiSecretKey"],
               data["createUserJob"]["defaultUser"]["password"]]
    assert not [s for s in secrets if s in fresh]

_leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.text(min_size=0, max_size=8),
                    st.just("line one\nline two\n"))
_payloads = st.dictionaries(st.text(min_size=1, max_size=6), st.recursive(
    _leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(min_size=1, max_size=6), inner,
                                                                          max_size=3), max_leaves=12), max_size=5)


@settings(max_examples=150, deadline=None)
@given(_payloads)
def test_any_payload_shape_survives_new_secrets(data):
    shape = bundle_mod.payload_shape(data)
    assert bundle_mod.payload_shape(bundle_mod.payload_from_shape(shape, fresh={})) == shape
