"""FAILURES.md 8: Vault restarted in dev mode (or sealed): it comes back empty with a new CA, ESO cannot read;
re-seeding and handing ESO the new CA recovers without losing a Secret."""

from __future__ import annotations

from e2e.scenarios import convergence as conv
from e2e.scenarios import symptoms as sym
from e2e.scenarios.failures.common import Parts, sees
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import AllOf, Check, Scenario
from e2e.scenarios.steps import ForceSync, ReseedVault, RestartVault

# ESO cannot read (403, sealed, new CA): ExternalSecrets or the store report it
secrets_unreadable = sees(lambda obs: sym.external_secrets_condition(obs, "False", "SecretSyncedError")
                          + sym.store_condition(obs, "False"), "ESO still reads Vault")


def scenario(lay: Layout, upgrade_to: str) -> Scenario:
    p = Parts(lay)
    return Scenario(
        name="vault-restarted", entry=8, title="Vault restarted (dev mode) or sealed",
        reproduces="Delete the Vault pod: dev mode comes back empty, with a new CA.",
        break_=(RestartVault(lay.vault_namespace), ForceSync()),
        symptom=Check("ExternalSecrets SecretSyncedError or the store not Ready", secrets_unreadable),
        symptom_within=180,
        recovery=(ReseedVault(), ForceSync()),
        converged=AllOf((conv.store_ready(), conv.es_synced(), p.pods_ready)),
        converge_within=300,
        invariants=p.nothing_lost(),
        sources=("hashicorp/vault#12004", "external-secrets#2691", "external-secrets#5259"),
        notes="Runtime only: no file shows it, so no preflight counterpart.",
    )
