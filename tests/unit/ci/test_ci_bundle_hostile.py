"""A bundle is untrusted: every field is validated against the bundle schema before anything runs or is
written, and whatever is refused is one line and exit 2 (issue 16 item 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from e2e import versions
from e2e.ci import bundle as bundle_mod
from e2e.config import RunConfig

pytestmark = pytest.mark.unit
GOOD_ID = "e2e/suites/cluster/test_secrets.py::test_each_secret_is_byte_equal_to_the_vault_payload"


@pytest.fixture(scope="module")
def good() -> dict:
    config = RunConfig(chart_version="1.22.0", run_id="e2e-2612020151-abcd", node_image=versions.node_image("1.35"))
    return json.loads(json.dumps(bundle_mod.build_bundle(config, [{"nodeid": GOOD_ID, "phase": "call"}])))


def _with(data: dict, path: tuple, value) -> dict:
    out = json.loads(json.dumps(data))
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


HOSTILE = [
    (("failures", 0, "nodeid"), "--basetemp=/victim", "failures.0.nodeid"),
    (("failures", 0, "nodeid"), "--junitxml=/tmp/any-file", "failures.0.nodeid"),
    (("failures", 0, "nodeid"), "/tmp/evil/test_x.py::test_x", "failures.0.nodeid"),
    (("failures", 0, "nodeid"), "tests/../../tmp/test_x.py::test_x", "failures.0.nodeid"),
    (("failures", 0, "nodeid"), "tests/unit/test_cli.py::test_x", "not a test of the shipped suites"),
    (("failures", 0, "nodeid"), "e2e/suites/cluster/test_nope.py::test_x", "not a test of the shipped suites"),
    (("failures", 0, "nodeid"), 5, "failures.0.nodeid"),
    (("failures",), [], "no failing tests"),
    (("failures",), {"nodeid": GOOD_ID}, "failures"),
    (("run_config", "run_id"), "../../x", "run_config.run_id"),
    (("run_config", "run_id"), "/abs", "run_config.run_id"),
    (("run_config", "run_id"), 12, "run_config.run_id"),
    (("run_config", "timeout_multiplier"), "abc", "run_config.timeout_multiplier"),
    (("run_config", "timeout_multiplier"), 1e308, "run_config.timeout_multiplier"),
    (("run_config", "chart_version"), "x; rm -rf /", "run_config.chart_version"),
    (("chart_version",), "9.9.9", "chart_version"),
    (("upgrade_from",), ["1.21.0"], "upgrade_from"),
    (("run_config", "registry_mirror"), "--basetemp=/victim", "run_config.registry_mirror"),
    (("run_config",), "not a map", "run_config"),
    (("repository",), None, "repository"),
    (("repository", "path_in_harness"), "../../../usr", "repository.path_in_harness"),
    (("repository", "path_in_harness"), "/usr", "repository.path_in_harness"),
    (("kind",), [], "kind"),
    (("kind", "node_image"), {"a": 1}, "kind.node_image"),
    (("payload_shape",), [{"path": [10**9], "kind": "string"}], "payload_shape"),
    (("payload_shape",), [{"path": ["a"], "kind": "evil"}], "payload_shape"),
    (("payload_shape",), "x", "payload_shape"),
]


@pytest.mark.parametrize("path, value, named", HOSTILE, ids=[f"{'.'.join(map(str, p))}={v!r}"[:60]
                                                              for p, v, _ in HOSTILE])
def test_a_hostile_bundle_field_is_refused_in_one_line_before_anything_runs(good, tmp_path, refused, path, value,
                                                                            named):
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(_with(good, path, value)))
    assert named in refused(bundle, "--dry-run")
    assert list(tmp_path.iterdir()) == [bundle], "nothing was written"


def test_a_repository_path_outside_the_checkout_is_not_read_even_for_a_dry_run(good, tmp_path, refused):
    data = _with(_with(good, ("repository", "path"), "/usr"), ("repository", "path_in_harness"), None)
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(data))
    assert "pass --gitops-dir" in refused(bundle, "--dry-run")


@pytest.mark.parametrize("raw, expected", [
    (b"not json", "not JSON"),
    (b'{"schema": "something-else"}', "not a reproduction bundle"),
    (json.dumps({"schema": bundle_mod.SCHEMA}).encode(), "bundle is missing"),
    (b'{"schema": "airflow-e2e/reproduction-bundle/v1", "n": ' + b"9" * 5000 + b"}", "not usable JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "not"),
    (b"\xff\xfe", "not UTF-8"),
])
def test_unparseable_bundles_are_one_line(tmp_path, refused, raw, expected):
    bundle = tmp_path / "bundle.json"
    bundle.write_bytes(raw)
    assert expected in refused(bundle, "--dry-run")


def test_a_fifo_bundle_is_refused_not_waited_on(tmp_path, refused):
    import os

    fifo = tmp_path / "bundle.json"
    os.mkfifo(fifo)
    assert "not a regular file" in refused(fifo, "--dry-run")


def test_the_recorded_bundle_of_a_real_session_still_validates(good):
    from e2e.ci import bundle_schema

    assert bundle_schema.problem(good) is None
    assert Path(bundle_schema.SUITES_ROOT / GOOD_ID.split("::")[0]).is_file()


def test_a_field_name_with_control_characters_still_gives_one_line(good, tmp_path, refused):
    """Found by the fuzzer at scale: a values file named "x\\r\\ny" made the error two lines."""
    data = _with(good, ("repository", "values_files"), {"x\r\ny": None})
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(data))
    assert "\\x0d\\x0a" in refused(bundle, "--dry-run")
