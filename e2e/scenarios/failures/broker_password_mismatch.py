"""FAILURES.md 9: the broker URL's password and Redis's disagree: the workers cannot authenticate
(`invalid username-password pair or user is disabled`)."""

from __future__ import annotations

from e2e import component_checks as ids
from e2e.preflight.rules import payload as payload_rules
from e2e.scenarios import convergence as conv
from e2e.scenarios import messages as msg
from e2e.scenarios.failures.common import Parts, component, log_says, preflight
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import Check, Scenario
from e2e.scenarios.transforms import with_url_password

WRONG_REDIS_PASSWORD = "not-the-redis-password"


COUNTERPARTS = (preflight(payload_rules.payload_broker_password_mismatch), component(ids.BROKER_URL))


def scenario(lay: Layout, upgrade_to: str) -> Scenario:
    p, broker = Parts(lay), lay.broker_secret
    return Scenario(
        name="broker-password-mismatch", entry=9, title="Broker URL and Redis password disagree",
        reproduces="Write a broker URL whose password differs from redisPassword; restart the workers.",
        break_=(*p.payload_break("broker_field", "the same URL with another password",
                                 lambda url: with_url_password(str(url), WRONG_REDIS_PASSWORD), broker),
                p.restart(("worker",))),
        symptom=Check("worker log `invalid username-password pair or user is disabled`",
                      log_says(msg.REDIS_WRONGPASS, "worker")),
        symptom_within=300,
        recovery=(*p.payload_restore(broker), p.restart(("worker",))),
        converged=conv.pods_ready(("worker",)),
        converge_within=600,
        invariants=(p.keep_key, p.keep_admin),
        counterparts=COUNTERPARTS,
        log_sources=(("worker", "worker"),),
        sources=("apache/airflow#34561", "apache/airflow#20999"),
    )
