"""Jobs, the create-user log and the admin login, judged on realistic timelines, logs and API answers."""

from __future__ import annotations

from e2e.checks import jobs


def test_good_run_completes_both_jobs(run):
    r = run()
    migration, user = jobs.jobs_completed(r.timeline, r.exp)
    assert migration.ok and user.ok
    assert migration.name == "Job airflow-run-airflow-migrations completed"
    assert migration.evidence == ["Complete=True in 21s"]


def test_a_failed_job_says_why_and_which_attempts_failed(run):
    r = run("migration-failed")
    migration, user = jobs.jobs_completed(r.timeline, r.exp)
    assert not migration.ok
    assert migration.evidence[0] == "condition Failed=True BackoffLimitExceeded: Job has reached the specified " \
                                    "backoff limit"
    assert any("[run-airflow-migrations] terminated Error exit 1" in e for e in migration.evidence)
    assert not user.ok and "still running" in user.evidence[0]


def test_a_job_that_never_appeared_is_said_so(run):
    r = run()
    verdict = jobs.job_completed(r.timeline, r.exp.namespace, "airflow-no-such-job")
    assert not verdict.ok and "the Job never appeared" in verdict.evidence


def test_user_log_created_then_reset_passes(runs):
    verdict = jobs.user_job_log(runs.user_job_log("admin", first_run=True), "admin")
    assert verdict.ok
    assert verdict.evidence[0].startswith('created: ') and "password reset successfully" in verdict.evidence[1]


def test_user_log_already_present_then_reset_passes(runs):
    verdict = jobs.user_job_log(runs.user_job_log("admin", first_run=False), "admin")
    assert verdict.ok and verdict.evidence[0].startswith("already present: ")


def test_user_log_without_the_reset_fails():
    verdict = jobs.user_job_log('User "admin" created with role "Admin"\n', "admin")
    assert not verdict.ok and "no password reset line" in verdict.evidence


def test_user_log_of_a_broken_database_fails_and_masks_the_tail(masker, example_payload):
    password = example_payload["createUserJob"]["defaultUser"]["password"]
    log = ("TimeoutError: There are still unapplied migrations after 300 seconds.\n"
           f"sqlalchemy.exc.OperationalError: password authentication failed (tried {password})\n")
    verdict = jobs.user_job_log(log, "admin", masker=masker)
    assert not verdict.ok
    assert any("unapplied migrations" in e for e in verdict.evidence)
    assert password not in verdict.explain()


def test_admin_login_through_the_api_passes_on_a_token_and_never_shows_it():
    token = "eyJhbGciOiJIUzUxMiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    verdict = jobs.admin_login(201, {"access_token": token}, "admin", "3.2.1")
    assert verdict.ok
    assert verdict.evidence == ["POST /auth/token as admin -> HTTP 201", f"access_token present ({len(token)} chars)"]
    assert token not in verdict.explain()


def test_admin_login_rejected_fails_with_the_status_and_detail():
    verdict = jobs.admin_login(401, {"detail": "Invalid credentials"}, "admin", "3.2.1")
    assert not verdict.ok
    assert verdict.evidence == ["POST /auth/token as admin -> HTTP 401", "detail: Invalid credentials"]


def test_admin_login_on_airflow_2_uses_basic_auth():
    assert jobs.admin_login(200, {"dags": []}, "admin", "2.10.5").ok
