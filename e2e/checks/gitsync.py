"""git-sync: host keys verified, the DAG repository's current commit cloned, the DAG visible to Airflow.

Why three parts: the container spec proves verification is ON (`GITSYNC_SSH_KNOWN_HOSTS=true` and the
known_hosts file mounted), the log proves the clone of the commit the git server holds now happened through
it, and the API proves Airflow read the result. A green git-sync with checking off would pass a weaker check;
this one fails (FAILURES.md 5: never turn host key checking off to get green).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from e2e import chart
from e2e.checks.expect import GIT_SYNC_CONTAINERS
from e2e.checks.verdict import Verdict
from e2e.masking import Masker

SYNCED = "updated successfully"  # git-sync v4 main.go, logged with "remote": <sha>
RETRYING = "error syncing repo, will retry"
ABORTING = "too many failures, aborting"


def _env(container: dict[str, Any]) -> dict[str, str]:
    return {e.get("name"): str(e.get("value")) for e in container.get("env") or [] if "value" in e}


def git_sync_containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    spec = pod.get("spec") or {}
    return [c for c in (spec.get("initContainers") or []) + (spec.get("containers") or [])
            if c.get("name") in GIT_SYNC_CONTAINERS]


def host_keys_verified(pods: list[dict[str, Any]]) -> Verdict:
    name = "git-sync containers verify host keys (GITSYNC_SSH_KNOWN_HOSTS=true, known_hosts mounted)"
    ok, evidence, seen = True, [], 0
    for pod in pods:
        pod_name = (pod.get("metadata") or {}).get("name")
        for container in git_sync_containers(pod):
            seen += 1
            env = _env(container)
            mounts = {m.get("mountPath") for m in container.get("volumeMounts") or []}
            problems = []
            if env.get("GITSYNC_SSH_KNOWN_HOSTS") != "true":
                problems.append(f"GITSYNC_SSH_KNOWN_HOSTS={env.get('GITSYNC_SSH_KNOWN_HOSTS', '(unset)')}")
            if env.get("GITSYNC_SSH_KNOWN_HOSTS_FILE") != chart.KNOWN_HOSTS_MOUNT:
                problems.append(f"GITSYNC_SSH_KNOWN_HOSTS_FILE={env.get('GITSYNC_SSH_KNOWN_HOSTS_FILE', '(unset)')}")
            if chart.KNOWN_HOSTS_MOUNT not in mounts:
                problems.append(f"no volume mounted at {chart.KNOWN_HOSTS_MOUNT}")
            if problems:
                ok = False
                evidence.append(f"{pod_name} [{container['name']}]: " + "; ".join(problems))
            else:
                evidence.append(f"{pod_name} [{container['name']}]: known_hosts verified")
    if seen == 0:
        return Verdict(name, False, ["no git-sync container in any pod"])
    return Verdict(name, ok, evidence)


def parse_log(text: str) -> list[dict[str, Any]]:
    """git-sync v4 logs one JSON object per line (logr funcr); other lines are kept as {"msg": line}."""
    records = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if " {" in line and not line.startswith("{"):  # `--timestamps` prefix
            line = line[line.index(" {") + 1:]
        try:
            record = json.loads(line)
        except ValueError:
            record = {"msg": line}
        records.append(record if isinstance(record, dict) else {"msg": line})
    return records


def cloned_commit(logs: Mapping[str, str], commit: str, masker: Masker | None = None) -> Verdict:
    """Each git-sync container log (key "pod/container") shows the current commit synced, and no failure after."""
    mask = masker.mask if masker else (lambda s: s)
    name = f"git-sync cloned the DAG repository's current commit {commit[:12]}"
    if not logs:
        return Verdict(name, False, ["no git-sync log to read"])
    ok, evidence = True, []
    for where, text in sorted(logs.items()):
        records = parse_log(text)
        synced = [r for r in records if r.get("msg") == SYNCED]
        failures = [r for r in records if r.get("msg") in (RETRYING, ABORTING)]
        if any(r.get("remote") == commit for r in synced):
            evidence.append(f"{where}: {SYNCED} at {commit[:12]}")
            continue
        ok = False
        if synced:
            other = ", ".join(sorted({str(r.get('remote'))[:12] for r in synced}))
            evidence.append(f"{where}: synced {other}, not {commit[:12]}")
        elif failures:
            last = failures[-1]
            error = str(last.get("error") or "")
            hint = next((h for h in ("Host key verification failed.", "REMOTE HOST IDENTIFICATION HAS CHANGED",
                                     "No ED25519 host key is known", "invalid format", "error in libcrypto",
                                     "Permission denied", "Could not read from remote repository")
                         if h in error), "")
            evidence.append(f"{where}: {last.get('msg')} (failCount {last.get('failCount')})"
                            + (f": {hint}" if hint else f": {mask(error)[:300]}"))
        else:
            evidence.append(f"{where}: no sync recorded in the log")
    return Verdict(name, ok, evidence)


def dag_visible(status: int, body: Any, dag_id: str) -> Verdict:
    """GET /api/v2/dags (Airflow 3) or /api/v1/dags (2): the DAG from the DAG repository is listed."""
    name = f"the DAG {dag_id} is visible through the Airflow API"
    if not 200 <= status < 300:
        return Verdict(name, False, [f"GET dags -> HTTP {status}"])
    dags = body.get("dags") if isinstance(body, dict) else None
    ids = sorted(str(d.get("dag_id")) for d in dags or [] if isinstance(d, dict))
    if dag_id in ids:
        return Verdict(name, True, [f"GET dags -> HTTP {status}; {dag_id} listed among {len(ids)}"])
    return Verdict(name, False, [f"GET dags -> HTTP {status}; listed: {', '.join(ids) or 'none'}"])
