"""git-sync over SSH with verified host keys (FAILURES.md 5; seed "I do not disable host key checking").

knownHosts lines are parsed and matched the way OpenSSH does (e2e.known_hosts, shared with the component
tier): a placeholder or an unparsable key is skipped silently by ssh, so every clone fails with "Host key
verification failed." even though the value "is set".
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from typing import Any

from e2e import known_hosts
from e2e.gitops.model import get_path
from e2e.install import AirflowInstall
from e2e.preflight.context import Context
from e2e.preflight.finding import Finding
from e2e.preflight.registry import rule

_STRICT_OFF = re.compile(r"StrictHostKeyChecking\s*[= ]\s*\"?(no|off|accept-new|false)\b", re.I)
_KNOWN_HOSTS_OFF_ENV = {"GITSYNC_SSH_KNOWN_HOSTS", "GIT_SYNC_KNOWN_HOSTS", "GIT_KNOWN_HOSTS"}
_KNOWN_HOSTS_OFF_FLAG = re.compile(r"--(?:ssh-known-hosts|known-hosts)(?:=|\s+)false\b", re.I)
REPO_SECRET_TYPES = {"repository", "repo-creds", "repository-write", "repo-write-creds"}


def _ssh_gitsyncs(ctx: Context) -> Iterator[tuple[AirflowInstall, Any, tuple[str, int] | None]]:
    """(install, its dags.gitSync.knownHosts, the repo's ssh endpoint) for each gitSync that clones over SSH."""
    for aapp in ctx.airflow_apps:
        git_sync = get_path(aapp.values, "dags.gitSync")
        if not isinstance(git_sync, dict) or git_sync.get("enabled") is not True:
            continue
        repo = git_sync.get("repo")
        endpoint = known_hosts.ssh_endpoint(repo) if isinstance(repo, str) else None
        if endpoint is not None or git_sync.get("sshKeySecret"):
            yield aapp, git_sync.get("knownHosts"), endpoint


@rule("gitsync-known-hosts-missing", "error",
      "gitSync clones over SSH without knownHosts: the chart sets GITSYNC_SSH_KNOWN_HOSTS=false (no host check)",
      "FAILURES.md 5; seed \"I do not disable host key checking\"")
def gitsync_known_hosts_missing(ctx: Context) -> list[Finding]:
    out = []
    for aapp, known, _endpoint in _ssh_gitsyncs(ctx):
        if isinstance(known, str) and known.strip():
            continue
        file, line = aapp.locate("dags.gitSync.knownHosts")
        out.append(ctx.finding(
            file=file, line=line, obj=aapp.ref,
            message="dags.gitSync clones over SSH but knownHosts is empty: the chart then turns host key "
                    "checking off (GITSYNC_SSH_KNOWN_HOSTS=false)",
            hint="set dags.gitSync.knownHosts to the verified host key line (ssh-keyscan, then check its "
                 "fingerprint with the Git server's admin)"))
    return out


@rule("gitsync-known-hosts-placeholder", "error",
      "a knownHosts line is a placeholder or not a parseable host key (OpenSSH skips it silently)",
      "FAILURES.md 5")
def gitsync_known_hosts_placeholder(ctx: Context) -> list[Finding]:
    out = []
    for aapp, known, _endpoint in _ssh_gitsyncs(ctx):
        if not isinstance(known, str):
            continue
        file, line = aapp.locate("dags.gitSync.knownHosts")
        for entry in known_hosts.parse(known):
            if entry.valid:
                continue
            out.append(ctx.finding(
                file=file, line=(line or 0) + 1 + entry.number, obj=aapp.ref,
                message=f"dags.gitSync.knownHosts line {entry.number + 1} {entry.problem}: ssh ignores it and "
                        "every clone fails with \"Host key verification failed.\"",
                hint="replace it with the real `<host> <keytype> <base64 key>` line, verified out of band"))
    return out


@rule("gitsync-known-hosts-host-mismatch", "error",
      "no knownHosts line ssh would use names the host ([host]:port off port 22) of the gitSync repo URL",
      "FAILURES.md 5")
def gitsync_known_hosts_host_mismatch(ctx: Context) -> list[Finding]:
    out = []
    for aapp, known, endpoint in _ssh_gitsyncs(ctx):
        if endpoint is None or not isinstance(known, str) or not known.strip():
            continue
        entries = known_hosts.parse(known)
        if not any(e.valid for e in entries):
            continue  # all lines unusable: gitsync-known-hosts-placeholder says so
        found = known_hosts.lookup(known, *endpoint)
        if found.verifies:
            continue
        file, line = aapp.locate("dags.gitSync.knownHosts")
        out.append(ctx.finding(
            file=file, line=line, obj=aapp.ref,
            message=f"the repo URL connects to {found.name!r}, but ssh would not verify it: "
                    + known_hosts.why_unverified(found, entries),
            hint=f"add the verified host key line for {found.name} (ssh-keyscan -p {endpoint[1]} {endpoint[0]})"))
    return out


@rule("host-key-checking-disabled", "error",
      "SSH host key checking is turned off somewhere (StrictHostKeyChecking=no, known hosts false, insecure repo)",
      "FAILURES.md 5; seed \"I do not disable host key checking just to make Git sync green\"")
def host_key_checking_disabled(ctx: Context) -> list[Finding]:
    out = []
    for obj in ctx.repo.objects:
        for path, line, why in _insecure(obj.body, "", obj.origin.line):
            out.append(_insecure_finding(ctx, obj.origin.file, line, obj.ref, path, why))
        if obj.kind == "Secret":
            out += _insecure_repo_secret(ctx, obj)
    for rel, docs in ctx.repo.data_files.items():
        for doc_line, data in docs:
            for path, line, why in _insecure(data, "", doc_line):
                out.append(_insecure_finding(ctx, rel, line, path or rel, path, why))
    return out


def _insecure_finding(ctx: Context, file: str, line: int, obj: str, path: str, why: str) -> Finding:
    return ctx.finding(
        file=file, line=line, obj=obj,
        message=f"{path or 'a value'} {why}: a man in the middle can serve any repository content",
        hint="verify host keys (StrictHostKeyChecking=yes with a known_hosts file / dags.gitSync.knownHosts); "
             "never turn checking off to make a clone pass")


def _insecure(node: Any, path: str, line: int) -> Iterator[tuple[str, int, str]]:
    """Walk any YAML data for strings and env entries that disable host key checking."""
    stack: list[tuple[Any, str, int]] = [(node, path, line)]
    while stack:
        current, where, at = stack.pop()
        if isinstance(current, dict):
            name = current.get("name")
            if isinstance(name, str) and name.upper() in _KNOWN_HOSTS_OFF_ENV and \
                    str(current.get("value")).strip().lower() == "false":
                yield where, getattr(current, "line", at), f"sets {name}=false"
            line_of = getattr(current, "line_of", None)
            for key, value in current.items():
                sub = f"{where}.{key}" if where else str(key)
                stack.append((value, sub, line_of(key) if line_of else at))
        elif isinstance(current, list):
            for index, value in enumerate(current):
                stack.append((value, f"{where}[{index}]", getattr(value, "line", at)))
        elif isinstance(current, str):
            if _STRICT_OFF.search(current):
                yield where, at, "turns StrictHostKeyChecking off"
            elif _KNOWN_HOSTS_OFF_FLAG.search(current):
                yield where, at, "passes --ssh-known-hosts=false"


def _insecure_repo_secret(ctx: Context, obj: Any) -> list[Finding]:
    labels = get_path(obj.body, "metadata.labels")
    kind = labels.get("argocd.argoproj.io/secret-type") if isinstance(labels, dict) else None
    if not isinstance(kind, str) or kind not in REPO_SECRET_TYPES:
        return []
    out = []
    for section, encoded in (("stringData", False), ("data", True)):
        data = obj.body.get(section)
        if not isinstance(data, dict):
            continue
        for key in ("insecure", "insecureIgnoreHostKey"):
            value = data.get(key)
            if value is None:
                continue
            text = str(value)
            if encoded:
                try:
                    text = base64.b64decode(text, validate=True).decode()
                except (binascii.Error, UnicodeDecodeError, ValueError):
                    continue
            if text.strip().lower() == "true":
                out.append(_insecure_finding(ctx, obj.origin.file, data.line_of(key) if hasattr(data, "line_of")
                                             else obj.origin.line, obj.ref, f"{section}.{key}",
                                             "makes Argo CD skip the repository's host key check"))
    return out
