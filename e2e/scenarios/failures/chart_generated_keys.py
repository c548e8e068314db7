"""FAILURES.md 2: the chart makes its own keys. Unset the *SecretName values and sync twice: Secrets with the
chart's labels appear (or the fernet key is re-created), and the Application never settles."""

from __future__ import annotations

from e2e import component_checks as ids
from e2e.application_status import status_of
from e2e.checks.secrets import FERNET_KEY
from e2e.judgement import Judgement, ok, pending, seen
from e2e.observe.snapshot import Snapshot
from e2e.preflight.rules import secrets as secret_rules
from e2e.scenarios import convergence as conv
from e2e.scenarios import invariants as inv
from e2e.scenarios.failures.common import Parts, component, preflight
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import AllOf, AnyOf, Check, Memory, Predicate, Scenario
from e2e.scenarios.steps import ForceSync, GitCommit, RefreshApplication, RestoreFiles
from e2e.scenarios.transforms import DELETE, SetValue


def chart_made_secrets(chart_app: str) -> Predicate:
    """A Secret with the chart's labels (heritage/chart) where ESO's was, or the Application never settles."""
    def predicate(obs: Snapshot, _m: Memory) -> Judgement:
        found = [f"Secret {s.name} made by the chart (labels {s.labels.get('chart', '')} "
                 f"{s.labels.get('heritage', '')})" for s in obs.secrets.values()
                 if "heritage" in s.labels or "chart" in s.labels]
        if status_of(chart_app, obs.application(chart_app)).sync == "OutOfSync":
            found.append(f"Application {chart_app} OutOfSync (random keys differ on every render)")
        return seen(found, "no chart-made Secret and the app is in sync")

    return predicate


def fernet_key_replaced(secret: str) -> Predicate:
    def predicate(obs: Snapshot, memory: Memory) -> Judgement:
        was, now = memory.before.secrets.get(secret), obs.secrets.get(secret)
        if was and now and now.digests.get(FERNET_KEY) != was.digests.get(FERNET_KEY):
            return ok(f"{secret} re-created with another key: data encrypted before is unreadable")
        return pending("fernet key unchanged so far")

    return predicate


def secrets_hold_their_data_again(obs: Snapshot, memory: Memory) -> Judgement:
    """Every Secret holds what it held before the break (ESO wrote Vault's data back over the chart's)."""
    held = inv.secret_data_unchanged_now(obs, memory)
    return pending(*held.evidence) if held.failed else held


COUNTERPARTS = (preflight(secret_rules.secret_name_unset), component(ids.FERNET_STABILITY))


def scenario(lay: Layout, upgrade_to: str) -> Scenario:
    p, values = Parts(lay), lay.need("values")
    return Scenario(
        name="chart-generated-keys", entry=2, title="Chart makes its own keys",
        reproduces="Leave fernetKeySecretName, apiSecretKeySecretName and jwtSecretName unset and sync twice.",
        break_=(GitCommit("values: let the chart make its own keys", (
            SetValue(values, "fernetKeySecretName", DELETE), SetValue(values, "apiSecretKeySecretName", DELETE),
            SetValue(values, "jwtSecretName", DELETE)), refresh=(lay.chart_app,)),
                RefreshApplication(lay.chart_app, hard=True)),
        symptom=AnyOf((Check(f"Secrets with the chart's labels, or {lay.chart_app} OutOfSync",
                             chart_made_secrets(lay.chart_app)),
                       Check(f"{lay.fernet_secret} re-created with another key",
                             fernet_key_replaced(lay.fernet_secret)))),
        symptom_within=300,
        recovery=(RestoreFiles("values: point every name at the ESO-managed Secrets", refresh=(lay.chart_app,)),
                  ForceSync()),
        converged=AllOf((conv.apps_synced(lay.chart_app), conv.es_synced(),
                         Check("every Secret holds its data from before the break (Vault's, via ESO)",
                               secrets_hold_their_data_again), p.pods_ready)),
        converge_within=600,
        invariants=(p.fernet_kept("end"), p.keep_admin),
        counterparts=COUNTERPARTS,
        sources=("argo-cd docs helm.md", "apache/airflow#47963"),
    )
