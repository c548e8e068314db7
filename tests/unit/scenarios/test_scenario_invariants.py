"""Nothing lost: the invariants compare against the baseline by uid and digest, never by value."""

from __future__ import annotations

from e2e.observe.snapshot import SecretSeen, digest
from e2e.scenarios import invariants as inv

from . import api_objects as k
from .stack_states import LAYOUT, healthy, healthy_pods, memory, secrets


def test_secret_seen_keeps_digests_and_never_the_value():
    seen = SecretSeen.from_api(k.secret("airflow-fernet-key", {"fernet-key": "Zm9vYmFy-a-real-looking-key="}))
    assert seen.keys == ("fernet-key",)
    assert seen.digests == {"fernet-key": digest("Zm9vYmFy-a-real-looking-key=")}
    assert "Zm9vYmFy-a-real-looking-key=" not in repr(seen)


def test_secrets_retained_holds_while_every_secret_keeps_its_uid():
    assert inv.secrets_retained().evaluate(healthy(), memory()).ok


def test_secrets_retained_breaks_when_a_secret_is_deleted_or_recreated():
    gone = dict(secrets())
    del gone["airflow-metadata"]
    out = inv.secrets_retained().evaluate(healthy(secrets=gone), memory())
    assert out.failed and "Secret airflow-metadata deleted (deletionPolicy Retain should keep it)" in out.evidence
    out = inv.secrets_retained().evaluate(healthy(secrets=secrets(uid_suffix="-2")), memory())
    assert out.failed and "Secret airflow-fernet-key re-created (uid changed)" in out.evidence


def test_fernet_key_unchanged_compares_digests():
    assert inv.fernet_key_unchanged(LAYOUT.fernet_secret).evaluate(healthy(), memory()).ok
    rotated = healthy(secrets=secrets({"airflow-fernet-key": "a-different-key"}))
    out = inv.fernet_key_unchanged(LAYOUT.fernet_secret).evaluate(rotated, memory())
    assert out.failed and "data encrypted before is unreadable" in out.evidence[0]


def test_fernet_key_may_be_absent_for_a_while_but_not_at_the_end():
    absent = dict(secrets())
    del absent["airflow-fernet-key"]
    assert inv.fernet_key_unchanged(LAYOUT.fernet_secret, "throughout").evaluate(healthy(secrets=absent), memory()).ok
    assert inv.fernet_key_unchanged(LAYOUT.fernet_secret, "end").evaluate(healthy(secrets=absent), memory()).failed


def test_fernet_key_invariant_fails_without_a_baseline_to_compare_with():
    assert inv.fernet_key_unchanged(LAYOUT.fernet_secret).evaluate(healthy(), memory(before=healthy(secrets={}))).failed


def test_admin_user_kept_reads_the_usernames():
    assert inv.admin_user_kept().evaluate(healthy(users=("admin", "viewer")), memory()).ok
    out = inv.admin_user_kept().evaluate(healthy(users=("viewer",)), memory())
    assert out.failed and "admin user 'admin' missing" in out.evidence[0]
    assert inv.admin_user_kept("end").evaluate(healthy(users=None), memory()).failed
    assert inv.admin_user_kept("throughout").evaluate(healthy(users=None), memory()).ok


def test_airflow_keeps_running_breaks_when_a_pod_that_was_ready_goes():
    keep = inv.airflow_keeps_running(("scheduler", "worker"))
    assert keep.evaluate(healthy(), memory()).ok
    out = keep.evaluate(healthy(pods=healthy_pods(uid_suffix="-new")), memory())
    assert out.failed and "pod airflow-scheduler-0 gone" in out.evidence


def test_secret_data_unchanged_names_the_changed_key():
    out = inv.secret_data_unchanged().evaluate(healthy(secrets=secrets({"airflow-metadata": "changed"})), memory())
    assert out.failed and out.evidence == ("Secret airflow-metadata key connection changed",)


def test_invariants_evidence_carries_no_secret_value():
    rotated = healthy(secrets=secrets({"airflow-fernet-key": "super-secret-new-key"}))
    out = inv.fernet_key_unchanged(LAYOUT.fernet_secret).evaluate(rotated, memory())
    assert "super-secret-new-key" not in " ".join(out.evidence)
