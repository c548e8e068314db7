"""The migration and create-user Jobs, the user job's log, and the admin login through the Airflow API.

Why the log and the login both: `|| true` after `airflow users create` hides failures (FAILURES.md 6), so a
completed Job proves little; the log must show the user created or already present AND the password reset,
and the payload's password must then really log in. The HTTP call is made by the cluster test (through a
port-forward); these functions only judge its status and body, and never echo a token or a password.
"""

from __future__ import annotations

import re
from typing import Any

from e2e.checks.expect import Expectations
from e2e.checks.verdict import Verdict
from e2e.masking import Masker
from e2e.observe.timeline import Timeline

CREATED = re.compile(r'User "(?P<user>[^"]+)" created with role')
ALREADY = re.compile(r"(?P<user>\S+) already exists? in the db")  # FAB prints "exist" or "exists" by version
RESET = re.compile(r'User "(?P<user>[^"]+)" password reset')
TAIL_LINES = 8


def job_completed(timeline: Timeline, namespace: str, job: str) -> Verdict:
    name = f"Job {job} completed"
    done = timeline.first(kind="Job", namespace=namespace, name=job, what_prefix="condition Complete=True")
    failed = timeline.first(kind="Job", namespace=namespace, name=job, what_prefix="condition Failed=True")
    started = timeline.first(kind="Job", namespace=namespace, name=job, what="started")
    if done is not None and (failed is None or failed.time > done.time):
        took = f" in {done.time - started.time:.0f}s" if started is not None else ""
        return Verdict(name, True, [f"Complete=True{took}"])
    evidence = []
    if failed is not None:
        evidence.append(f"{failed.what}: {failed.detail.get('message') or ''}".rstrip(": "))
    pods = {e.name for e in timeline.select(kind="Pod", namespace=namespace, what="created", label=("job-name", job))}
    attempts = [e for e in timeline.select(kind="Pod", namespace=namespace, what_prefix="terminated")
                if e.name in pods and e.detail.get("exit_code") not in (0, None)]
    for event in attempts[-3:]:
        evidence.append(f"pod {event.name} [{event.detail.get('container')}] {event.what}")
    if not timeline.first(kind="Job", namespace=namespace, name=job):
        evidence.append("the Job never appeared")
    elif not evidence:
        evidence.append("no Complete condition recorded" + (" (started, still running)" if started else ""))
    return Verdict(name, False, evidence)


def jobs_completed(timeline: Timeline, exp: Expectations) -> list[Verdict]:
    return [job_completed(timeline, exp.namespace, exp.migration_job),
            job_completed(timeline, exp.namespace, exp.user_job)]


def user_job_log(log: str, username: str, masker: Masker | None = None) -> Verdict:
    """The create-user log shows the user created (or already present) and then the password reset."""
    mask = masker.mask if masker else (lambda s: s)
    name = f"create-user log shows {username} created or present, and the password reset"
    lines = log.splitlines()
    created = [ln for ln in lines if (m := CREATED.search(ln)) and m["user"] == username]
    present = [ln for ln in lines if (m := ALREADY.search(ln)) and m["user"] == username]
    reset = [ln for ln in lines if (m := RESET.search(ln)) and m["user"] == username]
    evidence = []
    if created:
        evidence.append("created: " + mask(created[0].strip()))
    elif present:
        evidence.append("already present: " + mask(present[0].strip()))
    else:
        evidence.append(f"no line saying {username} was created or already exists")
    evidence.append("password reset: " + mask(reset[0].strip()) if reset else "no password reset line")
    ok = bool(created or present) and bool(reset)
    if not ok:
        evidence += ["log tail: " + mask(ln) for ln in lines[-TAIL_LINES:] if ln.strip()]
    return Verdict(name, ok, evidence)


def admin_login(status: int, body: Any, username: str, airflow_version: str, masker: Masker | None = None) -> Verdict:
    """Airflow 3: POST /auth/token -> 201 {"access_token"}; Airflow 2: an API call with basic auth -> 200."""
    mask = masker.mask if masker else (lambda s: s)
    airflow3 = int(airflow_version.split(".", 1)[0]) >= 3
    how = "POST /auth/token" if airflow3 else "GET /api/v1/dags (basic auth)"
    name = f"{username} logs in through the Airflow API with the payload's password"
    evidence = [f"{how} as {username} -> HTTP {status}"]
    ok = 200 <= status < 300
    if airflow3 and ok:
        token = body.get("access_token") if isinstance(body, dict) else None
        ok = isinstance(token, str) and bool(token)
        evidence.append(f"access_token present ({len(token)} chars)" if ok else "no access_token in the response")
    if not ok and isinstance(body, dict) and body.get("detail"):
        evidence.append("detail: " + mask(str(body["detail"]))[:200])
    return Verdict(name, ok, evidence)
