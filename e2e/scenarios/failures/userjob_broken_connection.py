"""FAILURES.md 6: the create-user Job with a broken metadata connection must fail visibly (`|| true` hides
nothing): it reports PostgreSQL's refusal and is not Complete."""

from __future__ import annotations

from e2e import component_checks as ids
from e2e.judgement import Judgement, failed, seen
from e2e.observe.snapshot import Snapshot
from e2e.scenarios import convergence as conv
from e2e.scenarios import messages as msg
from e2e.scenarios import symptoms as sym
from e2e.scenarios.failures.common import Parts, component
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import AllOf, Check, Memory, Predicate, Scenario
from e2e.scenarios.steps import DeleteJob, RefreshApplication, SyncApplication, TerminateSyncOperation
from e2e.scenarios.transforms import with_url_password

WRONG_DB_PASSWORD = "not-the-db-password"
CREATE_USER_COMPONENT = "create-user-job"  # the chart's component label of the create-user Job's pod


def user_job_fails_visibly(user_job: str, migrate_job: str) -> Predicate:
    """The create-user Job reports the database error and is NOT Complete."""
    def predicate(obs: Snapshot, _m: Memory) -> Judgement:
        job = obs.job(user_job)
        if job is not None and sym.job_state(job) == "Complete":
            lines = sym.log_lines(obs, msg.PG_AUTH_FAILED)
            return failed(f"Job {user_job} Complete with a broken connection: the failure was hidden", *lines)
        lines = sym.log_lines(obs, msg.PG_AUTH_FAILED) + sym.log_lines(obs, msg.UNAPPLIED_MIGRATIONS)
        lines += sym.jobs_failed(obs, user_job) + sym.jobs_failed(obs, migrate_job)
        return seen(lines, f"Job {user_job} has not reported the database error yet")

    return predicate


COUNTERPARTS = (component(ids.USER_JOB_BROKEN_CONNECTION),)


def scenario(lay: Layout, upgrade_to: str) -> Scenario:
    p, ns = Parts(lay), lay.airflow_namespace
    return Scenario(
        name="userjob-broken-connection", entry=6, title="User job with a broken connection string",
        reproduces="Point the metadata connection at a wrong password and let Argo CD re-create the user Job.",
        break_=(*p.payload_break("metadata_field", "the same URL with a wrong password",
                                 lambda url: with_url_password(str(url), WRONG_DB_PASSWORD), lay.metadata_secret),
                DeleteJob(lay.user_job, ns), RefreshApplication(lay.chart_app)),
        symptom=Check(f'{lay.user_job} fails visibly: `password authentication failed for user "{lay.db_user}"`',
                      user_job_fails_visibly(lay.user_job, lay.migrate_job)),
        symptom_within=300,
        recovery=(*p.payload_restore(lay.metadata_secret), DeleteJob(lay.user_job, ns),
                  TerminateSyncOperation(lay.chart_app), SyncApplication(lay.chart_app, lay.argocd_namespace)),
        converged=AllOf((conv.job_complete(lay.user_job), p.pods_ready)),
        converge_within=600,
        invariants=(p.keep_key, p.keep_running, p.keep_admin),
        counterparts=COUNTERPARTS,
        log_sources=((CREATE_USER_COMPONENT, "create-user"), ("run-airflow-migrations", "run-airflow-migrations")),
        sources=("apache/airflow#21615", "apache/airflow#27561", "argo-cd#8586"),
    )
