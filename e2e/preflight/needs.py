"""What an Airflow chart Application needs from Kubernetes Secrets, read from its values.

Why one place: the "missing ExternalSecret" and "wrong data key" rules must agree on the same list: every
`*SecretName` the chart reads (e2e/chart.py SECRET_REFS, by Airflow major) plus every `secretKeyRef` the
values pass to pods through `env` lists (the default-user Secret reaches the create-user Job that way).
"""

from __future__ import annotations

from typing import Any

from e2e.gitops.model import get_path
from e2e.install import SecretNeed, secret_key_ref
from e2e.preflight.context import AirflowApp, Context

__all__ = ["SecretNeed", "produced_keys", "secret_key_ref", "secret_needs"]


def secret_needs(ctx: Context, aapp: AirflowApp) -> dict[str, SecretNeed]:
    """The install's own answer (AirflowInstall.secret_needs), shared by every Secret rule."""
    return aapp.secret_needs()


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
