"""One look at the stack: Secret values are digested on read, logs come only from the named containers and
are masked, usernames are parsed from the CLI's JSON (a scripted Kube, no cluster)."""

from __future__ import annotations

from e2e.observe.snapshot import digest
from e2e.scenarios.collect import observe, parse_users
from e2e.scenarios.model import Memory
from e2e.scenarios.registry import REGISTRY

from . import api_objects as k
from .recording_stack import RecordingStack


def test_observe_digests_secrets_of_the_repository_only():
    stack = RecordingStack([{"secrets": [k.secret("airflow-fernet-key", {"fernet-key": "the-key-value"}),
                                         k.secret("default-token-x", {"token": "sa-token"})]}])
    obs = observe(stack, REGISTRY["kv2-policy-without-data"], Memory())
    assert list(obs.secrets) == ["airflow-fernet-key"]
    assert obs.secrets["airflow-fernet-key"].digests == {"fernet-key": digest("the-key-value")}


def test_observe_reads_current_and_previous_logs_of_the_named_containers_masked():
    crashed = k.pod("airflow-scheduler-7c9", "scheduler", phase="Pending", ready=False,
                    init=[k.container("git-sync-init", terminated=("Error", 1), restarts=1)])
    stack = RecordingStack([{"pods": [crashed]}])
    stack.masker.add(["private-key-material"])
    stack.kube.kubectl = lambda *args, input_text=None: (stack.kube.calls.append(args) or
                                                         "Host key verification failed.\nprivate-key-material\n")
    obs = observe(stack, REGISTRY["gitsync-wrong-host-key"], Memory())
    assert [c for c in stack.kube.calls if "logs" in c] == [
        ("-n", "airflow", "logs", "airflow-scheduler-7c9", "-c", "git-sync-init", "--tail=200", "--previous"),
        ("-n", "airflow", "logs", "airflow-scheduler-7c9", "-c", "git-sync-init", "--tail=200")]
    assert obs.logs["airflow-scheduler-7c9/git-sync-init"][:2] == ["Host key verification failed.", "***MASKED***"]


def test_observe_adds_probe_output_and_reads_users_only_when_asked():
    stack = RecordingStack([{}])
    memory = Memory(probe_logs={"probe/fernet": ["exit 0"]})
    obs = observe(stack, REGISTRY["bad-fernet-key"], memory)
    assert obs.logs == {"probe/fernet": ["exit 0"]} and obs.users is None
    assert observe(stack, REGISTRY["bad-fernet-key"], memory, users=True).users == ("admin",)


def test_usernames_are_parsed_after_cli_warnings():
    text = ('/home/airflow/.local/lib/python3.12/site-packages/airflow/...: DeprecationWarning: x\n'
            '[{"id": "1", "username": "admin", "email": "admin@example.com", "first_name": "platform", '
            '"last_name": "admin", "roles": "Admin"}]\n')
    assert parse_users(text) == ("admin",)
    assert parse_users("Traceback (most recent call last): boom") is None
