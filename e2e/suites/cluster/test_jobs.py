"""The migration and create-user Jobs, the user job's own words, and the admin login through the API."""

from __future__ import annotations

import pytest

from e2e.checks import jobs
from e2e.checks.expect import Expectations
from e2e.observe import snapshot
from e2e.observe.airflow_api import airflow_api
from e2e.observe.snapshot import pod_log
from e2e.observe.wait import Failed, Ok, Pending, eventually
from e2e.report.artifacts import keep


def _completed(stack, recorder, artifacts_dir, job: str):
    exp = Expectations.for_stack(stack)

    def judged():
        verdict = jobs.job_completed(recorder.timeline(), exp.namespace, job)
        if verdict.ok:
            return Ok(verdict)
        failed = any("Failed=True" in line for line in verdict.evidence)
        return Failed("; ".join(verdict.evidence)) if failed else Pending("; ".join(verdict.evidence))
    try:
        verdict = eventually(judged, timeout=stack.config.timeout(600), interval=2, describe=f"Job {job}",
                             masker=stack.masker)
    finally:
        keep(artifacts_dir, recorder.timeline(), [jobs.job_completed(recorder.timeline(), exp.namespace, job)],
             stack.masker, title=f"Job {job}", versions={"chart": stack.config.chart_version})
    assert verdict.ok


@pytest.mark.migration
def test_migration_job_completed(stack, recorder, artifacts_dir):
    _completed(stack, recorder, artifacts_dir, Expectations.for_stack(stack).migration_job)


@pytest.mark.userjob
def test_create_user_job_completed(stack, recorder, artifacts_dir):
    _completed(stack, recorder, artifacts_dir, Expectations.for_stack(stack).user_job)


@pytest.mark.userjob
def test_user_job_log_shows_the_user_created_or_present_and_the_password_reset(stack):
    exp = Expectations.for_stack(stack)
    pods = snapshot.take(stack.kube, stack.config).pods_of_job(exp.user_job)
    assert pods, (f"no pod of Job {exp.user_job} left to read (ttlSecondsAfterFinished may have removed it; "
                  "run this test right after bring-up)")
    log = pod_log(stack.kube, exp.namespace, pods[-1]["metadata"]["name"], "create-user")
    username = stack.payload["createUserJob"]["defaultUser"]["username"]
    verdict = jobs.user_job_log(log, username, masker=stack.masker)
    assert verdict.ok, verdict.explain()


@pytest.mark.userjob
def test_admin_logs_in_through_the_api_with_the_payload_password(stack):
    exp = Expectations.for_stack(stack)
    user = stack.payload["createUserJob"]["defaultUser"]
    with airflow_api(stack.kube, exp.namespace, exp.release, exp.airflow_version) as api:
        status, body = api.login(user["username"], user["password"])
    verdict = jobs.admin_login(status, body, user["username"], exp.airflow_version, masker=stack.masker)
    assert verdict.ok, verdict.explain()
