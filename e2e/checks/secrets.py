"""Materialisation: the nine Secrets exist, are owned by their ExternalSecrets, carry exactly the keys the
chart reads, hold exactly the bytes the Vault payload yields, and the chart made none of its own.

Why byte-equal: a trailing newline lost from the SSH key, or a password URL-encoded twice, passes every
"exists" check and breaks git-sync or the database login later. The expected bytes come from rendering the
repository's own ExternalSecret templates against the payload (e2e.gitops.templates.render), the same
evaluation ESO does. Evidence names keys and lengths; it never shows a value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from e2e import chart
from e2e import payload as payload_mod
from e2e.checks.expect import Expectations
from e2e.checks.verdict import Verdict
from e2e.gitops.model import ExternalSecret
from e2e.gitops.templates import TemplateError, render_target_data
from e2e.gitops.yamlio import plain
from e2e.install import DEFAULT_PAYLOAD_KEY, DEFAULT_PAYLOAD_PROPERTY
from e2e.judgement import Judgement, failed, ok
from e2e.observe.snapshot import Snapshot, secret_bytes


def vault_view(payload: Mapping[str, Any], key: str = DEFAULT_PAYLOAD_KEY,
               prop: str = DEFAULT_PAYLOAD_PROPERTY) -> dict[str, dict[str, str]]:
    """What ESO reads from Vault: remote key -> properties. The payload is stored as one YAML text under one
    property (`vault kv put secret/airflow/config config=@file`); a repository names both
    (`e2e.install.payload_location`)."""
    return {key: {prop: payload_mod.dumps(plain(payload))}}


def expected_data(es: ExternalSecret, vault: Mapping[str, Mapping[str, str]]) -> dict[str, bytes]:
    """The bytes ESO writes for one ExternalSecret: each template rendered against its `data[]` values."""
    context: dict[str, Any] = {}
    for item in es.data:
        ref = item.get("remoteRef") or {}
        props = vault.get(str(ref.get("key")))
        if props is None:
            raise TemplateError(f"remote key {ref.get('key')!r} is not in the Vault view")
        prop = ref.get("property")
        context[str(item.get("secretKey"))] = props[prop] if prop else json.dumps(props)
    return {key: str(value).encode() for key, value in render_target_data(es.template_data, context).items()}


def compare_bytes(expected: bytes, actual: bytes | None) -> str:
    """"equal (N bytes)" / "differs (len a vs b) at byte i" / "absent": never the bytes themselves."""
    if actual is None:
        return "absent"
    if expected == actual:
        return f"equal ({len(actual)} bytes)"
    first = next((i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b),
                 min(len(expected), len(actual)))
    return f"differs (len {len(expected)} expected vs {len(actual)} actual, first difference at byte {first})"


def _owner(secret: dict[str, Any]) -> dict[str, Any] | None:
    refs = (secret.get("metadata") or {}).get("ownerReferences") or []
    return next((r for r in refs if r.get("controller")), None)


def _each_secret(name: str, snapshot: Snapshot, exp: Expectations,
                 judge: Callable[[ExternalSecret, dict[str, Any]], list[tuple[bool, str]]],
                 missing: Callable[[ExternalSecret], str] = lambda es: ": missing") -> Verdict:
    """A Verdict over the Secret of each ExternalSecret: a missing Secret fails, the rest is `judge`'s
    (ok, evidence) pairs; evidence follows the Secret's name (": ..." or "/key: ...")."""
    ok, evidence = True, []
    for es in exp.external_secrets:
        secret = snapshot.get("Secret", es.target_name, exp.namespace)
        lines = [(False, missing(es))] if secret is None else judge(es, secret)
        ok = ok and all(good for good, _ in lines)
        evidence += [f"{es.target_name}{line}" for _, line in lines]
    return Verdict(name, ok, evidence)


def secrets_owned_by_external_secrets(snapshot: Snapshot, exp: Expectations) -> Verdict:
    def judge(es: ExternalSecret, secret: dict[str, Any]) -> list[tuple[bool, str]]:
        owner = _owner(secret)
        if owner and owner.get("kind") == "ExternalSecret" and owner.get("name") == es.name:
            return [(True, f": owned by ExternalSecret/{es.name} (controller)")]
        found = f"{owner.get('kind')}/{owner.get('name')}" if owner else "no controller ownerReference"
        return [(False, f": not owned by ExternalSecret/{es.name} (creationPolicy {es.creation_policy}); "
                        f"found {found}")]

    return _each_secret(f"each of the {len(exp.external_secrets)} Secrets exists, owned by its ExternalSecret",
                        snapshot, exp, judge)


def secrets_have_chart_keys(snapshot: Snapshot, exp: Expectations) -> Verdict:
    def wanted(es: ExternalSecret) -> set[str]:
        return set(exp.required_keys.get(es.target_name) or es.template_data)

    def judge(es: ExternalSecret, secret: dict[str, Any]) -> list[tuple[bool, str]]:
        want, have = wanted(es), set((secret.get("data") or {}).keys())
        if have == want:
            return [(True, ": " + ", ".join(sorted(have)))]
        parts = [f"{label} {', '.join(sorted(keys))}" for label, keys in
                 (("missing", want - have), ("unexpected", have - want)) if keys]
        return [(False, ": " + "; ".join(parts))]

    return _each_secret("each Secret carries exactly the data keys the chart reads", snapshot, exp, judge,
                        missing=lambda es: f": missing (wants {', '.join(sorted(wanted(es)))})")


def secrets_match_vault(snapshot: Snapshot, exp: Expectations, vault: Mapping[str, Mapping[str, str]]) -> Verdict:
    def judge(es: ExternalSecret, secret: dict[str, Any]) -> list[tuple[bool, str]]:
        try:
            expected = expected_data(es, vault)
        except TemplateError as exc:  # the message names paths, never values
            return [(False, f": cannot compute the expected value: {exc}")]
        verdicts = [(key, compare_bytes(want, secret_bytes(secret, key))) for key, want in sorted(expected.items())]
        return [(verdict.startswith("equal"), f"/{key}: {verdict}") for key, verdict in verdicts]

    return _each_secret("each Secret value is byte-equal to what the Vault payload yields", snapshot, exp, judge)


def _chart_made(secret: dict[str, Any]) -> str | None:
    meta = secret.get("metadata") or {}
    labels, annotations = meta.get("labels") or {}, meta.get("annotations") or {}
    if annotations.get("helm.sh/hook"):
        return f"helm hook {annotations['helm.sh/hook']}"
    if labels.get("heritage") == "Helm" or str(labels.get("chart", "")).startswith("airflow-"):
        return f"chart labels (chart={labels.get('chart')}, heritage={labels.get('heritage')})"
    owner = _owner(secret)
    if not owner or owner.get("kind") != "ExternalSecret":
        return "not owned by an ExternalSecret"
    return None


def no_chart_made_secrets(snapshot: Snapshot, exp: Expectations) -> Verdict:
    name = "no chart-generated Secret replaces an ESO-managed one"
    ok, evidence = True, []
    for secret_name, purpose in sorted(exp.chart_generated.items()):
        secret = snapshot.get("Secret", secret_name, exp.namespace)
        if secret is None:
            evidence.append(f"{secret_name} ({purpose}): absent")
            continue
        why = _chart_made(secret)
        if why:
            ok = False
            evidence.append(f"{secret_name} ({purpose}): made by the chart: {why}")
        else:
            evidence.append(f"{secret_name} ({purpose}): present, owned by an ExternalSecret (not the chart)")
    for secret in snapshot.of("Secret"):
        meta = secret.get("metadata") or {}
        if meta.get("name") in exp.chart_generated or meta.get("namespace") not in (exp.namespace, None):
            continue
        labels = meta.get("labels") or {}
        if labels.get("release") == exp.release and labels.get("heritage") == "Helm":
            evidence.append(f"note: {meta.get('name')} is another chart-made Secret")
    return Verdict(name, ok, evidence)


FERNET_KEY = next(r.data_key for r in chart.SECRET_REFS if r.value_path == "fernetKeySecretName")  # "fernet-key"


def fernet_key_kept(before: dict[str, Any] | None, after: dict[str, Any] | None, secret: str, *,
                    tolerate_absent: bool = False) -> Judgement:
    """THE "fernet key unchanged" judgement: `secret`'s fernet key holds the bytes it held before (data encrypted
    before stays readable); a re-created Secret is reported, not judged. Other keys of the Secret are not the
    fernet key. `tolerate_absent`: an absent Secret is ok for now (a scenario waiting for the recovery);
    otherwise absence fails (a check; a scenario's end)."""
    if before is None:
        return failed(f"{secret}: absent before")
    was = secret_bytes(before, FERNET_KEY)
    if was is None:
        return failed(f"{secret}: no {FERNET_KEY} before: nothing to compare with")
    if after is None:
        return ok(f"{secret}: absent for now") if tolerate_absent else failed(f"{secret}: absent after")
    uid_a, uid_b = (before.get("metadata") or {}).get("uid"), (after.get("metadata") or {}).get("uid")
    how = "same object (uid unchanged)" if uid_a == uid_b else f"re-created (uid {uid_a} -> {uid_b})"
    verdict = compare_bytes(was, secret_bytes(after, FERNET_KEY)).replace("expected", "before").replace("actual",
                                                                                                         "after")
    if verdict.startswith("equal"):
        return ok(f"{secret}/{FERNET_KEY} unchanged: {verdict}", how)
    return failed(f"{secret}/{FERNET_KEY} changed: {verdict}: data encrypted before is unreadable", how)


def fernet_key_unchanged(before: Snapshot, after: Snapshot, exp: Expectations) -> Verdict:
    """Across a second sync (or an upgrade) the fernet key must stay the same bytes; absence fails."""
    secret = exp.fernet_secret
    judged = fernet_key_kept(before.get("Secret", secret, exp.namespace), after.get("Secret", secret, exp.namespace),
                             secret)
    return Verdict(f"the fernet key ({secret}) is unchanged after another sync", judged.ok, list(judged.evidence))
