"""FAILURES.md 5 (key format): the SSH private key written to Vault without its trailing newline: git-sync
cannot load it (`Load key ...: invalid format` / `error in libcrypto`)."""

from __future__ import annotations

from e2e import component_checks as ids
from e2e.preflight.rules import payload as payload_rules
from e2e.scenarios import messages as msg
from e2e.scenarios.failures.common import DAG_COMPONENTS, Parts, component, git_sync_cannot_clone, preflight
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import Check, Scenario

COUNTERPARTS = (preflight(payload_rules.payload_ssh_key_invalid), component(ids.GIT_SYNC_CLONE))


def scenario(lay: Layout, upgrade_to: str) -> Scenario:
    p, ssh_secret = Parts(lay), lay.need("ssh_secret")
    return Scenario(
        name="gitsync-key-no-newline", entry=5, title="git-sync cannot clone (private key format)",
        reproduces="Write the SSH private key to Vault without its trailing newline; restart the DAG pods.",
        break_=(*p.payload_break("ssh_key_field", "the private key without its trailing newline",
                                 lambda key: str(key).rstrip("\n"), ssh_secret), p.restart(DAG_COMPONENTS)),
        symptom=Check("git-sync fails with `Load key ...: invalid format` or `error in libcrypto`",
                      git_sync_cannot_clone((msg.LOAD_KEY_INVALID, msg.LIBCRYPTO))),
        symptom_within=300,
        recovery=(*p.payload_restore(ssh_secret), p.restart(DAG_COMPONENTS)),
        converged=p.pods_ready,
        converge_within=600,
        invariants=(p.keep_key, p.keep_admin),
        counterparts=COUNTERPARTS,
        log_sources=p.dag_logs,
        sources=("kubernetes/git-sync#824",),
    )
