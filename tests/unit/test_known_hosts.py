"""known_hosts is matched as OpenSSH matches it: checked line by line against the real `ssh-keygen -F`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from e2e import known_hosts
from e2e.payload import ssh_keypair

KEY = " ".join(ssh_keypair()[1].split()[:2])
OTHER = " ".join(ssh_keypair()[1].split()[:2])


def hashed(name: str, salt: bytes = b"0123456789abcdefghij") -> str:
    digest = hmac.new(salt, name.encode(), hashlib.sha1).digest()
    return f"|1|{base64.b64encode(salt).decode()}|{base64.b64encode(digest).decode()}"


LINES = [
    f"git.example.com {KEY}",
    f"[git.example.com]:22 {KEY}",
    f"[git.example.com]:2222 {KEY}",
    f"*.example.org {KEY}",
    f"!bad.example.org,*.example.org {KEY}",
    f"@revoked git.example.com {OTHER}",
    f"@cert-authority *.example.com {KEY}",
    f"@bogus git.example.com {KEY}",
    f"GIT.Example.NET {KEY}",
    f"[h?st]:* {KEY}",
    f"{hashed('[git.example.com]:2222')} {KEY}",
    f"{hashed('hashed.example.com')} {KEY}",
    "git.example.com ssh-ed25519 <verified-public-host-key>",
    f"other.example.com,git.example.com {KEY}",
    f"*  {KEY}",
    f"!*.internal,*.internal {KEY}",
    f"# git.example.com {KEY}",
]
ENDPOINTS = [("git.example.com", 22), ("git.example.com", 2222), ("a.example.org", 22), ("bad.example.org", 22),
             ("git.example.net", 22), ("host", 2222), ("hashed.example.com", 22), ("hashed.example.com", 2222),
             ("x.internal", 22), ("GIT.EXAMPLE.COM", 2222), ("git.example.com", 2)]


def named(text: str, name: str) -> list[int]:
    """Lines whose host field names `name` (ssh-keygen -F lists them by name; ssh then also skips a key that
    does not parse, which the component tier's placeholder check proves with a real sshd)."""
    return [e.number for e in known_hosts.parse(text)
            if (e.valid or "marker" not in e.problem) and known_hosts.names(e, name)]


def ssh_keygen_lines(text: str, name: str, tmp_path: Path) -> list[int]:
    """0-based numbers of the lines `ssh-keygen -F name` reports (it reads known_hosts as ssh does)."""
    keygen = shutil.which("ssh-keygen")
    assert keygen, "ssh-keygen (openssh-client) is a system package of this project"
    path = tmp_path / "known_hosts"
    path.write_text(text)
    out = subprocess.run([keygen, "-F", name, "-f", str(path)], capture_output=True, text=True, timeout=30).stdout
    return [int(n) - 1 for n in re.findall(r"^# Host .* found: line (\d+)", out, re.M)]


@pytest.mark.parametrize("host,port", ENDPOINTS)
def test_the_lines_that_name_a_host_are_the_ones_ssh_keygen_finds(host, port, tmp_path):
    text = "\n".join(LINES) + "\n"
    name = known_hosts.target(host, port)
    assert named(text, name) == ssh_keygen_lines(text, name, tmp_path)


def test_off_port_22_a_bare_host_line_is_ssh_s_fallback_but_a_bracketed_line_comes_first():
    found = known_hosts.lookup(f"git.example.com {KEY}\n", "git.example.com", 2222)
    assert found.verifies and found.without_port
    both = known_hosts.lookup(f"git.example.com {OTHER}\n[git.example.com]:2222 {KEY}\n", "git.example.com", 2222)
    assert [e.key for e in both.host_keys] == [KEY] and not both.without_port
    assert not known_hosts.lookup(f"[git.example.com]:2222 {KEY}\n", "git.example.com", 22).verifies


def test_a_bracketed_port_22_line_does_not_verify_port_22():
    text = f"[git.example.com]:22 {KEY}\n"
    found = known_hosts.lookup(text, "git.example.com", 22)
    assert not found.verifies
    assert "never [host]:22" in known_hosts.why_unverified(found, known_hosts.parse(text))


@pytest.mark.parametrize("line", [f"{hashed('[git.example.com]:2222')} {KEY}", f"[git.example.com]:* {KEY}",
                                  f"[*.example.com]:2222 {KEY}", f"[git.example.com]:2222,!*.internal {KEY}"],
                         ids=["hashed", "any-port", "host-wildcard", "with-negation"])  # stable: KEY is random
def test_hashed_and_wildcard_lines_verify(line):
    assert known_hosts.lookup(line, "git.example.com", 2222).verifies


def test_a_revoked_key_and_a_ca_line_do_not_verify():
    assert not known_hosts.lookup(f"git.example.com {KEY}\n@revoked * {KEY}\n", "git.example.com", 22).verifies
    assert not known_hosts.lookup(f"@cert-authority git.example.com {KEY}\n", "git.example.com", 22).verifies
    assert not known_hosts.lookup(f"@bogus git.example.com {KEY}\n", "git.example.com", 22).verifies


def test_the_stand_in_server_gets_only_the_lines_ssh_would_use_for_the_repo_host():
    text = f"# comment\n{hashed('[git.example.com]:2222')} {OTHER}\ngit.example.com {OTHER}\n@revoked * {KEY}\n"
    out, found = known_hosts.rewrite_for(text, "git.example.com", 2222, "[127.0.0.1]:40000", KEY.replace("A", "B"))
    assert found.verifies
    assert out.splitlines() == [f"[127.0.0.1]:40000 {KEY.replace('A', 'B')}", f"@revoked [127.0.0.1]:40000 {KEY}"]
    none, found = known_hosts.rewrite_for(f"[git.example.com]:22 {OTHER}\n", "git.example.com", 22, "[x]:1", KEY)
    assert none == "" and not found.verifies
    bare, found = known_hosts.rewrite_for(f"git.example.com {OTHER}\n", "git.example.com", 2222, "[x]:1", KEY)
    assert bare == f"[x]:1 {KEY}" and found.without_port
