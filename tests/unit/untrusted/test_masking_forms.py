"""Every form a secret value can take is masked (issue 16 item 5): raw, URL-decoded, each part of a URL's
password around a separator, secret query parameters, base64 with and without a trailing newline."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import urllib.parse

import pytest
import yaml

from e2e import payload as payload_mod
from e2e.masking import MASK, Masker, secret_values

pytestmark = pytest.mark.unit
DB_PASSWORD = "Kq7Zp2Xm9Rt4"


def test_the_db_password_is_masked_outside_its_url():
    masker = Masker([f"postgresql://airflow:{DB_PASSWORD}@db:5432/airflow"])
    assert masker.mask(f"FATAL: password authentication failed ({DB_PASSWORD})") == \
        f"FATAL: password authentication failed ({MASK})"


@pytest.mark.parametrize("value, message, secret, kept", [
    # libpq splits at the LAST `@`... psycopg reports `Xm9Rt4zz@db` as the host it could not resolve
    ("postgresql://airflow:Kq7Z@Xm9Rt4zz@db:5432/airflow", 'could not translate host name "Xm9Rt4zz@db" to address',
     "Xm9Rt4zz", "could not translate host name"),
    ("postgresql://airflow@db/airflow?sslmode=require&password=Zz81LpQw3e",
     "connecting with password=Zz81LpQw3e sslmode=require", "Zz81LpQw3e", "require"),  # only the secret parameter
    ("redis://:Prefix1234#rest5678@redis:6379/0", "WRONGPASS for Prefix1234", "Prefix1234", "WRONGPASS for"),
], ids=["raw @ in the password", "password query parameter", "password cut by a raw #"])
def test_each_part_of_a_url_password_is_masked(value, message, secret, kept):
    shown = Masker([value]).mask(message)
    assert secret not in shown and kept in shown, shown


def test_a_url_encoded_password_is_masked_decoded_and_encoded():
    secret = "p@ss/w0rd#%x!"
    url = f"redis://:{urllib.parse.quote(secret, safe='')}@redis:6379/0"
    masker = Masker([url])
    for form in (secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)):
        assert form not in masker.mask(f"auth with {form} failed"), form


@pytest.mark.parametrize("newline", [b"", b"\n"])
def test_base64_of_the_value_with_and_without_newline_is_masked(newline):
    encoded = base64.b64encode(DB_PASSWORD.encode() + newline).decode()
    assert encoded not in Masker([DB_PASSWORD]).mask(f"data: {{password: {encoded}}}")


def test_an_email_value_does_not_mask_its_domain_elsewhere():
    masker = Masker(["admin@example.com"])
    assert masker.mask("ssh://git@git.example.com:22") == "ssh://git@git.example.com:22"


def test_report_payload_masks_the_db_password_wherever_it_appears(tmp_path, runs):
    payload = payload_mod.generate()
    url = next(v for v in secret_values(payload) if v.startswith("postgresql"))
    db_password = urllib.parse.unquote(urllib.parse.urlsplit(url).password)
    timeline = json.loads((runs.HERE / "secrets-late.json").read_text())
    timeline["events"][0]["detail"]["message"] = f"pw {db_password} and b64 " + \
        base64.b64encode((db_password + "\n").encode()).decode()
    path = tmp_path / "t.json"
    path.write_text(json.dumps(timeline))
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(payload))
    subprocess.run([sys.executable, "-m", "e2e.cli", "report", str(path), "--out", str(tmp_path / "r.html"),
                    "--payload", str(tmp_path / "p.yaml")], capture_output=True, timeout=120, check=False)
    html = (tmp_path / "r.html").read_text()
    assert db_password not in html and base64.b64encode((db_password + "\n").encode()).decode() not in html
