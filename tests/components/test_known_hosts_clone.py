"""git-sync's host-key check matched as ssh matches it (issue 15 items 1, 6, 7): the session's real sshd and
ssh client, with knownHosts lines and key formats the reference repository does not have (harness self-tests)."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import subprocess

import pytest

from e2e import known_hosts
from e2e import payload as payload_mod
from e2e.components import gitsync
from e2e.components.git_server import GitSshServer
from e2e.components.suite import HOST_KEY_REFUSED
from e2e.config import DEFAULT_DAGS_DIR

pytestmark = pytest.mark.components


# -- knownHosts matched as ssh matches it (issue 15 items 1 and 6): the same session servers, other values ----
HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP2Aq6k1c5i5EelQdEiaxijHMyuOHJtSyvlnDN/bKp7/"


def hashed(name: str) -> str:
    salt = b"per-line-salt-20byte"
    digest = hmac.new(salt, name.encode(), hashlib.sha1).digest()
    return f"|1|{base64.b64encode(salt).decode()}|{base64.b64encode(digest).decode()}"


@pytest.fixture
def suite_with_git_sync(component_stack, suite_on):
    """`suite_with_git_sync(repo, known)`: the session's servers and payload, with other dags.gitSync values."""
    def make(repo: str, known: str):
        values = copy.deepcopy(component_stack.inputs.values)
        values["dags"]["gitSync"].update(repo=repo, knownHosts=known)
        return suite_on(values)
    return make


@pytest.mark.parametrize("repo,line,why", [
    ("ssh://git@git.example.com/platform/airflow-dags.git", f"[git.example.com]:22 {HOST_KEY}", "[host]:22"),
    ("git@git.example.com:platform/airflow-dags.git", f"[git.example.com]:2222 {HOST_KEY}", "no knownHosts line"),
    ("ssh://git@git.example.com/platform/airflow-dags.git", f"git.example.com {HOST_KEY}\n@revoked * {HOST_KEY}",
     "@revoked"),
    ("ssh://git@git.example.com/platform/airflow-dags.git", f"@cert-authority git.example.com {HOST_KEY}",
     "@cert-authority"),
])
def test_a_line_ssh_would_not_use_for_the_repo_host_fails_the_clone(suite_with_git_sync, repo, line, why):
    suite = suite_with_git_sync(repo, line + "\n")
    result = suite.result("git-sync.clone-with-known-hosts")
    assert result.outcome == "fail", result.summary
    assert any(why in note for note in result.evidence), result.evidence
    assert any(HOST_KEY_REFUSED in line for line in result.evidence)


@pytest.mark.parametrize("repo,line", [
    ("ssh://git@git.example.com:2222/platform/airflow-dags.git", f"{hashed('[git.example.com]:2222')} {HOST_KEY}"),
    ("ssh://git@git.example.com/platform/airflow-dags.git", f"{hashed('git.example.com')} {HOST_KEY}"),
    ("ssh://git@git.example.com:2222/platform/airflow-dags.git", f"[*.example.com]:* {HOST_KEY}"),
    ("git@git.example.com:platform/airflow-dags.git", f"!*.internal,*.example.com {HOST_KEY}"),
    ("ssh://git@git.example.com:2222/platform/airflow-dags.git", f"git.example.com {HOST_KEY}"),  # w/out port
])
def test_hashed_and_wildcard_lines_for_the_repo_host_clone(suite_with_git_sync, repo, line):
    suite = suite_with_git_sync(repo, f"other.example.org {HOST_KEY}\n{line}\n")
    result = suite.result("git-sync.clone-with-known-hosts")
    assert result.outcome == "pass", (result.summary, result.evidence)


def test_real_ssh_falls_back_to_the_bare_host_off_port_22_only_for_the_exact_key(component_stack, suite_with_git_sync,
                                                                                git_ssh_server):
    """What the matcher encodes, shown by OpenSSH itself: with no `[host]:port` line, a bare `host` line whose
    key matches is accepted ("found matching key w/out port"); a bare line with another key is not."""
    suite = suite_with_git_sync(component_stack.inputs.values["dags"]["gitSync"]["repo"], "")
    bare = f"{git_ssh_server.host} {git_ssh_server.host_public_key}"
    assert known_hosts.lookup(bare, git_ssh_server.host, git_ssh_server.port).without_port
    assert suite.git_clone("git-sync.bare-host-line-control", bare, expect_refused=False).outcome == "pass"
    other = f"{git_ssh_server.host} {HOST_KEY}"
    refused = suite.git_clone("git-sync.bare-host-other-key-control", other, expect_refused=True)
    assert refused.outcome == "pass", refused.summary


def test_git_sync_clones_with_an_rsa_key_in_pem_format(tmp_path):
    """OpenSSH reads PEM keys (BEGIN RSA PRIVATE KEY): the server authorizes exactly that key, and the clone
    through the real ssh client succeeds with it (issue 15 item 7)."""
    key = tmp_path / "pem"
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", str(key)],
                   check=True, timeout=60, capture_output=True)
    private = key.read_text()
    assert private.startswith("-----BEGIN RSA PRIVATE KEY-----")
    with GitSshServer(payload_mod.public_key_of(private)) as server:
        commit = server.add_repository("pem.git", DEFAULT_DAGS_DIR)
        result = gitsync.clone(server.url("pem.git"), private_key=private,
                               known_hosts=f"{server.known_hosts_name} {server.host_public_key}", branch="main")
    assert result.returncode == 0, result.output
    assert result.commit == commit
