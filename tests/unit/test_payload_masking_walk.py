"""One walk of payload leaves (e2e.payload.secret_values) and one set of masked forms (e2e.masking): a masker
built from the walk alone hides every secret the component tier, the cluster tier and reports print."""

from __future__ import annotations

import urllib.parse

from e2e import payload as payload_mod
from e2e.masking import Masker

PASSWORD = "p@ss/word#with+separators-1234"
PAYLOAD = {
    "metadataConnection": f"postgresql://airflow:{urllib.parse.quote(PASSWORD, safe='')}@db:5432/airflow",
    "brokerUrl": "redis://:long-pass\uff20word-123@airflow-redis:6379/0",
    "createUserJob": {"defaultUser": {"username": "platform-admin", "email": "admin@example.com",
                                      "password": "user-password-5678"}},
    "gitSshKey": ["-----BEGIN OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAAAAA"],
}


def test_the_walk_returns_leaves_only_and_leaves_out_the_default_user_identity():
    values = payload_mod.secret_values(PAYLOAD)
    assert PAYLOAD["metadataConnection"] in values and "user-password-5678" in values
    assert "b3BlbnNzaC1rZXktdjEAAAAA" in values
    assert "platform-admin" not in values and "admin@example.com" not in values
    assert PASSWORD not in values  # a URL's password is a form of its leaf: e2e.masking derives it


def test_several_payloads_are_one_walk():
    other = {"fernetKey": "another-secret-value-0000"}
    assert payload_mod.secret_values(PAYLOAD, other) == [*payload_mod.secret_values(PAYLOAD), *other.values()]


def test_a_masker_from_the_walk_hides_url_passwords_alone_decoded_and_encoded():
    masker = Masker(payload_mod.secret_values(PAYLOAD))
    for text in (PASSWORD, urllib.parse.quote(PASSWORD, safe=""), "long-pass\uff20word-123",
                 "password authentication failed for long-pass\uff20word-123"):
        assert masker.leaks(masker.mask(text)) == [], text
    assert masker.mask("user platform-admin") == "user platform-admin"
