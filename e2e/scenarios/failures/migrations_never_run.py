"""FAILURES.md 14: migrations never run: with both Jobs as Helm hooks on an empty database, the PostSync
hook waits for pods that wait for migrations (`There are still unapplied migrations`)."""

from __future__ import annotations

from e2e import component_checks as ids
from e2e.judgement import Judgement, ok, pending
from e2e.observe.snapshot import Snapshot
from e2e.preflight.rules import jobs as job_rules
from e2e.scenarios import convergence as conv
from e2e.scenarios import messages as msg
from e2e.scenarios import symptoms as sym
from e2e.scenarios.failures.common import WAIT_FOR_MIGRATIONS, Parts, component, preflight
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import AllOf, Check, Memory, Scenario
from e2e.scenarios.steps import (
    DeleteJob,
    GitCommit,
    ResetMetadataDatabase,
    RestoreFiles,
    SyncApplication,
    TerminateSyncOperation,
)
from e2e.scenarios.transforms import DELETE, SetValue
from e2e.stack.operator import AIRFLOW_COMPONENTS


def waiting_for_migrations(obs: Snapshot, _m: Memory) -> Judgement:
    found = sym.log_lines(obs, msg.UNAPPLIED_MIGRATIONS) + sym.log_lines(obs, msg.WAITING_FOR_MIGRATIONS)
    held = sym.pods_in_init(obs, (WAIT_FOR_MIGRATIONS,)) + sym.init_containers_failing(obs, (WAIT_FOR_MIGRATIONS,))
    if held and found:
        return ok(*held, *found)
    return pending(f"pods held by {WAIT_FOR_MIGRATIONS}: {len(held)}; migration log lines: {len(found)}")


COUNTERPARTS = (preflight(job_rules.job_helm_hooks_enabled), component(ids.MIGRATION_FAILS_BEFORE))


def scenario(lay: Layout, upgrade_to: str) -> Scenario:
    p, values, ns = Parts(lay), lay.need("values"), lay.airflow_namespace
    return Scenario(
        name="migrations-never-run", entry=14, title="Migrations never run",
        reproduces="Empty the metadata database, switch both Jobs to Helm hooks (useHelmHooks: true) and "
                   "restart the pods: the PostSync hook waits for pods that wait for migrations.",
        break_=(ResetMetadataDatabase(lay.release, ns), GitCommit("values: Jobs as Helm hooks", (
            SetValue(values, "migrateDatabaseJob.useHelmHooks", True),
            SetValue(values, "createUserJob.useHelmHooks", True),
            SetValue(values, "migrateDatabaseJob.jobAnnotations", DELETE)), refresh=(lay.chart_app,)),
                p.restart()),
        symptom=Check("pods held by wait-for-airflow-migrations, `There are still unapplied migrations`",
                      waiting_for_migrations),
        symptom_within=600,
        recovery=(TerminateSyncOperation(lay.chart_app),
                  RestoreFiles("values: useHelmHooks false on both Jobs", refresh=(lay.chart_app,)),
                  DeleteJob(lay.user_job, ns), SyncApplication(lay.chart_app, lay.argocd_namespace)),
        converged=AllOf((conv.job_complete(lay.migrate_job), conv.job_complete(lay.user_job), p.pods_ready)),
        converge_within=900,
        invariants=(p.keep_key, p.keep_admin),
        counterparts=COUNTERPARTS,
        log_sources=tuple((c, WAIT_FOR_MIGRATIONS) for c in AIRFLOW_COMPONENTS),
        sources=("apache/airflow#32003", "apache/airflow#35159"),
        notes="The metadata database is emptied on purpose; the admin user must be back at the end.",
    )
