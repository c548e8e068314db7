"""ExternalSecret settings that decide whether a Vault change ever reaches the cluster (FAILURES.md 5, 13)."""

from __future__ import annotations

import re
from typing import Any

from e2e.gitops.model import get_path
from e2e.preflight.context import Context
from e2e.preflight.finding import Finding
from e2e.preflight.registry import rule

_DURATION = re.compile(r"^(?:(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$")
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
NEVER_POLICIES = {"CreatedOnce", "OnChange"}

# Fields the ESO API server defaults: written or not, Argo CD compares them (FAILURES.md 13).
TARGET_DEFAULTS = {"creationPolicy": "Owner", "deletionPolicy": "Retain"}
TEMPLATE_DEFAULTS = {"engineVersion": "v2", "mergePolicy": "Replace"}
REMOTE_REF_DEFAULTS = {"conversionStrategy": "Default", "decodingStrategy": "None", "metadataPolicy": "None"}


def is_zero_duration(text: str) -> bool:
    """Go's time.ParseDuration zero: "0", "0s", "0m0s"... (an unparsable value is not zero)."""
    value = text.strip()
    if value in ("0", "+0", "-0"):
        return True
    if not _DURATION.match(value):
        return False
    return all(float(num) == 0 for num, _unit in _PART.findall(value))


@rule("eso-refresh-never", "error",
      "an ExternalSecret never refreshes (refreshInterval 0, or refreshPolicy CreatedOnce/OnChange)",
      "FAILURES.md 5 (a fixed Vault value never reaches the pods)")
def eso_refresh_never(ctx: Context) -> list[Finding]:
    out = []
    for es in ctx.repo.external_secrets:
        spec = es.obj.body.get("spec") or {}
        policy = spec.get("refreshPolicy") if isinstance(spec, dict) else None
        policy = policy if isinstance(policy, str) else None
        zero = es.refresh_interval is not None and is_zero_duration(es.refresh_interval)
        if not zero and policy not in NEVER_POLICIES:
            continue
        if generates_only(es):
            continue  # a generator (Password, Fernet...) refreshed never = generated once: what is wanted
        what = f"refreshInterval {es.refresh_interval}" if zero else f"refreshPolicy {policy}"
        out.append(ctx.finding(
            file=es.obj.origin.file, line=_line(spec, "refreshInterval" if zero else
                                                                      "refreshPolicy", es.obj.origin.line),
            obj=es.obj.ref,
            message=f"{what}: ESO reads Vault once and never again, so a fixed or rotated value never arrives",
            hint="set a refreshInterval such as 2m (and refreshPolicy Periodic, the default)"))
    return out


@rule("eso-defaulted-fields-missing", "info",
      "an ExternalSecret leaves out fields the API server defaults, which Argo CD may show as a permanent diff",
      "FAILURES.md 13")
def eso_defaulted_fields_missing(ctx: Context) -> list[Finding]:
    out = []
    for es in ctx.repo.external_secrets:
        missing = _missing_defaults(es.obj.body)
        if not missing:
            continue
        out.append(ctx.finding(
            file=es.obj.origin.file, line=es.obj.origin.line, obj=es.obj.ref,
            message=f"defaulted field(s) not written: {', '.join(missing)}; if Argo CD shows the ExternalSecret "
                    "OutOfSync while Healthy, this is why",
            hint="write the defaults explicitly (" + ", ".join(
                f"{k}: {v}" for k, v in {**TARGET_DEFAULTS, **TEMPLATE_DEFAULTS, **REMOTE_REF_DEFAULTS}.items())
                 + ") or add ignoreDifferences for them"))
    return out


def generates_only(es: Any) -> bool:
    """Every source of this ExternalSecret is an ESO generator (dataFrom[].sourceRef.generatorRef), none a store."""
    if es.data or not es.data_from:
        return False
    return all(isinstance(get_path(d, "sourceRef.generatorRef"), dict) for d in es.data_from)


def _missing_defaults(body: dict[str, Any]) -> list[str]:
    missing = []
    target = get_path(body, "spec.target")
    target = target if isinstance(target, dict) else {}
    missing += [f"target.{k}" for k in TARGET_DEFAULTS if k not in target]
    template = target.get("template")
    if isinstance(template, dict):
        missing += [f"target.template.{k}" for k in TEMPLATE_DEFAULTS if k not in template]
    data = get_path(body, "spec.data")
    for index, item in enumerate(data if isinstance(data, list) else []):
        remote = item.get("remoteRef") if isinstance(item, dict) else None
        if isinstance(remote, dict):
            missing += [f"data[{index}].remoteRef.{k}" for k in REMOTE_REF_DEFAULTS if k not in remote]
    return missing


def _line(mapping: Any, key: str, default: int) -> int:
    return mapping.line_of(key) if hasattr(mapping, "line_of") and key in mapping else default
