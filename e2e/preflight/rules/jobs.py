"""The migration and create-user Jobs under Argo CD (FAILURES.md 14, 6; chart docs for Argo CD).

Why: with Helm hooks the Jobs never run under Argo CD the way Helm runs them, and with applyCustomEnv false
the create-user script only sees the chart's standard env plus `createUserJob.env`: a `${VAR}` from anywhere
else expands to an empty string (the seed's real bug: the default-user variables never arrive).
"""

from __future__ import annotations

import re
from typing import Any

from e2e.chart import JOBS, SECRET_REFS, applies_to
from e2e.gitops.model import get_path
from e2e.install import AirflowInstall
from e2e.preflight.context import Context
from e2e.preflight.finding import Finding
from e2e.preflight.registry import rule

_BRACED = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}")
_BARE = re.compile(r"(?<![$\\])\$([A-Za-z_][A-Za-z0-9_]*)")
_ASSIGNED = re.compile(r"(?:^|[\s;&|(])(?:export\s+|local\s+|readonly\s+|declare\s+(?:-\w+\s+)*)?"
                       r"([A-Za-z_][A-Za-z0-9_]*)=")
_LOOP_OR_READ = re.compile(r"\b(?:for|read(?:\s+-\w+)*)\s+([A-Za-z_][A-Za-z0-9_]*)")
SHELL_VARS = {"HOME", "PATH", "PWD", "OLDPWD", "HOSTNAME", "USER", "SHELL", "RANDOM", "SECONDS", "LINENO", "UID",
              "EUID", "PPID", "IFS", "BASH", "BASH_SOURCE", "BASHPID", "FUNCNAME", "OSTYPE", "HOSTTYPE", "TERM"}
# Set by the chart on every Airflow container, or by the apache/airflow image, whatever applyCustomEnv says.
CHART_STANDARD_ENV = {"AIRFLOW_HOME", "AIRFLOW_USER_HOME_DIR", "AIRFLOW_UID", "PYTHONPATH", "AIRFLOW_VERSION",
                      "AIRFLOW__CORE__LOAD_EXAMPLES"}


# What a user sees when each Job runs as a hook under Argo CD (FAILURES.md 14, apache/airflow#35159).
HOOK_SYMPTOM = {
    "migrateDatabaseJob": 'migrations never run and pods wait in Init "Waiting for migrations"',
    "createUserJob": "the default user is never created, so the admin cannot log in",
}


def _yaml_scalar(value: Any) -> str:
    """How the user wrote it in YAML (`true`, not Python's `True`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _job_enabled(values: dict[str, Any], job: str) -> bool:
    return get_path(values, f"{job}.enabled") is not False


@rule("job-helm-hooks-enabled", "error",
      "createUserJob or migrateDatabaseJob keeps Helm hooks (useHelmHooks true or unset: the chart default)",
      "FAILURES.md 14; chart docs for Argo CD")
def job_helm_hooks_enabled(ctx: Context) -> list[Finding]:
    out = []
    for aapp in ctx.airflow_apps:
        for job in JOBS:
            value = get_path(aapp.values, f"{job}.useHelmHooks")
            if not _job_enabled(aapp.values, job) or value is False:
                continue
            file, line = aapp.locate(f"{job}.useHelmHooks")
            state = "unset (the chart default is true)" if value is None else _yaml_scalar(value)
            out.append(ctx.finding(
                file=file, line=line, obj=aapp.ref,
                message=f"{job}.useHelmHooks is {state}: under Argo CD the Job runs as a hook with the wrong "
                        f"timing or not at all; {HOOK_SYMPTOM[job]}",
                hint=f"set {job}.useHelmHooks: false (and {job}.applyCustomEnv: false), as the chart docs "
                     "require for Argo CD"))
    return out


@rule("job-apply-custom-env", "warning",
      "createUserJob or migrateDatabaseJob leaves applyCustomEnv on (the chart docs ask for false under Argo CD)",
      "chart docs for Argo CD; FAILURES.md 6")
def job_apply_custom_env(ctx: Context) -> list[Finding]:
    out = []
    for aapp in ctx.airflow_apps:
        for job in JOBS:
            if not _job_enabled(aapp.values, job) or get_path(aapp.values, f"{job}.applyCustomEnv") is False:
                continue
            file, line = aapp.locate(f"{job}.applyCustomEnv")
            out.append(ctx.finding(
                file=file, line=line, obj=aapp.ref,
                message=f"{job}.applyCustomEnv is not false: global env changes alter the Job's spec.template, "
                        "and a fixed-name Job cannot be patched (\"field is immutable\")",
                hint=f"set {job}.applyCustomEnv: false and pass what the Job needs through {job}.env"))
    return out


ARGO_HOOK = "argocd.argoproj.io/hook"


@rule("job-user-ttl-recreated", "warning",
      "the create-user Job is neither an Argo CD hook nor without TTL: it is deleted and re-created every ~5 min",
      "apache/airflow#37460; argo-cd#8586 (selfHeal re-creates a TTL-deleted Job)")
def job_user_ttl_recreated(ctx: Context) -> list[Finding]:
    out = []
    for aapp in ctx.airflow_apps:
        values = aapp.values
        if not _job_enabled(values, "createUserJob"):
            continue
        annotations = get_path(values, "createUserJob.jobAnnotations") or {}
        hooked = isinstance(annotations, dict) and bool(annotations.get(ARGO_HOOK))
        job = get_path(values, "createUserJob") or {}
        no_ttl = isinstance(job, dict) and "ttlSecondsAfterFinished" in job and job["ttlSecondsAfterFinished"] is None
        if hooked or no_ttl:
            continue
        file, line = aapp.locate("createUserJob.jobAnnotations")
        out.append(ctx.finding(
            file=file, line=line, obj=aapp.ref,
            message="createUserJob renders ttlSecondsAfterFinished (the chart default is 300 s): Kubernetes "
                    "deletes the finished Job, Argo CD sees it missing and re-creates it, so the Job and the "
                    "Application flap between OutOfSync/Progressing and Synced/Healthy every few minutes",
            hint=f"set createUserJob.jobAnnotations {{{ARGO_HOOK}: Sync}} as for migrateDatabaseJob (or "
                 "createUserJob.ttlSecondsAfterFinished: null)"))
    return out


@rule("job-script-env-missing", "error",
      "a Job script uses ${VARS} that its env does not provide (applyCustomEnv false drops global env)",
      "seed \"Default user job\" (the default-user variables never arrive); docs/facts.md Jobs")
def job_script_env_missing(ctx: Context) -> list[Finding]:
    out = []
    for aapp in ctx.airflow_apps:
        for job in JOBS:
            if not _job_enabled(aapp.values, job):
                continue
            script = _script(aapp.values, job)
            if not script:
                continue
            provided = _provided_env(aapp, job)
            if provided is None:
                continue
            missing = sorted(used_variables(script) - provided - SHELL_VARS - assigned_variables(script))
            if not missing:
                continue
            key = _script_key(aapp, job)
            file, line = aapp.locate(f"{job}.{key}")
            custom = get_path(aapp.values, f"{job}.applyCustomEnv") is False
            out.append(ctx.finding(
                file=file, line=line, obj=aapp.ref,
                message=f"{job}.{key} uses {', '.join('${' + m + '}' for m in missing)}, which the Job's env does "
                        "not provide" + (" (applyCustomEnv: false drops global env/extraEnvFrom)" if custom else "")
                        + ": each expands to an empty string",
                hint=f"add {job}.env entries with valueFrom.secretKeyRef (e.g. from airflow-default-user) for "
                     f"{', '.join(missing)}"))
    return out


_PASSWORD_ARG = re.compile(r"(?:^|\s)(--password|-p)(?:=|\s+)[\"']?(\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|[^\s\"'$\\]+)")


@rule("job-password-on-command-line", "warning",
      "the create-user script passes the password as an argument (`--password \"$VAR\"`): while the command runs "
      "its argv is readable by every process in the pod and on the node (ps)",
      "issue 16 item 5 (seen with a /proc/*/cmdline scan on the component tier)")
def job_password_on_command_line(ctx: Context) -> list[Finding]:
    out = []
    for aapp in ctx.airflow_apps:
        if not _job_enabled(aapp.values, "createUserJob"):
            continue
        script = "\n".join(x for x in _script(aapp.values, "createUserJob").splitlines()
                            if not x.lstrip().startswith("#"))
        given = sorted({m.group(2) for m in _PASSWORD_ARG.finditer(script)})
        if not given:
            continue
        key = _script_key(aapp, "createUserJob")
        file, line = aapp.locate(f"createUserJob.{key}")
        shown = ", ".join(g if g.startswith("$") else "a literal value" for g in given)
        out.append(ctx.finding(
            file=file, line=line, obj=aapp.ref,
            message=f"createUserJob.{key} gives the password as an argument ({shown}): the expanded "
                    "value is on the airflow process's command line while it runs, readable by every process "
                    "(`ps`, /proc/<pid>/cmdline)",
            hint="leave out --password and pipe it on stdin (`airflow users create` and `reset-password` prompt "
                 "twice): printf '%s\\n%s\\n' \"$PW\" \"$PW\" | airflow users create ..."))
    return out


def used_variables(script: str) -> set[str]:
    """Variables a shell script expands without a default (`${X:-d}` and `${X-d}` have one)."""
    used = set()
    for name, modifier in _BRACED.findall(script):
        if not modifier.startswith((":-", "-", ":=", "=", ":+", "+")):
            used.add(name)
    used |= set(_BARE.findall(_BRACED.sub("", script)))
    return used


def assigned_variables(script: str) -> set[str]:
    return set(_ASSIGNED.findall(script)) | set(_LOOP_OR_READ.findall(script))


def _script(values: dict[str, Any], job: str) -> str:
    parts = []
    for key in ("command", "args"):
        value = get_path(values, f"{job}.{key}")
        if isinstance(value, list):
            parts += [str(v) for v in value if isinstance(v, str | int | float)]
        elif isinstance(value, str):
            parts.append(value)
    return "\n".join(parts)


def _script_key(aapp: AirflowInstall, job: str) -> str:
    """Where a Job's script is written (where a fix goes): `args` when the values set it, else `command`."""
    return "args" if get_path(aapp.values, f"{job}.args") is not None else "command"


def _provided_env(aapp: AirflowInstall, job: str) -> set[str] | None:
    """Env names the Job's container gets; None when it cannot be known (extraEnv/extraEnvFrom text)."""
    values = aapp.values
    names = set(CHART_STANDARD_ENV)
    for ref in SECRET_REFS:
        if applies_to(ref, aapp.airflow_version):
            names |= set(ref.env)
    names |= _env_names(get_path(values, f"{job}.env"))
    if get_path(values, f"{job}.applyCustomEnv") is not False:
        if values.get("extraEnv") or values.get("extraEnvFrom"):
            return None
        names |= _env_names(values.get("env"))
        secrets = values.get("secret")
        for item in secrets if isinstance(secrets, list) else []:
            if isinstance(item, dict) and isinstance(item.get("envName"), str):
                names.add(item["envName"])
    return names


def _env_names(entries: Any) -> set[str]:
    if not isinstance(entries, list):
        return set()
    return {e["name"] for e in entries if isinstance(e, dict) and isinstance(e.get("name"), str)}
