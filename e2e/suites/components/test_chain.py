"""The local chain: the payload in OpenBao -> read back as ESO would -> Secrets -> a running Airflow -> a DAG from
the DAG repository, run for real on the Celery worker."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from e2e import payload as payload_mod
from e2e.components import chain, jobenv
from e2e.gitops import get_path

pytestmark = pytest.mark.components


def test_the_dag_from_git_runs_to_success_on_the_celery_worker(component_suite, local_chain):
    result = component_suite.result(chain.NAME_RUN)
    assert result.outcome == "pass", result.summary + "\n" + "\n".join(result.evidence)
    assert any("read_encrypted_connection=success" in line for line in result.evidence)
    assert any("Celery worker executed 3 workload(s) of 3 task(s)" in line for line in result.evidence), \
        result.evidence


def test_every_secret_the_pods_read_is_what_openbao_returned(component_suite, local_chain):
    assert component_suite.result(chain.NAME_RUN).outcome == "pass"
    eso = local_chain.eso
    assert eso is not None and eso.evidence and all("with policies" in line for line in eso.evidence)
    job = jobenv.build(local_chain.stack.inputs.values, eso.secrets, local_chain.stack.inputs.airflow_version, "/x")
    fed = {var: src.split("/", 1) for var, src in job.sources.items()
           if "/" in src and src.split("/", 1)[0] in eso.secrets}
    assert "AIRFLOW__CORE__FERNET_KEY" in fed and "AIRFLOW__CELERY__BROKER_URL" in fed, job.sources
    for var, (secret, key) in fed.items():
        if var in local_chain.base_env:
            assert local_chain.base_env[var] == eso.secrets[secret][key], var


def _signed_with(token: str, secret: str) -> bool:
    """Whether this JWT's HMAC signature was made with `secret` (the api-server's [api_auth] jwt_secret)."""
    def unb64(part: str) -> bytes:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

    header, body, signature = token.split(".")
    algorithm = json.loads(unb64(header))["alg"]
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[algorithm]
    mac = hmac.new(secret.encode(), f"{header}.{body}".encode(), digest).digest()
    return hmac.compare_digest(mac, unb64(signature))


def test_a_secret_rotated_in_openbao_reaches_the_api_server_not_the_payload_file_s(component_suite, local_chain):
    """Vault holds another JWT secret than the payload file: a rolled api-server signs its tokens with Vault's."""
    assert component_suite.result(chain.NAME_RUN).outcome == "pass"
    stack = local_chain.stack
    file_secret = str(stack.payload["jwtSecret"])
    in_vault = payload_mod.password(32)
    component_suite.generate(in_vault)
    read = local_chain.read_from_vault({**stack.payload, "jwtSecret": in_vault})
    assert in_vault != file_secret
    user = get_path(stack.payload, "createUserJob.defaultUser")
    with local_chain.rolled_api_server(read.secrets) as api:
        status, body = api.login(str(user["username"]), str(user["password"]))
    assert status in (200, 201), status
    token = body["access_token"]
    assert _signed_with(token, in_vault) and not _signed_with(token, file_secret)


def test_a_connection_written_with_another_fernet_key_fails_the_task_with_invalid_token(component_suite,
                                                                                         local_chain):
    result = component_suite.result(chain.NAME_FERNET)
    assert result.outcome == "pass", result.summary + "\n" + "\n".join(result.evidence)
    assert result.failure == "FAILURES.md 2"


def test_a_worker_with_another_broker_password_logs_redis_s_refusal(component_suite, local_chain):
    result = component_suite.result(chain.NAME_BROKER)
    assert result.outcome == "pass", result.summary
    assert chain.WRONG_BROKER_SYMPTOM in " ".join(result.evidence)


def test_git_sync_with_another_host_key_delivers_no_dag(component_suite, local_chain):
    result = component_suite.result(chain.NAME_KNOWN_HOST)
    assert result.outcome == "pass", result.summary
    assert result.failure == "FAILURES.md 5"



def test_a_dag_file_that_raises_at_import_fails_the_run_check_naming_the_file(component_suite, local_chain):
    result = component_suite.result(chain.NAME_IMPORT_ERROR)
    assert result.outcome == "pass", result.summary + "\n" + "\n".join(result.evidence)
    assert chain.BROKEN_DAG_FILE in result.summary and chain.BROKEN_DAG_ERROR in result.summary, result.summary
