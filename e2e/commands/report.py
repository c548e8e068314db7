"""`airflow-e2e report TIMELINE.json [--out report.html] [--junit FILE]`: re-check a saved timeline and render
the HTML report (and JUnit XML for CI).

Why a command: a failed nightly run leaves its timeline as an artifact; this turns it into the picture and the
verdicts again, offline, with today's checks. Exit 0 when every check passes, 1 when one fails, 2 for unusable
input.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from e2e import safe_files, versions
from e2e.checks.expect import Expectations
from e2e.checks.suite import timeline_checks
from e2e.checks.verdict import Verdict
from e2e.config import DEFAULT_GITOPS_DIR
from e2e.errors import UnusableInput
from e2e.gitops import load_repository
from e2e.gitops.yamlio import safe_load
from e2e.masking import Masker, secret_values
from e2e.observe.timeline import Timeline
from e2e.report import junit
from e2e.report.html import write_report
from e2e.report.moments import check_moments
from e2e.report.summary import durations

MAX_TIMELINE_BYTES = 256 * 1024 * 1024


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("timeline", type=Path, help="a timeline JSON saved by a run (artifacts/.../timeline.json)")
    parser.add_argument("--out", type=Path, help="HTML file to write (default: next to the timeline, .html)")
    parser.add_argument("--junit", type=Path, help="also write the verdicts as JUnit XML")
    parser.add_argument("--gitops-dir", type=Path, default=DEFAULT_GITOPS_DIR,
                        help="the GitOps repository the run used (names of Applications, Secrets, Jobs)")
    parser.add_argument("--chart-version", help="chart version of the run (default: from the timeline, else pinned)")
    parser.add_argument("--verdicts", type=Path, help="extra verdicts JSON (a list) recorded by the run")
    parser.add_argument("--payload", type=Path, help="the run's payload: its values are masked in the output")
    parser.add_argument("--title", help="report title")


def _load_json(path: Path, what: str) -> object:
    """A JSON file from someone else (regular file, bounded; FIFOs and /dev/zero refused: e2e.safe_files)."""
    if not path.exists():
        raise UnusableInput(f"{path}: no such {what} file")
    text = safe_files.read_text(path, limit=MAX_TIMELINE_BYTES, shown_as=str(path))
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:  # broken JSON, 5,000-digit integers, nesting too deep
        raise UnusableInput(f"{path}: not a readable JSON {what} ({type(exc).__name__})") from None


def run(args: argparse.Namespace) -> int:
    data = _load_json(args.timeline, "timeline")
    try:
        timeline = Timeline.from_json(data)  # type: ignore[arg-type]
    except (ValueError, KeyError, TypeError) as exc:
        raise UnusableInput(f"{args.timeline}: not a timeline ({exc})") from None
    chart = args.chart_version or timeline.metadata.get("chart") or versions.PINNED_CHART
    try:
        airflow = timeline.metadata.get("airflow") or versions.airflow_version_for_chart(chart)
    except KeyError as exc:
        raise UnusableInput(str(exc.args[0])) from None
    repo = load_repository(args.gitops_dir)
    try:
        exp = Expectations.from_repository(repo, airflow)
    except ValueError as exc:
        raise UnusableInput(f"{args.gitops_dir}: {exc}") from None
    masker = Masker()
    if args.payload:
        masker.add(secret_values(safe_load(safe_files.read_text(args.payload), str(args.payload))))
    verdicts = timeline_checks(timeline, exp)
    extra = _load_json(args.verdicts, "verdicts") if args.verdicts else timeline.metadata.get("verdicts") or []
    if not isinstance(extra, list):
        raise UnusableInput("verdicts must be a JSON list of {name, ok, evidence}")
    known = {v.name for v in verdicts}
    try:
        verdicts += [v for v in (Verdict.from_json(item) for item in extra) if v.name not in known]
    except (KeyError, TypeError) as exc:
        raise UnusableInput(f"verdicts: each needs name, ok, evidence ({exc})") from None
    version_info = {"chart": chart, "airflow": airflow, **{k: timeline.metadata[k] for k in ("run_id",)
                                                           if k in timeline.metadata}}
    took = durations(timeline)
    out = args.out or args.timeline.with_suffix(".html")
    for target in (out, args.junit):
        if target is not None and target.is_dir():
            raise UnusableInput(f"{target}: is a directory; give a file name (see airflow-e2e report --help)")
    try:
        write_report(out, timeline, verdicts, masker, title=args.title or f"airflow-e2e report: {args.timeline.name}",
                     versions=version_info, durations=took, moments=check_moments(timeline, exp))
        if args.junit:
            junit.write_junit(args.junit, verdicts, masker,
                              props=junit.properties([], masker, durations=took, versions=version_info))
    except OSError as exc:
        raise UnusableInput(f"{exc.filename or out}: cannot write: {exc.strerror or exc}") from None
    failed = [v for v in verdicts if not v.ok]
    print(f"wrote {out}: {len(verdicts) - len(failed)} of {len(verdicts)} checks passed")
    for v in failed:
        print(masker.mask(f"FAIL {v.name}: {v.evidence[0] if v.evidence else ''}"))
    return 1 if failed else 0
