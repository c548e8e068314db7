"""Evaluate ExternalSecret templates against a payload text, to find the payload paths they need.

Why: ESO fails a template whose path is missing (`map has no entry for key`, FAILURES.md 4). Only data that
reads the Vault property holding the whole payload can be evaluated; other data is left alone. Results are
memoised per template, so a thousand identical ExternalSecrets cost one evaluation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from e2e.gitops.model import ExternalSecret
from e2e.gitops.templates import TemplateKeyMissing, render
from e2e.preflight.context import PAYLOAD_PROPERTY


@dataclass(frozen=True)
class TemplateProblem:
    es: ExternalSecret
    key: str  # the template data key
    missing_path: str | None  # payload path that does not exist (None: could not be evaluated)
    reason: str  # names a path or a function, never a value


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


def template_problems(external_secrets: list[ExternalSecret], payload_text: str,
                      prop: str = PAYLOAD_PROPERTY) -> Iterator[TemplateProblem]:
    memo: dict[tuple[str, tuple[str, ...]], tuple[str | None, str] | None] = {}
    for es in external_secrets:
        keys = payload_secret_keys(es, prop)
        if not keys or not es.template_data:
            continue
        context = {k: payload_text for k in keys}
        for data_key, template in es.template_data.items():
            memo_key = (template, tuple(keys))
            if memo_key not in memo:
                memo[memo_key] = _evaluate(template, context)
            problem = memo[memo_key]
            if problem is not None:
                yield TemplateProblem(es, data_key, problem[0], problem[1])


def _evaluate(template: str, context: dict[str, str]) -> tuple[str | None, str] | None:
    try:
        render(template, context)
    except TemplateKeyMissing as exc:
        path = ".".join(exc.path)
        return path, f"payload path {path!r} does not exist"
    except Exception as exc:  # TemplateUnsupported, or a function failing on the text (b64dec...)
        return None, f"the harness cannot evaluate this template ({type(exc).__name__})"
    return None
