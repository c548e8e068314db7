"""One walk of payload leaves (e2e.masking.secret_values) and one set of masked forms (e2e.masking): a masker
built from the walk alone hides every secret the component tier, the cluster tier and reports print."""

from __future__ import annotations

import urllib.parse

import yaml

from e2e import payload as payload_mod
from e2e.masking import MASK, Masker, secret_values

PASSWORD = "p@ss/word#with+separators-1234"
PAYLOAD = {
    "metadataConnection": f"postgresql://airflow:{urllib.parse.quote(PASSWORD, safe='')}@db:5432/airflow",
    "brokerUrl": "redis://:long-pass\uff20word-123@airflow-redis:6379/0",
    "createUserJob": {"defaultUser": {"username": "platform-admin", "email": "admin@example.com",
                                      "password": "user-password-5678"}},
    "gitSshKey": ["-----BEGIN OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAAAAA"],
}


def test_the_walk_returns_leaves_only_and_leaves_out_the_default_user_identity():
    values = secret_values(PAYLOAD)
    assert PAYLOAD["metadataConnection"] in values and "user-password-5678" in values
    assert "b3BlbnNzaC1rZXktdjEAAAAA" in values
    assert "platform-admin" not in values and "admin@example.com" not in values
    assert PASSWORD not in values  # a URL's password is a form of its leaf: e2e.masking derives it


def test_several_payloads_are_one_walk():
    other = {"fernetKey": "another-secret-value-0000"}
    assert secret_values(PAYLOAD, other) == [*secret_values(PAYLOAD), *other.values()]


def test_a_masker_from_the_walk_hides_url_passwords_alone_decoded_and_encoded():
    masker = Masker(secret_values(PAYLOAD))
    for text in (PASSWORD, urllib.parse.quote(PASSWORD, safe=""), "long-pass\uff20word-123",
                 "password authentication failed for long-pass\uff20word-123"):
        assert masker.leaks(masker.mask(text)) == [], text
    assert masker.mask("user platform-admin") == "user platform-admin"


def test_an_all_digit_password_that_yaml_reads_as_a_number_is_still_masked():
    # `redisPassword: 8675309123` is an int once YAML has read the payload; Vault and the Secret hold its text.
    payload = yaml.safe_load("redisPassword: 8675309123\nport: 5432.5\nenabled: true\n")
    values = secret_values(payload)
    assert "8675309123" in values and "True" not in values
    assert Masker(values).mask("AUTH 8675309123") == f"AUTH {MASK}"


def test_preflight_masks_its_output_with_the_same_walk(tmp_path, capsys):
    # One walk for every tier: preflight's output hides what the component tier's masker hides.
    from e2e.cli import main
    from e2e.config import DEFAULT_GITOPS_DIR

    data = payload_mod.generate()
    data["redisPassword"] = 8675309123  # a number, and not the broker URL's password: a finding names the path
    out = tmp_path / "payload.yaml"
    out.write_text(yaml.safe_dump(data))
    main(["preflight", str(DEFAULT_GITOPS_DIR), "--payload", str(out), "--format", "json"])
    printed = capsys.readouterr()
    assert Masker(secret_values(data)).leaks(printed.out + printed.err) == []
