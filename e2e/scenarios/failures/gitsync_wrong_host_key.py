"""FAILURES.md 5 (host key): the seed's placeholder knownHosts line, which OpenSSH skips silently: git-sync
cannot clone (`Host key verification failed.`). Never recovered by turning host key checking off."""

from __future__ import annotations

from e2e import component_checks as ids
from e2e.preflight.rules import gitsync as gitsync_rules
from e2e.scenarios import convergence as conv
from e2e.scenarios import invariants as inv
from e2e.scenarios import messages as msg
from e2e.scenarios.failures.common import DAG_COMPONENTS, Parts, component, git_sync_cannot_clone, preflight
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import AllOf, Check, Scenario
from e2e.scenarios.steps import GitCommit, RestoreFiles
from e2e.scenarios.transforms import SetValue


def placeholder_known_hosts(host: str) -> str:
    """The seed's placeholder line for the repository's own git host (`[git.corp.internal]:2222`)."""
    return f"{host} ssh-ed25519 <verified-public-host-key>\n"


COUNTERPARTS = (preflight(gitsync_rules.gitsync_known_hosts_placeholder), component(ids.GIT_SYNC_PLACEHOLDER))


def scenario(lay: Layout, upgrade_to: str) -> Scenario:
    p = Parts(lay)
    return Scenario(
        name="gitsync-wrong-host-key", entry=5, title="git-sync cannot clone (host key)",
        reproduces="Commit the seed's placeholder knownHosts line, which OpenSSH skips silently.",
        break_=(GitCommit("values: placeholder knownHosts", (
            SetValue(lay.need("values"), "dags.gitSync.knownHosts", placeholder_known_hosts(lay.need("git_host"))),),
            refresh=(lay.chart_app,)),
                p.restart(DAG_COMPONENTS)),
        symptom=Check("git-sync Init:Error/CrashLoopBackOff with `Host key verification failed.` or "
                      "`too many failures, aborting`",
                      git_sync_cannot_clone((msg.HOST_KEY_FAILED, msg.TOO_MANY_FAILURES))),
        symptom_within=300,
        recovery=(RestoreFiles("values: the verified host key", refresh=(lay.chart_app,)),
                  p.restart(DAG_COMPONENTS)),
        converged=AllOf((conv.apps_synced(lay.chart_app), p.pods_ready)),
        converge_within=600,
        invariants=(p.keep_key, inv.secrets_retained(), p.keep_admin),
        counterparts=COUNTERPARTS,
        log_sources=p.dag_logs,
        sources=("airflow-helm/charts#229", "kubernetes/git-sync#824", "apache/airflow#43458"),
        notes="Never recovered by turning host key checking off.",
    )
