"""`airflow-e2e components`: JSON for other tiers, exit codes of the contract."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from e2e import payload
from e2e.components import binaries
from e2e.masking import secret_values

pytestmark = pytest.mark.components


def _cli(*args: str, cwd) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "e2e.cli", "components", *args], capture_output=True, text=True,
                          timeout=600, cwd=cwd, check=False)


def test_the_cli_reports_broker_and_git_sync_as_json_and_exits_0(component_stack, tmp_path):
    artifacts = component_stack.artifacts / "cli-run"
    done = _cli("--only", "broker,git-sync", "--format", "json", "--artifacts", str(artifacts), cwd=tmp_path)
    (component_stack.artifacts / "cli-output.txt").write_text(done.stdout + done.stderr)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["summary"] == {"pass": 5, "fail": 0, "error": 0}
    assert {r["check"] for r in document["results"]} >= {"broker.url-authenticates", "git-sync.clone-with-known-hosts"}
    assert (artifacts / "results.json").is_file()


def test_unusable_input_exits_2_with_one_line(tmp_path):
    done = _cli(str(tmp_path / "missing"), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "no such directory" in done.stderr


def test_a_given_payload_keeps_its_values_and_only_its_hosts_move_to_the_local_servers(component_stack, tmp_path):
    given = tmp_path / "payload.yaml"
    data = payload.generate()  # in-cluster hosts, as a user's real payload has
    payload.write(data, given)
    component_stack.protect(*secret_values(data))
    done = _cli("--payload", str(given), "--only", "broker", "--artifacts", str(component_stack.artifacts / "given"),
                cwd=tmp_path)
    (component_stack.artifacts / "cli-given-payload.txt").write_text(done.stdout + done.stderr)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "note: payload `brokerUrl`: host airflow-redis:6379 -> 127.0.0.1:" in done.stdout
    assert data["redisPassword"] not in done.stdout + done.stderr


def test_a_missing_binary_is_one_line_naming_its_package():
    with pytest.raises(binaries.MissingBinary) as missing:
        binaries.find("pg_no_such_tool")
    assert "\n" not in str(missing.value) and "make setup" in str(missing.value)
