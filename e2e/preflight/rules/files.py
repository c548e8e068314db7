"""Files preflight could not read: each is a finding in that file, and every other file is still checked.

Why not exit 2: real repositories hold Go-templated copies, foreign YAML dialects and the odd broken file;
refusing the whole run for one of them (the old behaviour) checked nothing at all.
"""

from __future__ import annotations

from e2e.preflight.context import Context
from e2e.preflight.finding import Finding
from e2e.preflight.registry import rule


@rule("file-unreadable", "error",
      "a YAML or HCL file cannot be read or parsed (the rest of the repository is still checked)",
      "issue 14 (real trees); argo-cd reports such a file as a ComparisonError")
def file_unreadable(ctx: Context) -> list[Finding]:
    return [
        ctx.finding(file=u.file, line=u.line, obj=u.file,
                    message=f"not checked: {u.reason}; Argo CD fails any Application that reads this file",
                    hint="fix the file, or leave it out with --exclude if no Application reads it")
        for u in ctx.repo.unreadable if not u.templated
    ]


@rule("file-templated", "info",
      "a file with template markers ({{ }}, ${ }) is not valid YAML as committed, so it is not checked",
      "issue 14 (rendered or templated copies)")
def file_templated(ctx: Context) -> list[Finding]:
    return [
        ctx.finding(file=u.file, line=u.line, obj=u.file,
                    message=f"not checked: a template, not YAML as committed ({u.reason})",
                    hint="check the rendered output instead (e.g. run preflight on a directory of rendered files)")
        for u in ctx.repo.unreadable if u.templated
    ]


@rule("helm-chart-templates-not-read", "info",
      "a Helm chart folder in the repository: its templates/ are Go templates and are not checked",
      "issue 14 (Helm chart folders)")
def helm_chart_templates_not_read(ctx: Context) -> list[Finding]:
    out = []
    for chart in ctx.repo.chart_dirs:
        templates = (ctx.repo.root / chart / "templates") if chart else ctx.repo.root / "templates"
        if not templates.is_dir():
            continue
        chart_file = f"{chart}/Chart.yaml" if chart else "Chart.yaml"
        out.append(ctx.finding(
            file=chart_file, line=1, obj=chart_file,
            message=f"{(chart + '/') if chart else ''}templates/ holds Go templates: not read (Chart.yaml and "
                    "values files are)",
            hint="to check what the chart renders, run preflight on its `helm template` output"))
    return out
