"""The scenarios: one per reported failure (FAILURES.md), each in its own module of e2e/scenarios/failures/,
built for a repository's Layout.

Why a function of the layout: the same scenario runs against the reference repository and a team's own;
only the paths and names differ, and every one of them is read from the repository's AirflowInstall. A
scenario that needs something the repository lacks (no argocd-cm, no secrets Application) is refused by
name with the reason, and the others still build.
"""

from __future__ import annotations

from types import ModuleType

from e2e import versions
from e2e.scenarios.failures import (
    bad_fernet_key,
    broker_password_mismatch,
    chart_generated_keys,
    chart_upgrade,
    externalsecret_defaults_outofsync,
    gitsync_key_no_newline,
    gitsync_wrong_host_key,
    kv2_policy_without_data,
    migrations_never_run,
    secret_pruned_with_owner,
    secrets_after_pods,
    template_key_missing,
    userjob_broken_connection,
    values_in_directory_source,
    vault_restarted,
    waves_without_parent,
)
from e2e.scenarios.layout import Layout, NotInRepository
from e2e.scenarios.model import Scenario

FAILURES: tuple[ModuleType, ...] = (  # in FAILURES.md order
    secrets_after_pods, chart_generated_keys, kv2_policy_without_data, template_key_missing,
    gitsync_wrong_host_key, gitsync_key_no_newline, userjob_broken_connection, waves_without_parent,
    vault_restarted, broker_password_mismatch, bad_fernet_key, chart_upgrade, externalsecret_defaults_outofsync,
    migrations_never_run, secret_pruned_with_owner, values_in_directory_source,
)


def name_of(module: ModuleType) -> str:
    """A scenario's name is its module's: `secrets_after_pods` -> `secrets-after-pods`."""
    return module.__name__.rsplit(".", 1)[-1].replace("_", "-")


NAMES: tuple[str, ...] = tuple(name_of(m) for m in FAILURES)


def build(layout: Layout, *, upgrade_to: str = versions.LATEST_CHART) -> tuple[dict[str, Scenario], dict[str, str]]:
    """(scenarios by name, refusals by name: why that scenario cannot be built for this repository)."""
    built: dict[str, Scenario] = {}
    refused: dict[str, str] = {}
    for module in FAILURES:
        try:
            built[name_of(module)] = module.scenario(layout, upgrade_to)
        except NotInRepository as exc:
            refused[name_of(module)] = str(exc)
    return built, refused
