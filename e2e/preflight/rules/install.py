"""Where Airflow is installed and whether its values could be read (e2e.install; issue 14 points 1 and 4).

Why: a values file that cannot be resolved is not an empty one, and Airflow installed by something this
checker does not read must be said, so a silent pass never means "not looked at".
"""

from __future__ import annotations

from e2e.install import notices, shape_problems
from e2e.preflight.context import Context
from e2e.preflight.finding import Finding
from e2e.preflight.registry import rule


@rule("values-unresolved", "error",
      "a Helm values source of the Airflow Application cannot be read; the rules that read values do not run",
      "FAILURES.md 16; Argo CD helm.valueFiles")
def values_unresolved(ctx: Context) -> list[Finding]:
    return [ctx.finding(
        file=miss.file, line=miss.line, obj=inst.ref,
        severity="info" if miss.foreign else None,
        message=f"values {miss.entry!r} {miss.why}: the values of this install are not known, so the checks "
                "that read them were not run",
        hint="run preflight on that repository too, or name this one with --repo-url" if miss.foreign else
             "point valueFiles at a file in this repository (through a source with `ref:`), or fix the entry")
        for inst in ctx.all_installs for miss in inst.unresolved]


@rule("airflow-installed-elsewhere", "info",
      "Airflow is installed by something preflight does not read (Flux HelmRelease, Kustomize helmCharts)",
      "issue 14: a silent pass never means \"not looked at\"")
def airflow_installed_elsewhere(ctx: Context) -> list[Finding]:
    return [ctx.finding(
        file=n.file, line=n.line, obj=n.obj, message=n.message,
        hint="preflight checks Airflow installed by Argo CD Applications; this install was not checked")
        for n in notices(ctx.repo)]


@rule("object-shape-invalid", "error",
      "a field the harness (and Argo CD, ESO or the chart) reads has the wrong type: `spec: 1.5`, "
      "`createUserJob.env: 5`, ConfigMap `data: \"x\"`, `spec.data: [-1]`, `extraSecrets: [1]`, a URL that "
      "does not parse, a second YAML document in a values file",
      "issue 16 item 9 (each crashed plan/scenario/payload/components before)")
def object_shape_invalid(ctx: Context) -> list[Finding]:
    return [ctx.finding(file=p.file, line=p.line, obj=p.where.split(" ")[0],
                        message=f"{p.where} {p.why}", hint="fix the type; every other command refuses this "
                        "repository (exit 2) until then") for p in shape_problems(ctx.repo)]
