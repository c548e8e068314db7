"""git-sync over SSH: the chart's known_hosts accepts the right server and refuses every other."""

from __future__ import annotations

import pytest

from e2e.components import gitsync

pytestmark = pytest.mark.components


def test_known_hosts_is_written_like_the_chart_without_a_trailing_newline():
    assert gitsync.chart_known_hosts("host ssh-ed25519 AAAA\n") == "host ssh-ed25519 AAAA"
    assert gitsync.chart_known_hosts(None) == ""


def test_git_sync_clones_the_served_commit_when_the_host_key_matches(component_suite, component_stack):
    result = component_suite.result("git-sync.clone-with-known-hosts")
    assert result.outcome == "pass", result.summary
    assert component_stack.dags_commit[:12] in result.summary
    assert any("dags/hello.py" in line for line in result.evidence)


def test_a_wrong_host_key_is_refused(component_suite):
    result = component_suite.result("git-sync.refuses-wrong-host-key")
    assert result.outcome == "pass", result.summary
    assert any("Host key verification failed" in line for line in result.evidence)


def test_the_seed_placeholder_known_hosts_is_refused(component_suite):
    result = component_suite.result("git-sync.refuses-placeholder-known-hosts")
    assert result.outcome == "pass", result.summary


def test_an_empty_known_hosts_is_refused(component_suite):
    result = component_suite.result("git-sync.refuses-empty-known-hosts")
    assert result.outcome == "pass", result.summary


def test_a_private_key_without_its_trailing_newline_is_reported_as_invalid_format(component_suite):
    text, notes = component_suite.local_known_hosts(component_suite.settings()["known_hosts"])
    key = component_suite.payload_private_key()
    assert key.endswith("\n")
    result = component_suite.git_clone("git-sync.key-without-newline-control", text,
                                       private_key=key.rstrip("\n"), expect_refused=False, notes=notes)
    assert result.outcome == "fail"
    assert result.failure == "FAILURES.md 5"
    assert "malformed" in result.summary
    assert any("invalid format" in line or "error in libcrypto" in line for line in result.evidence)
