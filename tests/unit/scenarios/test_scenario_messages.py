"""The message table matches the exact strings FAILURES.md and FACTS.md quote, in the text that carries them."""

from __future__ import annotations

import pytest

from e2e.scenarios import messages as msg

CARRIERS = [  # (pattern, the real text it must match: a condition, event, container state or log line)
    (msg.SECRET_NOT_FOUND, 'secret "airflow-fernet-key" not found'),
    (msg.SECRET_NOT_FOUND, 'MountVolume.SetUp failed for volume "git-sync-ssh-key" : secret "airflow-ssh-secret" '
                           "not found"),
    (msg.PERMISSION_DENIED, "Code: 403. Errors:\n\n* 1 error occurred:\n\t* permission denied"),
    (msg.MAP_NO_ENTRY, 'error executing template: template: fernet-key:1:22: executing "fernet-key" at '
                       '<(fromYaml .config).fernetKeyy>: map has no entry for key "fernetKeyy"'),
    (msg.HOST_KEY_FAILED, "Host key verification failed."),
    (msg.HOST_KEY_FAILED, '{"logger":"","ts":"2026-11-23 21:00:01.2","caller":{"file":"main.go","line":1021},'
                          '"msg":"error syncing repo, will retry","error":"Run(git ls-remote -q '
                          'ssh://git@git.example.com/platform/airflow-dags.git main): exit status 128: { stdout: '
                          '"", stderr: "No ED25519 host key is known for git.example.com and you have requested '
                          'strict checking.\\nHost key verification failed.\\nfatal: Could not read from remote '
                          'repository." }","failCount":1}'),
    (msg.TOO_MANY_FAILURES, '{"logger":"","ts":"2026-11-23 21:00:01.3","caller":{"file":"main.go","line":1040},'
                            '"msg":"too many failures, aborting","failCount":1}'),
    (msg.LOAD_KEY_INVALID, 'Load key "/etc/git-secret/ssh": invalid format'),
    (msg.LIBCRYPTO, 'Load key "/etc/git-secret/ssh": error in libcrypto'),
    (msg.UNAPPLIED_MIGRATIONS, "TimeoutError: There are still unapplied migrations after 60 seconds. MigrationHead(s)"
                               " in DB: set() | Migration Head(s) in Source Code: {'cc92b33c6709'}"),
    (msg.PG_AUTH_FAILED, 'sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at '
                         '"postgresql.airflow-db.svc.cluster.local" (10.96.1.2), port 5432 failed: FATAL:  password '
                         'authentication failed for user "airflow"'),
    (msg.REDIS_WRONGPASS, "[2026-11-23 21:00:02,000: ERROR/MainProcess] consumer: Cannot connect to "
                          "redis://:**@airflow-redis:6379/0: WRONGPASS invalid username-password pair or user is "
                          "disabled.."),
    (msg.FERNET_FORMAT, "airflow.exceptions.AirflowException: Could not create Fernet object: Fernet key must be 32 "
                        "url-safe base64-encoded bytes."),
    (msg.KIND_MISSING, "Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: "
                       "code = Unknown desc = Object 'Kind' is missing in '{\"executor\":\"CeleryExecutor\"}'"),
]


@pytest.mark.parametrize(("pattern", "text"), CARRIERS, ids=[f"{i}-{p[:24]}" for i, (p, _t) in enumerate(CARRIERS)])
def test_each_reported_message_is_recognised_in_its_carrier(pattern, text):
    assert msg.search(pattern, text)


@pytest.mark.parametrize(("pattern", "text"), [
    (msg.HOST_KEY_FAILED, '"msg":"updated successfully","ref":"main","local":"3f2c1a"'),
    (msg.PG_AUTH_FAILED, "DB: postgresql://airflow:***@postgresql:5432/airflow"),
    (msg.FERNET_FORMAT, "Fernet key set"),
    (msg.MAP_NO_ENTRY, "secret synced"),
    (msg.SECRET_NOT_FOUND, 'configmap "airflow-config" not found'),
])
def test_a_healthy_line_does_not_match(pattern, text):
    assert not msg.search(pattern, text)


def test_named_groups_pick_the_missing_secret_and_the_missing_key():
    assert msg.search(msg.SECRET_NOT_FOUND, 'secret "airflow-jwt-secret" not found')["secret"] == "airflow-jwt-secret"
    assert msg.search(msg.MAP_NO_ENTRY, 'map has no entry for key "fernetKeyy"')["key"] == "fernetKeyy"
