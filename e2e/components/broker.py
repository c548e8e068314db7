"""Broker authentication judged as Celery's workers meet it (FAILURES.md 9): the value Airflow uses, RESP2 AUTH.

Why not "redis-py pings": two differences made false passes (docs/facts.md, measured with Redis 7.0.15).
- Airflow's `conf.get` expands `$NAME` (e2e.airflow_config), so a raw `$HOME-` inside a password reaches
  Celery as `/home/airflow-`. The URL is expanded with the official image's environment first.
- kombu caps redis-py below 6.5, which authenticates with RESP2 `AUTH`; redis-py 8 defaults to RESP3
  `HELLO 3 AUTH`, which a Redis without a password accepts. So the connection here is `protocol=2`.
Celery (kombu) and redis-py parse the URL with Python's urllib, which refuses a netloc with characters that
NFKC-normalise to a delimiter (a full-width `＠`): that is Celery's failure too, reported as one.
The local chain, which runs real Celery, uses `judge` (and e2e.airflow_config) for the same verdict.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from e2e.airflow_config import IMAGE_ENV, expand_like_airflow, unresolved_names

NO_RETRY = Retry(NoBackoff(), 0)  # redis-py retries AuthenticationError (a ConnectionError) by default


@dataclass
class BrokerVerdict:
    outcome: str  # "pass" | "fail"
    summary: str
    evidence: list[str] = field(default_factory=list)
    failure: str | None = None
    seconds: float = 0.0


def judge(url: str, env: Mapping[str, str] = IMAGE_ENV, *, timeout: float = 5.0) -> BrokerVerdict:
    """Connect and PING the way a Celery worker does with this broker URL. Messages never hold the URL."""
    start = time.monotonic()
    used = expand_like_airflow(url, env)
    evidence = ["RESP2 AUTH (redis-py protocol=2, as kombu's redis-py < 6.5 sends it)"]
    if used != url:
        evidence.append("Airflow's conf.get expands a `$NAME` inside the broker URL (os.path.expandvars): "
                        "Celery gets another URL than the payload's")
    elif unresolved_names(url, env):
        evidence.append("the broker URL holds `$NAME` text that a container setting that variable would expand")

    def verdict(outcome: str, summary: str, failure: str | None = None) -> BrokerVerdict:
        return BrokerVerdict(outcome, summary, evidence, failure, time.monotonic() - start)

    try:
        client = redis.Redis.from_url(used, protocol=2, socket_timeout=timeout, socket_connect_timeout=timeout,
                                      retry=NO_RETRY)
    except ValueError as exc:
        why = "characters that NFKC-normalise to a URL delimiter (e.g. a full-width ＠)" if "NFKC" in str(exc) \
            else "an unparsable URL"
        if used != url:
            return verdict("fail", "the broker URL's `$NAME` is expanded by Airflow (conf.get) and the result no "
                           f"longer parses: Python's urllib (which kombu uses) refuses {why}; percent-encode `$` "
                           "as %24", "FAILURES.md 9")
        return verdict("fail", f"the broker URL does not parse: Python's urllib (which kombu uses) refuses {why}; "
                       "percent-encode the password", "FAILURES.md 9")
    try:
        client.ping()
        return verdict("pass", "the broker URL authenticates against Redis (requirepass = redisPassword)")
    except redis.exceptions.AuthenticationError as exc:
        evidence.append(f"{type(exc).__name__}: {exc}")
        blame = "its `$NAME` is expanded by Airflow, so the password Celery sends is not redisPassword" \
            if used != url else "the broker URL's password is not redisPassword"
        return verdict("fail", f"{blame}: workers would fail with `{exc}`", "FAILURES.md 9")
    except redis.exceptions.RedisError as exc:
        evidence.append(f"{type(exc).__name__}: {exc}")
        return verdict("fail", f"Redis: {exc}")
    finally:
        client.close()
