"""The real Vault payload (`--payload FILE`): formats the chart and its services will reject at run time.

FAILURES.md 9 (broker vs Redis password), 10 (Fernet key, URL encoding), 5 (SSH key format), 4 (missing
template paths). Messages name payload paths, never values; the command masks every payload value anyway.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

from e2e.airflow_config import expand_like_airflow
from e2e.chart import SECRET_REFS
from e2e.gitops.goyaml import GoYamlError, retyped_scalars
from e2e.gitops.model import get_path
from e2e.preflight.context import Context
from e2e.preflight.finding import Finding
from e2e.preflight.registry import rule
from e2e.preflight.rules.secrets import template_line
from e2e.preflight.templating import EXEC, NO_VALUE, NOT_YAML

_REFS = {ref.value_path: ref for ref in SECRET_REFS}
PLACEHOLDER = re.compile(r"replace-with-|replace-me|example-not-|<[^<>\n]+>", re.I)
_HEX2 = re.compile(r"%[0-9A-Fa-f]{2}")


_FROM_YAML_PATH = re.compile(r'^\{\{-?\s*\(fromYaml \.\w+\)((?:\.[\w-]+)+)\s*-?\}\}$')
_INDEX_PATH = re.compile(r'^\{\{-?\s*index \(fromYaml \.\w+\)((?:\.[\w-]+)*)((?:\s+"[^"]*")+)\s*-?\}\}$')


def payload_path(ctx: Context, value_path: str) -> str:
    """The payload path that feeds the Secret the values name at `value_path`, read from the repository's own
    ExternalSecret template (`extraSecrets.dp-git-ssh.data.gitSshKey` in a team's repository); the seed's
    field when no template is a plain path. Why: the payload's shape is the repository's choice."""
    ref = _REFS[value_path]
    for aapp in ctx.airflow_apps:
        name = get_path(aapp.values, value_path)
        for es in ctx.es_by_target.get((aapp.namespace, name), []) if isinstance(name, str) else []:
            found = template_payload_path(es.template_data.get(ref.data_key) or "")
            if found:
                return found
    return ref.purpose


def template_payload_path(template: str) -> str | None:
    """`{{ (fromYaml .config).a.b }}` or `{{ index (fromYaml .config).a "b" }}` -> `a.b`; None for other shapes."""
    plain_path = _FROM_YAML_PATH.match(template.strip())
    if plain_path:
        return plain_path.group(1).lstrip(".")
    indexed = _INDEX_PATH.match(template.strip())
    if indexed:
        fields = [f for f in indexed.group(1).split(".") if f] + re.findall(r'"([^"]*)"', indexed.group(2))
        return ".".join(fields)
    return None


def _value(ctx: Context, path: str) -> Any:
    return get_path(ctx.payload, path)


def _line(ctx: Context, path: str) -> int | None:
    node: Any = ctx.payload
    line = getattr(node, "line", None)
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return line
        line = node.line_of(part) if hasattr(node, "line_of") else line
        node = node[part]
    return line


def _finding(ctx: Context, path: str, message: str, hint: str) -> Finding:
    """A finding of the rule running now, at payload path `path`."""
    return ctx.finding(file=ctx.payload_file, line=_line(ctx, path), obj=f"payload:{path}", message=message,
                       hint=hint)


@rule("payload-fernet-key-invalid", "error", "the payload's Fernet key is not 32 url-safe base64-encoded bytes",
      "FAILURES.md 10", needs_payload=True)
def payload_fernet_key_invalid(ctx: Context) -> list[Finding]:
    fernet_path = payload_path(ctx, "fernetKeySecretName")
    key = _value(ctx, fernet_path)
    if key is None:
        return []
    from cryptography.fernet import Fernet  # here: only a --payload run pays for importing cryptography

    try:
        Fernet(key if isinstance(key, str | bytes) else str(key))
    except (ValueError, TypeError):
        return [_finding(ctx, fernet_path,
                         f"{fernet_path} is not a Fernet key (32 url-safe base64-encoded bytes): Airflow fails "
                         "with \"Fernet key must be 32 url-safe base64-encoded bytes.\"",
                         "generate one: python -c 'from cryptography.fernet import Fernet; "
                         "print(Fernet.generate_key().decode())' (or airflow-e2e payload)")]
    return []


@rule("payload-broker-password-mismatch", "error", "the broker URL's password differs from redisPassword",
      "FAILURES.md 9", needs_payload=True)
def payload_broker_password_mismatch(ctx: Context) -> list[Finding]:
    broker_path = payload_path(ctx, "data.brokerUrlSecretName")
    redis_path = payload_path(ctx, "redis.passwordSecretName")
    broker, redis_password = _value(ctx, broker_path), _value(ctx, redis_path)
    if not isinstance(broker, str) or redis_password is None:
        return []
    try:
        password = urllib.parse.urlsplit(broker).password
    except ValueError:
        password = None
    if password is not None and urllib.parse.unquote(password) == str(redis_password):
        return []
    return [_finding(ctx, broker_path,
                     f"the password in {broker_path} differs from {redis_path}: workers fail with \"invalid "
                     "username-password pair or user is disabled\"",
                     f"build {broker_path} from {redis_path}: redis://:<url-encoded password>@<host>:6379/0")]


@rule("payload-metadata-connection-invalid", "error",
      "the metadata connection does not parse as a URL, or its password has unencoded reserved characters",
      "FAILURES.md 10", needs_payload=True)
def payload_metadata_connection_invalid(ctx: Context) -> list[Finding]:
    metadata_path = payload_path(ctx, "data.metadataSecretName")
    value = _value(ctx, metadata_path)
    if value is None:
        return []
    problem = connection_problem(value)
    if problem is None:
        return []
    return [_finding(ctx, metadata_path,
                     f"{metadata_path} {problem}: Airflow cannot reach the database (\"Name or service not "
                     "known\" or an authentication failure)",
                     "write scheme://user:<urlencoded password>@host:port/db; in an ESO template use "
                     "`urlquery` on the password")]


def connection_problem(value: Any) -> str | None:
    """Why a SQLAlchemy URL is unusable, naming character classes only (never the value)."""
    if not isinstance(value, str) or "://" not in value:
        return "is not a URL (scheme://...)"
    try:
        parts = urllib.parse.urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError for a non-numeric port)
    except ValueError:
        return "does not parse (a raw ':' '/' '?' or '#' in the password splits the URL in the wrong place)"
    if not parts.scheme or not parts.hostname:
        return "has no host"
    rest = value.split("://", 1)[1]
    if "@" not in rest:
        return None
    userinfo = rest[: rest.rfind("@")]
    _user, _, password = userinfo.partition(":")
    raw = sorted({c for c in "@/?#" if c in userinfo} | ({":"} if ":" in password else set()))
    if raw:
        return f"has unencoded {' '.join(repr(c) for c in raw)} in its credentials"
    if "%" in password and len(_HEX2.findall(password)) != password.count("%"):
        return "has a '%' in its password that is not a %XX escape"
    return None


_DOLLAR_NAME = re.compile(r"\$(?:\w|\{)", re.ASCII)


@rule("payload-url-dollar-expanded", "error",
      "a connection URL (metadata, broker) holds `$NAME` or `~` text that Airflow's conf.get expands",
      "docs/facts.md \"Airflow config values are run through expandvars\"; FAILURES.md 9, 10", needs_payload=True)
def payload_url_dollar_expanded(ctx: Context) -> list[Finding]:
    out = []
    for value_path in ("data.metadataSecretName", "data.brokerUrlSecretName"):
        path = payload_path(ctx, value_path)
        value = _value(ctx, path)
        if not isinstance(value, str) or not (_DOLLAR_NAME.search(value) or value.startswith("~")):
            continue
        changed = expand_like_airflow(value) != value
        out.append(_finding(
            ctx, path,
            f"{path} holds a `$` before a name: Airflow runs config values through os.path.expandvars, so "
            + ("in the official image it reaches the driver changed (e.g. `$HOME` becomes /home/airflow) and "
               "authentication fails" if changed else
               "any container that sets that variable hands the driver another value"),
            "percent-encode `$` as %24 in the URL's password (ESO template: `urlquery`)"))
    return out


@rule("payload-ssh-key-invalid", "error",
      "the git-sync SSH private key is not an unencrypted key ssh reads (OpenSSH, PEM, PKCS#8), lacks its "
      "trailing newline, or has CRLF",
      "FAILURES.md 5", needs_payload=True)
def payload_ssh_key_invalid(ctx: Context) -> list[Finding]:
    ssh_key_path = payload_path(ctx, "dags.gitSync.sshKeySecret")
    key = _value(ctx, ssh_key_path)
    if key is None:
        return []
    problems = []
    if not isinstance(key, str):
        problems.append("is not text")
    else:
        if "\r" in key:
            problems.append("has CRLF line endings")
        if not key.endswith("\n"):
            problems.append("has no trailing newline")
        from cryptography.exceptions import UnsupportedAlgorithm

        from e2e import payload as payload_mod

        try:
            payload_mod.load_private_key(key.replace("\r\n", "\n"))
        except TypeError:
            problems.append("is encrypted (git-sync cannot enter a passphrase)")
        except (ValueError, UnsupportedAlgorithm):
            problems.append("is not a private key ssh reads (OpenSSH, PEM or PKCS#8)")
    if not problems:
        return []
    return [_finding(ctx, ssh_key_path,
                     f"{ssh_key_path} {', '.join(problems)}: ssh fails with \"Load key ...: invalid format\" / "
                     "\"error in libcrypto\" and git-sync cannot clone",
                     "store the key exactly as ssh-keygen -t ed25519 writes it (LF endings, final newline), "
                     "e.g. with `vault kv put ... <property>=@file` or a YAML block scalar `|`")]


@rule("payload-placeholder-value", "error",
      "a payload value is still a placeholder (replace-with-, replace-me, <...>, example-not-)",
      "seed \"The example values are intentionally fake\"", needs_payload=True)
def payload_placeholder_value(ctx: Context) -> list[Finding]:
    return [
        _finding(ctx, path,
                 f"{path} is a placeholder, not a real value", "generate real values (airflow-e2e payload --out FILE)")
        for path, value in _leaves(ctx.payload, "") if isinstance(value, str) and PLACEHOLDER.search(value)
    ]


@rule("template-path-missing-in-payload", "error",
      "an ExternalSecret template reads a payload path the --payload file does not have",
      "FAILURES.md 4", needs_payload=True)
def template_path_missing_in_payload(ctx: Context) -> list[Finding]:
    if ctx.payload_text is None:
        return []
    out = []
    for problem in ctx.template_problems(ctx.payload_text):
        if problem.missing_path is None:
            continue
        out.append(ctx.finding(
            file=problem.es.obj.origin.file, line=template_line(problem.es, problem.key), obj=problem.es.obj.ref,
            message=f"template key {problem.key!r}: {problem.reason} in the payload given with --payload"
                    + ("" if problem.kind == NO_VALUE else "; ESO fails with \"map has no entry for key\""),
            hint="add the path to the payload in Vault, or fix the template"))
    return out


@rule("template-fails-on-payload", "error",
      "an ExternalSecret template fails on the --payload file as Go executes it (payload not YAML Go can read, "
      "a value of the wrong type for a function, index of a missing map)", "issue 12 item 12", needs_payload=True)
def template_fails_on_payload(ctx: Context) -> list[Finding]:
    if ctx.payload_text is None:
        return []
    out = []
    for problem in ctx.template_problems(ctx.payload_text):
        if problem.kind not in (EXEC, NOT_YAML):
            continue
        out.append(ctx.finding(
            file=problem.es.obj.origin.file, line=template_line(problem.es, problem.key), obj=problem.es.obj.ref,
            message=f"template key {problem.key!r}: {problem.reason}; ESO fails this Secret (SecretSyncedError)",
            hint="write the payload as a YAML mapping whose values are double-quoted strings "
                 "(airflow-e2e payload does), or fix the template"))
    return out


@rule("payload-value-retyped-by-go-yaml", "error",
      "a plain payload value or key that Go's YAML (ESO's fromYaml) reads as another type: y/n/on/off become "
      "booleans, 0o17/017/1_000 integers, every number a float64 (12345678 prints 1.2345678e+07)",
      "issue 12 item 12; gopkg.in/yaml.v2 resolve.go, sigs.k8s.io/yaml", needs_payload=True)
def payload_value_retyped_by_go_yaml(ctx: Context) -> list[Finding]:
    if ctx.payload_text is None:
        return []
    try:
        retyped = list(retyped_scalars(ctx.payload_text))
    except GoYamlError:
        return []  # template-fails-on-payload says the payload does not parse
    return [
        _finding(ctx, path,
                 f"{path}: Go's YAML reads this plain value as {what}, so the Secret ESO writes differs from the "
                 "text in the payload",
                 "double-quote the value in the payload (airflow-e2e payload writes every string double-quoted)")
        for path, what in retyped
    ]


def _leaves(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, f"{path}[{index}]")
    else:
        yield path, node


@rule("payload-job-argument-looks-like-option", "error",
      "a payload value the create-user Job passes as a command-line argument starts with '-'",
      "seed \"Default user job\"; FAILURES.md 6", needs_payload=True)
def payload_job_argument_looks_like_option(ctx: Context) -> list[Finding]:
    """`airflow users create --password "$P"` with P = "-x...": argparse takes it for an option and the Job fails
    ("expected one argument"), and `|| true` hides the create step. Found by the component tier on a random
    password; token_urlsafe can start with '-'."""
    out = []
    for aapp in ctx.airflow_apps:
        for env in get_path(aapp.values, "createUserJob.env") or []:
            ref = get_path(env, "valueFrom.secretKeyRef") if isinstance(env, dict) else None
            if not isinstance(ref, dict):
                continue
            for es in ctx.es_by_target.get((aapp.namespace, ref.get("name")), []):
                path = template_payload_path(es.template_data.get(str(ref.get("key"))) or "")
                value = _value(ctx, path) if path else None
                if isinstance(value, str) and value.startswith("-"):
                    out.append(_finding(
                        ctx, path,
                        f"{path} starts with '-': the create-user script passes ${{{env.get('name')}}} as a "
                        "command-line argument, and Airflow's CLI reads it as an option "
                        "(\"expected one argument\"): the Job fails",
                        f"regenerate {path} so it starts with a letter or digit"))
    return out
