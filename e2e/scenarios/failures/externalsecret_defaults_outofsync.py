"""FAILURES.md 13: an ExternalSecret forever OutOfSync: fields ESO defaults (conversionStrategy,
decodingStrategy, metadataPolicy) left unwritten are a diff Argo CD can never sync away."""

from __future__ import annotations

from e2e.application_status import status_of
from e2e.judgement import Judgement, ok, pending
from e2e.observe.snapshot import Snapshot
from e2e.preflight.rules import eso as eso_rules
from e2e.scenarios import convergence as conv
from e2e.scenarios.failures.common import Parts, preflight
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import AllOf, Check, Memory, Predicate, Scenario
from e2e.scenarios.steps import GitCommit, RestoreFiles
from e2e.scenarios.transforms import DELETE, EditObject

ESO_DEFAULTED = ("conversionStrategy", "decodingStrategy", "metadataPolicy")


def synced_yet_out_of_sync(app_name: str) -> Predicate:
    """The last sync of the CURRENT revision succeeded, and the app is still OutOfSync (and Healthy): a
    permanent diff, not the moment between a commit and its sync."""
    def predicate(obs: Snapshot, _m: Memory) -> Judgement:
        status = (obs.application(app_name) or {}).get("status") or {}
        app = status_of(app_name, obs.application(app_name))
        sync, health = app.sync, app.health
        op = status.get("operationState") or {}
        synced_rev = (op.get("syncResult") or {}).get("revision")
        current = (status.get("sync") or {}).get("revision")
        if (sync, health) == ("OutOfSync", "Healthy") and op.get("phase") == "Succeeded" and synced_rev == current:
            return ok(f"Application {app_name} synced revision {str(current)[:12]} and is still OutOfSync/Healthy")
        return pending(f"Application {app_name} {sync}/{health}, last sync {op.get('phase', 'none')} of "
                       f"{str(synced_rev)[:12]} (current {str(current)[:12]})")

    return predicate


COUNTERPARTS = (preflight(eso_rules.eso_defaulted_fields_missing),)


def scenario(lay: Layout, upgrade_to: str) -> Scenario:
    p, secrets_app = Parts(lay), lay.need("secrets_app_name")
    return Scenario(
        name="externalsecret-defaults-outofsync", entry=13, title="ExternalSecret forever OutOfSync",
        reproduces="Leave conversionStrategy, decodingStrategy and metadataPolicy unwritten in one "
                   "ExternalSecret: ESO defaults them, Argo CD sees a diff it can never sync away.",
        break_=(GitCommit("external-secrets: leave ESO's defaults unwritten", tuple(
            EditObject(lay.need("external_secrets"), "ExternalSecret", lay.need("fernet_external_secret"),
                       ("spec", "data", "0", "remoteRef", field), DELETE) for field in ESO_DEFAULTED),
            refresh=(secrets_app,)),),
        symptom=Check(f"{secrets_app} synced to the current revision and still OutOfSync/Healthy",
                      synced_yet_out_of_sync(secrets_app)),
        symptom_within=300,
        recovery=(RestoreFiles("external-secrets: write ESO's defaults", refresh=(secrets_app,)),),
        converged=AllOf((conv.apps_synced(secrets_app), p.pods_ready)),
        converge_within=300,
        invariants=p.nothing_lost(),
        counterparts=COUNTERPARTS,
        sources=("external-secrets#6398", "argo-cd#13004"),
        notes="Whether the diff shows depends on Argo CD's diff mode (server-side diff hides defaulted "
              "fields): a run that never goes OutOfSync is itself a finding about that install.",
    )
