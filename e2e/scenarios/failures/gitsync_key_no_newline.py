"""FAILURES.md 5 (key format): the SSH private key written to Vault without its trailing newline: git-sync
cannot load it (`Load key ...: invalid format` / `error in libcrypto`)."""

from __future__ import annotations

from e2e.preflight.rules import payload as payload_rules
from e2e.scenarios import messages as msg
from e2e.scenarios.failures.common import DAG_COMPONENTS, Parts, component, git_sync_cannot_clone, preflight
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import Check, Scenario
from e2e.scenarios.steps import VaultPayload, WaitForSecretData
from e2e.scenarios.transforms import PayloadEdit


def scenario(lay: Layout, upgrade_to: str) -> Scenario:
    p, ssh_secret = Parts(lay), lay.need("ssh_secret")
    return Scenario(
        name="gitsync-key-no-newline", entry=5, title="git-sync cannot clone (private key format)",
        reproduces="Write the SSH private key to Vault without its trailing newline; restart the DAG pods.",
        break_=(VaultPayload((PayloadEdit(lay.need("ssh_key_field"), "the private key without its trailing newline",
                                          lambda key: str(key).rstrip("\n")),), lay.payload_path),
                p.force(ssh_secret), WaitForSecretData(ssh_secret, changed=True), p.restart(DAG_COMPONENTS)),
        symptom=Check("git-sync fails with `Load key ...: invalid format` or `error in libcrypto`",
                      git_sync_cannot_clone((msg.LOAD_KEY_INVALID, msg.LIBCRYPTO))),
        symptom_within=300,
        recovery=(p.restore_payload, p.force(ssh_secret), WaitForSecretData(ssh_secret, changed=False),
                  p.restart(DAG_COMPONENTS)),
        converged=p.pods_ready,
        converge_within=600,
        invariants=(p.keep_key, p.keep_admin),
        counterparts=(preflight(payload_rules.payload_ssh_key_invalid), component("git-sync.clone-with-known-hosts")),
        log_sources=p.dag_logs,
        sources=("kubernetes/git-sync#824",),
    )
