"""FAILURES.md 16: a values file inside a directory source: without directory.exclude the secrets
Application reads it as a manifest (`Object 'Kind' is missing in`)."""

from __future__ import annotations

from dataclasses import dataclass

from e2e.judgement import Judgement, ok, pending
from e2e.observe.snapshot import Snapshot
from e2e.preflight.rules import sources as source_rules
from e2e.scenarios import convergence as conv
from e2e.scenarios import messages as msg
from e2e.scenarios import symptoms as sym
from e2e.scenarios.failures.common import Parts, preflight, sees
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import AllOf, Check, Memory, Predicate, Scenario
from e2e.scenarios.steps import GitCommit, RestoreFiles
from e2e.scenarios.transforms import DELETE, DoesNotApply, EditObject


def kind_missing(app: str) -> Predicate:
    return sees(lambda obs: sym.application_condition(obs, app, "ComparisonError", msg.KIND_MISSING),
                f"{app} has no ComparisonError `Object 'Kind' is missing in` yet")


def no_comparison_error(app: str) -> Predicate:
    def predicate(obs: Snapshot, _m: Memory) -> Judgement:
        found = sym.application_condition(obs, app, "ComparisonError")
        return pending(*found) if found else ok(f"{app} has no ComparisonError")

    return predicate


@dataclass(frozen=True)
class ValuesOutsideDirectorySource:
    """Entry 16 cannot happen in a repository whose values file lies outside the secrets Application's
    directory source: there is no directory.exclude to drop. Refuses in one line, like any edit that does not
    apply."""

    layout: Layout

    @property
    def path(self) -> str:
        return self.layout.need("secrets_app")

    def describe(self) -> str:
        return f"{self.path}: Application/{self.layout.secrets_app_name}: remove spec.source.directory"

    def apply(self, text: str | None) -> str | None:
        lay = self.layout
        raise DoesNotApply(f"{lay.values} is outside {lay.secrets_app_name}'s directory source {lay.secrets_dir}/, "
                           "so no directory.exclude keeps it out: FAILURES.md 16 cannot happen in this repository")


COUNTERPARTS = (preflight(source_rules.directory_source_non_kubernetes_file),)


def scenario(lay: Layout, upgrade_to: str) -> Scenario:
    p, secrets_app = Parts(lay), lay.need("secrets_app_name")
    drop_exclude = (EditObject(lay.need("secrets_app"), "Application", secrets_app, "spec.source.directory", DELETE)
                    if lay.values_in_secrets_dir else ValuesOutsideDirectorySource(lay))
    return Scenario(
        name="values-in-directory-source", entry=16, title="Values file inside a directory source",
        reproduces=f"Drop directory.exclude from {secrets_app}, so its directory source reads the values file.",
        break_=(GitCommit(f"{secrets_app}: read every file in {lay.secrets_dir}", (drop_exclude,),
                          refresh=(secrets_app,)),),
        symptom=Check(f"{secrets_app} ComparisonError `Object 'Kind' is missing in`", kind_missing(secrets_app)),
        symptom_within=300,
        recovery=(RestoreFiles(f"{secrets_app}: exclude the values file", refresh=(secrets_app,)),),
        converged=AllOf((Check("no ComparisonError", no_comparison_error(secrets_app)),
                         conv.apps_synced(secrets_app), p.pods_ready)),
        converge_within=300,
        invariants=p.nothing_lost(),
        counterparts=COUNTERPARTS,
        sources=("argo-cd#10648",),
    )
