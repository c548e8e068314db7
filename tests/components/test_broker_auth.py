"""Broker authentication judged as Celery meets it (issue 15 items 2, 3, 9): RESP2 AUTH, the URL after Airflow's
`$NAME` expansion, and a URL Celery cannot parse, each against a real Redis."""

from __future__ import annotations

import json
import subprocess
import urllib.parse

import pytest

from e2e import airflow_config
from e2e.components.redis_server import RedisServer

pytestmark = pytest.mark.components


@pytest.fixture(scope="module")
def suite(suite_on, tmp_path_factory):
    return suite_on(artifacts=tmp_path_factory.mktemp("broker-auth-artifacts"))


def with_broker(payload, url):
    return {**payload, "brokerUrl": url}


def test_a_password_against_a_redis_without_one_fails_as_celery_s_resp2_auth_does(suite, component_stack):
    """An empty redisPassword: the chart's Redis runs without one; redis-py 8's HELLO would accept the URL."""
    with RedisServer("") as open_redis:
        url = f"redis://:a-broker-password@{open_redis.host}:{open_redis.port}/0"
        component_stack.protect("a-broker-password")
        result = suite.broker("broker.resp2-control", with_broker(component_stack.payload, url))
    assert result.outcome == "fail", result.summary
    assert "called without any password configured" in result.summary
    assert result.failure == "FAILURES.md 9"


@pytest.mark.parametrize("password,why", [("pa$HOME-ss", "longer parses"), ("pa${LANG}ss", "invalid username")])
def test_a_raw_dollar_name_in_the_password_fails_because_airflow_expands_it(suite, component_stack, password, why):
    component_stack.protect(password, urllib.parse.quote(password, safe=""))
    with RedisServer(password) as redis_server:
        url = f"redis://:{password}@{redis_server.host}:{redis_server.port}/0"
        raw = suite.broker("broker.expandvars-control", with_broker(component_stack.payload, url))
        encoded = url.replace(password, urllib.parse.quote(password, safe=""))
        fixed = suite.broker("broker.expandvars-encoded", with_broker(component_stack.payload, encoded))
    assert raw.outcome == "fail", raw.summary
    assert "expanded by Airflow" in raw.summary and password not in raw.summary
    assert why in raw.summary
    assert fixed.outcome == "pass", fixed.summary  # percent-encoding the `$` is the fix


def test_a_full_width_at_in_the_password_is_a_clear_failed_check(suite, component_stack, redis_server):
    password = "pa\uff20ss"
    component_stack.protect(password)
    url = f"redis://:{password}@{redis_server.host}:{redis_server.port}/0"
    result = suite.broker("broker.nfkc-control", with_broker(component_stack.payload, url))
    assert result.outcome == "fail", result.summary
    assert "NFKC" in result.summary and password not in result.summary + " ".join(result.evidence)


VALUES = ["redis://:pa$HOME-ss@h/0", "pa${AIRFLOW_HOME}x", "~/dags", "$NOPE/$HOME", "a%24HOME", "$"]


def test_the_expansion_is_the_one_the_real_airflow_does(airflow_venv, tmp_path):
    env = {**airflow_config.IMAGE_ENV, "AIRFLOW_HOME": str(tmp_path), "HOME": str(tmp_path)}
    code = ("import json, sys; from airflow.configuration import expand_env_var; "
            "print(json.dumps([expand_env_var(v) for v in sys.argv[1:]]))")
    out = subprocess.run([str(airflow_venv.python), "-c", code, *VALUES], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=300, check=True).stdout
    assert [airflow_config.expand_like_airflow(v, env) for v in VALUES] == json.loads(out.strip().splitlines()[-1])
