"""Every private key format OpenSSH reads is read (issue 15 item 7): the public key must be the one
`ssh-keygen -y` derives from the same file, so the git server authorizes the key git-sync really holds."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from e2e import payload as payload_mod

FORMATS = [("rsa", "PEM"), ("rsa", "PKCS8"), ("ecdsa", "PEM"), ("ed25519", "RFC4716")]  # RFC4716: openssh-key-v1


def keygen(tmp_path, kind: str, fmt: str) -> tuple[str, str]:
    binary = shutil.which("ssh-keygen")
    assert binary, "ssh-keygen (openssh-client) is a system package of this project"
    path = tmp_path / f"{kind}-{fmt}"
    size = ["-b", "2048"] if kind == "rsa" else []
    subprocess.run([binary, "-q", "-t", kind, *size, "-m", fmt, "-N", "", "-C", "", "-f", str(path)], check=True,
                   timeout=60, capture_output=True)
    public = subprocess.run([binary, "-y", "-f", str(path)], check=True, timeout=60, capture_output=True,
                            text=True).stdout
    return path.read_text(), " ".join(public.split()[:2])


@pytest.mark.parametrize("kind,fmt", FORMATS)
def test_the_public_key_is_the_one_ssh_keygen_derives(tmp_path, kind, fmt):
    private, public = keygen(tmp_path, kind, fmt)
    assert payload_mod.public_key_of(private) == public


def test_an_encrypted_key_is_refused_as_encrypted(tmp_path):
    path = tmp_path / "enc"
    subprocess.run(["ssh-keygen", "-q", "-t", "ecdsa", "-m", "PEM", "-N", "a-passphrase", "-f", str(path)],
                   check=True, timeout=60, capture_output=True)
    with pytest.raises(TypeError):
        payload_mod.load_private_key(path.read_text())


def test_text_that_is_no_key_is_refused():
    with pytest.raises(ValueError):
        payload_mod.load_private_key("-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----\n")
