"""Secret names, data keys and inline values: does every Secret the chart reads come from Vault through ESO?

FAILURES.md 2 (chart makes its own keys), 4 (template path missing), 12 (name collision) and the seed's rule
"secret values live in Vault".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from e2e.chart import INLINE_SECRET_VALUES, SECRET_REFS, in_use
from e2e.gitops.model import get_path
from e2e.install import AirflowInstall
from e2e.preflight.context import Context
from e2e.preflight.finding import Finding
from e2e.preflight.registry import rule
from e2e.preflight.templating import NO_VALUE, UNSUPPORTED, parse_problems

EXAMPLE_FILE = "vault/payload.example.yaml"
SECRET_ENV_NAME = re.compile(
    r"PASSWORD|PASSWD|TOKEN|FERNET_KEY|SECRET_KEY|JWT_SECRET|SQL_ALCHEMY_CONN|BROKER_URL|RESULT_BACKEND"
    r"|PRIVATE_KEY|API_KEY|^AIRFLOW_CONN_"
)
SECRET_CONFIG_KEYS = {"fernet_key", "secret_key", "sql_alchemy_conn", "broker_url", "result_backend", "jwt_secret"}


@rule("secret-without-external-secret", "error",
      "a Secret named in the values has no ExternalSecret producing it in the chart's namespace",
      "FAILURES.md 1 and 2; seed \"I use the same pattern for ...\"")
def secret_without_external_secret(ctx: Context) -> list[Finding]:
    out = []
    for aapp in ctx.airflow_apps:
        for need in aapp.secret_needs().values():
            if ctx.es_by_target.get((aapp.namespace, need.name)):
                continue
            if aapp.namespace in ctx.namespaces_fed_from_elsewhere:
                continue  # its ExternalSecrets may be in the other repository: reported as not checked
            others = ctx.other_producers(aapp.namespace, need.name)
            if others:
                out += _other_producer_keys(ctx, aapp, need, others)
                continue
            out.append(ctx.finding(
                file=need.file, line=need.line, obj=aapp.ref,
                message=f"{need.via} names Secret {need.name!r} (keys {', '.join(sorted(need.keys))}), but no "
                        f"ExternalSecret in namespace {aapp.namespace!r} has target.name {need.name!r}, and no "
                        "SealedSecret, Vault Secrets Operator secret or Secret in the repository makes it: "
                        "pods wait in CreateContainerConfigError",
                hint=f"add an ExternalSecret named {need.name} in namespace {aapp.namespace} templating "
                     f"{', '.join(sorted(need.keys))} from the Vault payload; if it is made outside Git, say so "
                     f"with --existing-secret {aapp.namespace}/{need.name}"))
    return out


def _other_producer_keys(ctx: Context, aapp: AirflowInstall, need: Any, others: list[Any]) -> list[Finding]:
    """A Secret made by a SealedSecret or a committed Secret must still carry the keys the chart reads."""
    known = [p for p in others if p.keys is not None]
    if len(known) != len(others):
        return []  # one producer's keys are not known here (Vault Secrets Operator, outside Git): not judged
    out = []
    for producer in known:
        missing = sorted(need.keys - producer.keys)
        if missing:
            out.append(ctx.finding(
                "secret-data-key-missing", file=producer.obj.origin.file, line=producer.obj.origin.line,
                obj=producer.shown,
                message=f"Secret {need.name!r} is read for key(s) {', '.join(missing)} ({need.via}), but this "
                        f"{producer.kind} has only {', '.join(sorted(producer.keys)) or 'no keys'}",
                hint=f"add key(s) {', '.join(missing)} to it"))
    return out


@rule("secret-committed-with-data", "error",
      "a Secret manifest in Git carries real data/stringData values (anyone with the repository has them)",
      "seed \"secret values live in Vault\"")
def secret_committed_with_data(ctx: Context) -> list[Finding]:
    from e2e.gitops.producers import committed_values

    out = []
    for obj in ctx.repo.objects:
        if obj.kind != "Secret" or obj.api_version != "v1":
            continue
        keys = committed_values(obj)
        if keys:
            out.append(ctx.finding(
                file=obj.origin.file, line=obj.origin.line, obj=obj.ref,
                message=f"{', '.join(keys)} hold values committed to Git (base64 is not encryption)",
                hint="move the values to Vault and produce the Secret with an ExternalSecret (or seal it with "
                     "SealedSecrets); rotate what was committed"))
    return out


@rule("secret-data-key-missing", "error",
      "an ExternalSecret does not write the data key the chart (or an env secretKeyRef) reads",
      "FAILURES.md 4; docs/facts.md data keys")
def secret_data_key_missing(ctx: Context) -> list[Finding]:
    out = []
    for _aapp, need, es, produced in _produced(ctx):
        missing = sorted(need.keys - produced)
        if missing:
            out.append(ctx.finding(
                file=es.obj.origin.file, line=template_line(es), obj=es.obj.ref,
                message=f"Secret {need.name!r} is read for key(s) {', '.join(missing)} ({need.via}), but this "
                        f"ExternalSecret writes only {', '.join(sorted(produced)) or 'no keys'}",
                hint=_missing_key_hint(missing, sorted(produced - need.keys))))
    return out


def _missing_key_hint(missing: list[str], unread: list[str]) -> str:
    """When a written key looks like the missing one (fernet_key vs fernet-key), say which to rename."""
    def canon(key: str) -> str:
        return key.replace("_", "").replace("-", "").lower()

    renames = [f"rename {u} to {m}" for m in missing for u in unread if canon(u) == canon(m)]
    if renames:
        return "; ".join(renames) + " in spec.target.template.data"
    return f"write spec.target.template.data key(s) {', '.join(missing)}"


@rule("secret-data-key-unread", "warning",
      "an ExternalSecret writes a data key nothing in the chart reads (usually a misspelt key)",
      "FAILURES.md 4; docs/facts.md data keys")
def secret_data_key_unread(ctx: Context) -> list[Finding]:
    out = []
    for _aapp, need, es, produced in _produced(ctx):
        extra = sorted(produced - need.keys)
        if extra:
            out.append(ctx.finding(
                file=es.obj.origin.file, line=template_line(es), obj=es.obj.ref,
                message=f"writes key(s) {', '.join(extra)} into Secret {need.name!r}, which is read only for "
                        f"{', '.join(sorted(need.keys))} ({need.via})",
                hint="rename the key to the one the chart reads, or remove it"))
    return out


@rule("secret-name-unset", "error",
      "a *SecretName is unset, so the chart generates the Secret itself (new keys on every sync)",
      "FAILURES.md 2; seed \"If Airflow keeps generating new keys\"")
def secret_name_unset(ctx: Context) -> list[Finding]:
    out = []
    for aapp, ref, generated in _chart_generated(ctx):
        file, line = aapp.locate(ref.value_path)
        if ref.generated_how == "built from values":
            severity, why = "warning", "built from the values, so its password would have to be in Git"
        elif ref.generated_how == "pre-install hook":
            severity, why = "error", ("a pre-install hook with a random value: Argo CD runs it as PreSync on "
                                      "every sync, so the value changes each sync")
        else:
            severity, why = "error", ("random on every render: the Application stays OutOfSync and pods "
                                      "roll on every sync")
        out.append(ctx.finding(
            file=file, line=line, obj=aapp.ref, severity=severity,
            message=f"{ref.value_path} is unset (Airflow {aapp.airflow_version}): the chart generates "
                    f"{generated!r}, {why}",
            hint=f"set {ref.value_path} to a Secret produced by an ExternalSecret (data key {ref.data_key})"))
    return out


@rule("eso-target-collides-with-chart-secret", "warning",
      "an ExternalSecret targets the name of a Secret the chart generates because its *SecretName is unset",
      "FAILURES.md 12")
def eso_target_collides(ctx: Context) -> list[Finding]:
    out = []
    for aapp, ref, generated in _chart_generated(ctx):
        for es in ctx.es_by_target.get((aapp.namespace, generated), []):
            out.append(ctx.finding(
                file=es.obj.origin.file, line=es.obj.origin.line,
                obj=es.obj.ref,
                message=f"targets {generated!r}, the Secret the chart also renders while {ref.value_path} "
                        "is unset: two owners, the Secret disappears or flips",
                hint=f"set {ref.value_path}: {generated} in the values so the chart reads it instead"))
    return out


@rule("inline-secret-value", "error",
      "a secret value (password, key, connection string) is written inline in Git values",
      "seed \"secret values live in Vault\"")
def inline_secret_value(ctx: Context) -> list[Finding]:
    out = []
    for aapp in ctx.airflow_apps:
        for path, what in _inline_values(aapp.values):
            file, line = aapp.locate(path.split("[", 1)[0])
            out.append(ctx.finding(
                file=file, line=line, obj=aapp.ref,
                message=f"{path} holds a {what} inline: it is in Git and in every rendered manifest",
                hint="put the value in the Vault payload and reference an ESO-managed Secret "
                     "(a *SecretName, or env valueFrom.secretKeyRef)"))
    return out


@rule("template-path-missing-in-example", "error",
      "an ExternalSecret template reads a payload path that vault/payload.example.yaml does not have",
      "FAILURES.md 4")
def template_path_missing_in_example(ctx: Context) -> list[Finding]:
    text = ctx.example_payload_text
    if text is None:
        return []
    out = []
    for problem in ctx.template_problems(text):
        if problem.missing_path is None:
            continue
        out.append(ctx.finding(
            file=problem.es.obj.origin.file,
            line=template_line(problem.es, problem.key), obj=problem.es.obj.ref,
            message=f"template key {problem.key!r}: {problem.reason} in {EXAMPLE_FILE}"
                    + ("" if problem.kind == NO_VALUE else "; ESO fails with \"map has no entry for key\""),
            hint=f"fix the template path or add it to {EXAMPLE_FILE} (and to the real payload in Vault)"))
    return out


@rule("template-unsupported", "info",
      "an ExternalSecret template uses functions the harness cannot evaluate, so its paths are not checked",
      "FAILURES.md 4")
def template_unsupported(ctx: Context) -> list[Finding]:
    text = ctx.example_payload_text
    if text is None:
        return []
    return [
        ctx.finding(file=p.es.obj.origin.file, line=template_line(p.es, p.key),
                    obj=p.es.obj.ref, message=f"template key {p.key!r}: {p.reason}",
                    hint="keep templates to fromYaml/index paths and simple functions, or check this one by hand")
        for p in ctx.template_problems(text) if p.kind == UNSUPPORTED
    ]


@rule("eso-template-does-not-parse", "error",
      "an ExternalSecret template is not valid Go text/template (unclosed action, bad character, unknown "
      "function): ESO fails that Secret, whatever the payload", "issue 15 item 5; ESO runtime/template/v2")
def eso_template_does_not_parse(ctx: Context) -> list[Finding]:
    return [
        ctx.finding(file=p.es.obj.origin.file, line=template_line(p.es, p.key),
                    obj=p.es.obj.ref, message=f"template key {p.key!r}: {p.reason}; ESO reports \"unable to "
                    "parse template\" and never writes the Secret",
                    hint="close every {{ ... }} action; quote keys with dashes as index (fromYaml .config) "
                         "\"a-b\"; use only functions ESO registers (Sprig without env/expandenv)")
        for p in parse_problems(ctx.repo.external_secrets)
    ]


def _produced(ctx: Context) -> Iterator[tuple[AirflowInstall, Any, Any, set[str]]]:
    for aapp in ctx.airflow_apps:
        for need in aapp.secret_needs().values():
            for es in ctx.es_by_target.get((aapp.namespace, need.name), []):
                produced = es.written_keys
                if produced is not None:
                    yield aapp, need, es, produced


def _chart_generated(ctx: Context) -> Iterator[tuple[AirflowInstall, Any, str]]:
    """(app, ref, Secret name) for each Secret the chart generates itself because its *SecretName is unset."""
    for aapp in ctx.airflow_apps:
        for ref in SECRET_REFS:
            if not ref.chart_generates or not in_use(ref, aapp.values, aapp.airflow_version):
                continue
            if _is_set(get_path(aapp.values, ref.value_path)):
                continue
            yield aapp, ref, ref.chart_generates.format(release=aapp.release)


def template_line(es: Any, key: str | None = None) -> int:
    """The line of template data `key` of an ExternalSecret (of the template data, else of its target)."""
    data = get_path(es.obj.body, "spec.target.template.data")
    if isinstance(data, dict) and hasattr(data, "line_of"):
        return data.line_of(key) if key is not None else data.line
    target = get_path(es.obj.body, "spec.target")
    return getattr(target, "line", None) or es.obj.origin.line


def _is_set(value: Any) -> bool:
    return value is not None and value != ""


def _inline_values(values: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for path, what in INLINE_SECRET_VALUES.items():
        if what and _is_set(get_path(values, path)) and not isinstance(get_path(values, path), dict | list):
            yield path, what
    yield from _inline_env(values, "")
    config = values.get("config")
    if isinstance(config, dict):
        for section, body in config.items():
            if isinstance(body, dict):
                for key, value in body.items():
                    if str(key).lower() in SECRET_CONFIG_KEYS and isinstance(value, str) and value \
                            and "{{" not in value:
                        yield f"config.{section}.{key}", f"Airflow config {key}"
    extra = values.get("extraSecrets")
    if isinstance(extra, dict):
        for name, body in extra.items():
            if isinstance(body, dict) and (body.get("data") or body.get("stringData")):
                yield f"extraSecrets.{name}", "Secret body (extraSecrets)"


def _inline_env(node: Any, prefix: str) -> Iterator[tuple[str, str]]:
    """`env` lists anywhere in the values whose entries carry a secret-looking name with a literal value."""
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key == "env" and isinstance(value, list):
                for index, entry in enumerate(value):
                    if _secret_env_literal(entry):
                        yield f"{path}[{index}]", f"env value for {entry['name']}"
            elif isinstance(value, dict):
                yield from _inline_env(value, path)


def _secret_env_literal(entry: Any) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        return False
    name = entry["name"].upper()
    if name.endswith("_CMD") or not SECRET_ENV_NAME.search(name):
        return False
    if name.endswith("_SECRET") and SECRET_ENV_NAME.search(name[: -len("_SECRET")]):
        return False  # Airflow's `<option>_SECRET` form names a secrets-backend key, not a value
    value = entry.get("value")
    return isinstance(value, str | int | float) and str(value) != "" and "{{" not in str(value)
