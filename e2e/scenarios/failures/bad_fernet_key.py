"""FAILURES.md 10: a Fernet key in the wrong format: Airflow refuses it the first time it encrypts
(`Fernet key must be 32 url-safe base64-encoded bytes.`), which a probe in the scheduler provokes."""

from __future__ import annotations

from e2e.preflight.rules import payload as payload_rules
from e2e.scenarios import messages as msg
from e2e.scenarios.failures.common import Parts, log_says, preflight
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import Check, Scenario
from e2e.scenarios.steps import RunAirflowCli

BAD_FERNET_KEY = "deadbeef"
FERNET_PROBE = ("variables", "set", "airflow_e2e_fernet_probe", "encrypted-with-the-current-key")


COUNTERPARTS = (preflight(payload_rules.payload_fernet_key_invalid),)


def scenario(lay: Layout, upgrade_to: str) -> Scenario:
    p, fernet = Parts(lay), lay.fernet_secret
    return Scenario(
        name="bad-fernet-key", entry=10, title="Bad key format",
        reproduces=f"Write {lay.fernet_field} `deadbeef` to Vault; restart the scheduler and let it encrypt a value.",
        break_=(*p.payload_break("fernet_field", "8 hex characters, not a Fernet key", lambda _old: BAD_FERNET_KEY,
                                 fernet), p.restart(("scheduler",))),
        symptom=Check("`Fernet key must be 32 url-safe base64-encoded bytes.` (probe or scheduler log)",
                      log_says(msg.FERNET_FORMAT)),
        probes=(RunAirflowCli("fernet", FERNET_PROBE, lay.release, lay.airflow_namespace),),
        symptom_within=300,
        recovery=(*p.payload_restore(fernet), p.restart(("scheduler",))),
        converged=p.pods_ready,
        converge_within=600,
        invariants=(p.fernet_kept("end"), p.keep_admin),
        counterparts=COUNTERPARTS,
        log_sources=(("scheduler", "scheduler"),),
        sources=("apache/airflow#16000", "apache/airflow#43150"),
    )
