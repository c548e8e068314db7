"""FAILURES.md 15: a Secret pruned with its owner: deleting the secrets Application deletes its
ExternalSecrets and (creationPolicy: Owner) their Secrets; the parent re-creates both."""

from __future__ import annotations

from e2e.judgement import Judgement, seen
from e2e.observe.snapshot import Snapshot
from e2e.scenarios import convergence as conv
from e2e.scenarios import invariants as inv
from e2e.scenarios.failures.common import Parts
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import AllOf, Check, Memory, Scenario
from e2e.scenarios.steps import DeleteApplication, Note


def secrets_vanished(obs: Snapshot, memory: Memory) -> Judgement:
    """Secrets gone with their owner, or already back with a new uid (they vanished in between)."""
    gone, again = inv.lost_and_replaced(obs, memory)
    return seen([f"Secret {n} absent" for n in gone] + [f"Secret {n} re-created (uid changed)" for n in again],
                "every Secret still the one from before the break")


def scenario(lay: Layout, upgrade_to: str) -> Scenario:
    p, secrets_app = Parts(lay), lay.need("secrets_app_name")
    return Scenario(
        name="secret-pruned-with-owner", entry=15, title="Secret pruned with its owner",
        reproduces="Delete the secrets Application with its resources; the parent re-creates it.",
        break_=(DeleteApplication(secrets_app, lay.argocd_namespace),),
        symptom=Check("the Secrets vanish with their ExternalSecrets (creationPolicy: Owner)", secrets_vanished),
        symptom_within=300,
        recovery=(Note(f"nothing by hand: the parent re-creates {secrets_app} and ESO the Secrets"),),
        converged=AllOf((conv.apps_synced(secrets_app, lay.chart_app), conv.es_synced(),
                         conv.secrets_exist(lay.secrets), p.pods_ready)),
        converge_within=600,
        invariants=(p.fernet_kept("end"), p.keep_running, p.keep_admin),
        sources=("FAILURES.md 15",),
    )
