"""FAILURES.md 11: a chart upgrade changes values: commit the new targetRevision as the upgrade pull request
would; the migration Job runs again, the images move, and the key, the Secrets and the admin user survive."""

from __future__ import annotations

from e2e import component_checks as ids
from e2e import versions
from e2e.chart_upgrade import values_migration_findings
from e2e.judgement import Judgement, ok, pending
from e2e.observe.snapshot import Snapshot, name_of, pod_finished
from e2e.scenarios import convergence as conv
from e2e.scenarios import invariants as inv
from e2e.scenarios import symptoms as sym
from e2e.scenarios.failures.common import Parts, component, offline
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import AllOf, Check, Memory, Predicate, Scenario
from e2e.scenarios.steps import GitCommit, Note
from e2e.scenarios.transforms import SetChartVersion


def chart_revision_is(version: str, chart_app: str) -> Predicate:
    def predicate(obs: Snapshot, _m: Memory) -> Judgement:
        sync = ((obs.application(chart_app) or {}).get("status") or {}).get("sync") or {}
        revisions = list(sync.get("revisions") or []) + ([sync["revision"]] if sync.get("revision") else [])
        if version in revisions:
            return ok(f"Application {chart_app} at chart {version}")
        return pending(f"Application {chart_app} at {', '.join(revisions) or 'no revision'}, not {version} yet")

    return predicate


def migration_job_ran_again(name: str) -> Predicate:
    def predicate(obs: Snapshot, memory: Memory) -> Judgement:
        job, was = obs.job(name), memory.before.job(name)
        if job is None:
            return pending(f"Job {name} absent")
        if was is not None and sym.uid_of(job) == sym.uid_of(was):
            return pending(f"Job {name} is still the one from before the upgrade")
        return ok(f"Job {name} re-created for the new chart ({sym.job_state(job)})")

    return predicate


def images_at(airflow_version: str) -> Predicate:
    def predicate(obs: Snapshot, _m: Memory) -> Judgement:
        stale = sorted({f"{name_of(p)}: {c.get('image')}" for p in obs.pods if not pod_finished(p)
                        for c in (p.get("spec") or {}).get("containers") or []
                        if "apache/airflow:" in str(c.get("image"))
                        and f":{airflow_version}" not in str(c.get("image"))})
        if stale:
            return pending("old Airflow images: " + "; ".join(stale))
        return ok(f"Airflow images at {airflow_version}")

    return predicate


COUNTERPARTS = (offline(values_migration_findings), component(ids.CHART_UPGRADE))


def scenario(lay: Layout, upgrade_to: str) -> Scenario:
    p, chart_app, migrate_job = Parts(lay), lay.chart_app, lay.migrate_job
    return Scenario(
        name="chart-upgrade", entry=11, title="Chart upgrade changes values",
        reproduces=f"Commit the chart's targetRevision {upgrade_to}, as the upgrade pull request would.",
        break_=(GitCommit(f"{chart_app}: chart {upgrade_to}", (
            SetChartVersion(lay.airflow_app, chart_app, upgrade_to),), refresh=(chart_app,)),),
        symptom=AllOf((Check(f"Application {chart_app} at chart {upgrade_to}",
                             chart_revision_is(upgrade_to, chart_app)),
                       Check(f"Job {migrate_job} re-created", migration_job_ran_again(migrate_job)))),
        symptom_within=600,
        recovery=(Note("nothing to undo: the upgrade is the change under test (values migrated beforehand, "
                       "see values_migration_findings)"),),
        converged=AllOf((conv.apps_synced(chart_app), conv.job_complete(migrate_job),
                         Check("Airflow images at the new version",
                               images_at(versions.CHART_AIRFLOW.get(upgrade_to, upgrade_to))), p.pods_ready)),
        converge_within=900,
        invariants=(p.keep_key, inv.secrets_retained(), p.keep_admin),
        counterparts=COUNTERPARTS,
        sources=("apache/airflow#52267", "apache/airflow#53198", "apache/airflow#51304"),
    )
