"""Evaluate ExternalSecret templates against a payload text, as ESO would, to find what breaks.

Why: ESO fails a template whose path is missing (`map has no entry for key`, FAILURES.md 4), one Go cannot
parse, or one whose payload Go's YAML cannot read; and it writes the text `<no value>` (Ready=True) where
`index` misses a key. Only data that reads the Vault property holding the whole payload can be evaluated;
other data is left alone. Results are memoised per template, so a thousand identical ExternalSecrets cost one
evaluation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from e2e.gitops.model import ExternalSecret
from e2e.gitops.templates import (
    TemplateExecError,
    TemplateKeyMissing,
    TemplateParseError,
    TemplatePayloadNotYaml,
    TemplateUnsupported,
    evaluate,
    parse,
)
from e2e.install import DEFAULT_PAYLOAD_PROPERTY as PAYLOAD_PROPERTY

MISSING, NO_VALUE, PARSE, EXEC, NOT_YAML, UNSUPPORTED = "missing", "no-value", "parse", "exec", "not-yaml", \
    "unsupported"


@dataclass(frozen=True)
class TemplateProblem:
    es: ExternalSecret
    key: str  # the template data key
    missing_path: str | None  # payload path that does not exist (None: another kind of problem)
    reason: str  # names a path or a function, never a value
    kind: str = UNSUPPORTED  # one of MISSING, NO_VALUE, PARSE, EXEC, NOT_YAML, UNSUPPORTED


def payload_secret_keys(es: ExternalSecret, prop: str = PAYLOAD_PROPERTY) -> list[str] | None:
    """secretKeys that receive the whole payload (Vault property `prop`), or None when some data reads
    something else."""
    keys = []
    for item in es.data:
        remote = item.get("remoteRef")
        if not isinstance(remote, dict) or remote.get("property") != prop:
            return None
        if isinstance(item.get("secretKey"), str):
            keys.append(item["secretKey"])
    return keys or None


def parse_problems(external_secrets: list[ExternalSecret]) -> Iterator[TemplateProblem]:
    """Templates Go's text/template would not parse, in every ExternalSecret (no payload needed)."""
    for es in external_secrets:
        for data_key, template in es.template_data.items():
            if not isinstance(template, str):
                continue
            try:
                parse(template, data_key)
            except TemplateParseError as exc:
                yield TemplateProblem(es, data_key, None, str(exc), PARSE)
            except TemplateUnsupported:
                continue


def template_problems(external_secrets: list[ExternalSecret], payload_text: str,
                      prop: str = PAYLOAD_PROPERTY) -> Iterator[TemplateProblem]:
    memo: dict[tuple[str, str, tuple[str, ...]], list[tuple[str | None, str, str]]] = {}
    for es in external_secrets:
        keys = payload_secret_keys(es, prop)
        if not keys or not es.template_data:
            continue
        context = {k: payload_text for k in keys}
        for data_key, template in es.template_data.items():
            memo_key = (template, data_key, tuple(keys))
            if memo_key not in memo:
                memo[memo_key] = _evaluate(str(template), context, data_key)
            for missing, reason, kind in memo[memo_key]:
                yield TemplateProblem(es, data_key, missing, reason, kind)


def _evaluate(template: str, context: dict[str, str], name: str) -> list[tuple[str | None, str, str]]:
    try:
        rendering = evaluate(template, context, name)
    except TemplateKeyMissing as exc:
        path = ".".join(exc.path)
        return [(path, f"payload path {path!r} does not exist", MISSING)]
    except TemplateParseError as exc:
        return [(None, f"Go cannot parse this template ({exc})", PARSE)]
    except TemplatePayloadNotYaml as exc:
        return [(None, str(exc), NOT_YAML)]
    except TemplateExecError as exc:
        return [(None, f"ESO fails to execute this template: {exc}", EXEC)]
    except Exception as exc:  # TemplateUnsupported, or a function failing on the text
        return [(None, f"the harness cannot evaluate this template ({type(exc).__name__}: {exc})", UNSUPPORTED)]
    return [(path, f"payload path {path!r} does not exist: ESO does not fail, it writes the text <no value>",
             NO_VALUE) for path in rendering.no_value_paths]
