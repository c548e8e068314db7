"""What an Airflow chart Application needs from Kubernetes Secrets, read from its values.

Why one place: the "missing ExternalSecret" and "wrong data key" rules must agree on the same list: every
`*SecretName` the chart reads (e2e/chart.py SECRET_REFS, by Airflow major) plus every `secretKeyRef` the
values pass to pods through `env` lists (the default-user Secret reaches the create-user Job that way).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from e2e.chart import SECRET_REFS, in_use
from e2e.gitops.model import get_path
from e2e.preflight.context import AirflowApp, Context

ENV_LISTS = ("env", "createUserJob.env", "migrateDatabaseJob.env")


@dataclass
class SecretNeed:
    name: str
    keys: set[str] = field(default_factory=set)
    file: str = ""
    line: int | None = None
    via: str = ""  # the value path that names it
    chart_key: str | None = None  # set when a *SecretName value names it (the chart reads exactly this key)


def secret_needs(ctx: Context, aapp: AirflowApp) -> dict[str, SecretNeed]:
    needs: dict[str, SecretNeed] = {}
    for ref in SECRET_REFS:
        name = get_path(aapp.values, ref.value_path)
        if not isinstance(name, str) or not name or not in_use(ref, aapp.values, aapp.airflow_version):
            continue
        file, line = ctx.locate_value(aapp, ref.value_path)
        need = needs.setdefault(name, SecretNeed(name, file=file, line=line, via=ref.value_path))
        need.keys.add(ref.data_key)
        need.chart_key = ref.data_key
    for list_path in ENV_LISTS:
        entries = get_path(aapp.values, list_path)
        if not isinstance(entries, list):
            continue
        file, _ = ctx.locate_value(aapp, list_path)
        for index, entry in enumerate(entries):
            ref = _secret_key_ref(entry)
            if ref is None:
                continue
            name, key = ref
            need = needs.setdefault(name, SecretNeed(name, file=file, line=getattr(entry, "line", None),
                                                     via=f"{list_path}[{index}]"))
            need.keys.add(key)
    return needs


def _secret_key_ref(entry: Any) -> tuple[str, str] | None:
    if not isinstance(entry, dict):
        return None
    ref = get_path(entry, "valueFrom.secretKeyRef")
    if not isinstance(ref, dict) or ref.get("optional") is True:
        return None
    name, key = ref.get("name"), ref.get("key")
    return (name, key) if isinstance(name, str) and isinstance(key, str) and name and key else None


def produced_keys(es: Any) -> set[str] | None:
    """The data keys an ExternalSecret writes, or None when it cannot be known statically (dataFrom...)."""
    template = get_path(es.obj.body, "spec.target.template")
    if isinstance(template, dict) and template.get("templateFrom"):
        return None
    if es.template_data:
        merge = template.get("mergePolicy") if isinstance(template, dict) else None
        keys = set(es.template_data)
        if merge == "Merge":
            keys |= {str(d.get("secretKey")) for d in es.data if d.get("secretKey")}
        return keys if not (merge == "Merge" and es.data_from) else None
    if es.data_from:
        return None
    return {str(d.get("secretKey")) for d in es.data if d.get("secretKey")}
