"""Check `fernet-key-stability` (FAILURES.md 2): a value encrypted with one Fernet key is unreadable with another.

Why it matters: with `fernetKeySecretName` unset the chart makes `<release>-fernet-key` itself, and under Argo CD
that Secret can be re-created with a new random key on a sync; every Connection and Variable encrypted before is
then `cryptography.fernet.InvalidToken`. The check stores an encrypted Connection with the Job's environment
(the key from the values' Secret), reads it back with the same key, then reads it with a freshly generated key,
which is exactly what a re-generated chart Secret would hand the pods, and expects Airflow's own InvalidToken.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cryptography.fernet import Fernet

from e2e import component_checks as ids
from e2e import payload as payload_mod
from e2e.components import encrypted_probe
from e2e.components.results import CheckResult

if TYPE_CHECKING:
    from e2e.components.suite import ComponentSuite

NAME = ids.FERNET_STABILITY
FERNET_ENV = "AIRFLOW__CORE__FERNET_KEY"


def fernet_key_problem(value: str, source: str) -> str | None:
    """Why the Fernet key a Secret hands Airflow is unusable, blaming what made it (never the value)."""
    if "<no value>" in value:
        return (f"Secret {source} holds `<no value>`: its ExternalSecret template reads a payload key that is "
                "not there (ESO renders that and still reports Ready)")
    if "{{" in value or "}}" in value:
        return f"Secret {source} holds template text: its ExternalSecret template was not rendered"
    for key in value.split(","):  # Airflow reads a comma-separated list (MultiFernet, key rotation)
        try:
            Fernet(key.strip().encode())
        except (ValueError, TypeError):
            return (f"the Fernet key in Secret {source} is not 32 url-safe base64-encoded bytes: Airflow fails "
                    "with \"Fernet key must be 32 url-safe base64-encoded bytes\"")
    return None


def check(suite: ComponentSuite) -> CheckResult:
    if blocked := suite._needs(NAME, ids.MIGRATION_MIGRATE):
        return blocked
    stack, rec, timeout = suite.stack, suite.rec, suite.job_timeout
    secret, other_key = payload_mod.password(18), Fernet.generate_key().decode()
    suite.generate(secret, other_key)
    job = stack.job_env(user_job=False)
    runner = stack.runner(name="fernet", user_job=False)
    source = job.sources.get(FERNET_ENV, "?")
    chart_secret = stack.inputs.install.chart_generated_name("fernetKeySecretName")
    problem = fernet_key_problem(job.env.get(FERNET_ENV, ""), source) if "/" in source else None
    if problem:  # the repository's failure: a failed check that names the Secret, not a harness error
        return rec.result(NAME, "fail", 0.0, problem, [f"Fernet key from {source}"], failure="FAILURES.md 10")

    stored = encrypted_probe.store(runner, secret, timeout=timeout)
    log = rec.keep_log(NAME, stored.what, stored.output)
    if not stored.ok:
        return suite._failed(NAME, stored, "storing the encrypted probe failed", log, outcome="error")  # if unexplained
    same = encrypted_probe.read(runner, secret, timeout=timeout)
    rec.keep_log(NAME, f"{same.result.what} (the Job's key)", same.result.output)
    other = encrypted_probe.read(runner, secret, timeout=timeout, extra_env={FERNET_ENV: other_key})
    rec.keep_log(NAME, f"{other.result.what} (another key)", other.result.output)
    seconds = stored.seconds + same.result.seconds + other.result.seconds
    evidence = [
        f"stored Connection {encrypted_probe.CONN_ID} with a password; Fernet key from {source} "
        f"(exit {stored.returncode}, {stored.seconds:.1f} s)",
        f"read with the same key: exit {same.result.returncode}, decrypted: {same.decrypted}, "
        f"encrypted at rest: {same.encrypted_at_rest}",
        f"read with another key (what a chart-made {chart_secret}, re-created on a sync, gives): exit "
        f"{other.result.returncode}, {encrypted_probe.token_line(other.result.output) or 'no InvalidToken'}",
    ]
    if not (same.decrypted and same.encrypted_at_rest):
        return rec.result(NAME, "fail", seconds, "the probe did not read back (encrypted) with the Job's own key",
                          evidence, log=log)
    if other.result.ok or not other.invalid_token:
        why = "it decrypted" if other.decrypted else "no InvalidToken in the output"
        return rec.result(NAME, "fail", seconds, f"expected InvalidToken with another Fernet key: {why}", evidence,
                          log=log)
    return rec.result(NAME, "pass", seconds, "a value stored with the Job's key is InvalidToken under a new key: "
                      "fernetKeySecretName must name the ESO Secret", evidence, failure="FAILURES.md 2", log=log)
