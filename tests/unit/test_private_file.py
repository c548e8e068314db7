"""Payloads and private keys are written 0600 from the first byte, with their exact bytes."""

from __future__ import annotations

import stat

from e2e.private_file import write_private


def test_a_new_file_is_readable_by_its_owner_only(tmp_path):
    path = write_private(tmp_path / "nested" / "key", "secret\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_existing_world_readable_file_is_narrowed_to_0600(tmp_path):
    path = tmp_path / "payload.yaml"
    path.write_text("old")
    path.chmod(0o644)
    write_private(path, "new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "new"


def test_the_text_is_written_byte_for_byte_without_newline_translation(tmp_path):
    text = "-----BEGIN OPENSSH PRIVATE KEY-----\r\nb3Blbn\r\n-----END OPENSSH PRIVATE KEY-----"
    assert write_private(tmp_path / "key", text).read_bytes() == text.encode()
