"""FAILURES.md 3: a KV v2 read policy without `data/`. Every ExternalSecret is denied (403) while the store
still validates: login works, only reads fail."""

from __future__ import annotations

from e2e.judgement import Judgement, ok, pending
from e2e.observe.snapshot import Snapshot
from e2e.preflight.rules import vault as vault_rules
from e2e.scenarios import convergence as conv
from e2e.scenarios import messages as msg
from e2e.scenarios import symptoms as sym
from e2e.scenarios.failures.common import Parts, preflight, sees
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import AllOf, Check, Memory, Scenario
from e2e.scenarios.steps import ForceSync, GitCommit, RestoreFiles, VaultPolicyFromRepo
from e2e.scenarios.transforms import ReplaceText


def every_external_secret_denied(obs: Snapshot, _m: Memory) -> Judgement:
    """EVERY ExternalSecret Ready=False/SecretSyncedError (one synced one means the policy still reads)."""
    errors = sym.external_secrets_condition(obs, "False", "SecretSyncedError")
    if not obs.external_secrets or len(errors) < len(obs.external_secrets):
        return pending(f"{len(errors)} of {len(obs.external_secrets)} ExternalSecrets in SecretSyncedError")
    return ok(*errors)


denied_by_vault = sees(lambda obs: [e for e in sym.events(obs, "UpdateFailed", msg.PERMISSION_DENIED, type_="Warning",
                                                           involved_kind="ExternalSecret") if "403" in e],
                       "no UpdateFailed event with `Code: 403 ... permission denied` yet")
# the store validates (login works); only reads are denied
store_still_valid = sees(lambda obs: sym.store_condition(obs, "True"), "ClusterSecretStore not Ready=True")


COUNTERPARTS = (preflight(vault_rules.vault_kv2_policy_without_data),)


def scenario(lay: Layout, upgrade_to: str) -> Scenario:
    p, policy = Parts(lay), lay.need("read_policy")
    return Scenario(
        name="kv2-policy-without-data", entry=3, title="KV v2 policy without data/",
        reproduces=f'Write the read policy as path "{lay.kv_read_path_without_data}" (without data/) and retry '
                   "every ExternalSecret.",
        break_=(GitCommit("vault: read policy without data/", (
            ReplaceText(lay.policy_file, f'path "{lay.kv_read_path}"', f'path "{lay.kv_read_path_without_data}"'),)),
                VaultPolicyFromRepo(policy), ForceSync()),
        symptom=AllOf((Check("every ExternalSecret Ready=False SecretSyncedError", every_external_secret_denied),
                       Check("Warning UpdateFailed `Code: 403 ... permission denied`", denied_by_vault),
                       Check("ClusterSecretStore still Ready=True (login works)", store_still_valid))),
        symptom_within=180,
        recovery=(RestoreFiles(f"vault: KV v2 reads are at {lay.kv_read_path}"), VaultPolicyFromRepo(policy),
                  ForceSync()),
        converged=AllOf((conv.es_synced(), conv.store_ready(), p.pods_ready)),
        converge_within=300,
        invariants=p.nothing_lost(),
        counterparts=COUNTERPARTS,
        sources=("vault-plugin-auth-kubernetes#92", "external-secrets#1333"),
    )
