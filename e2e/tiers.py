"""`airflow-e2e test`: the tiers as phases, each through pytest (preflight in-process), one verdict for the run.

Why a separate pytest process per suite: a Ctrl-C must stop it at once and end everything it started (see
e2e/processes.py), and a phase's session fixtures (servers, a cluster) must be gone before the next starts.
The outcome is read from the phase's JUnit: a skipped test is never a pass, so a phase with a skip is not
green (exit 1, the skip's reason printed); a tier that cannot run on this machine is refused before anything
runs (exit 2, one sentence). Everything goes under the artifacts folder: junit/<phase>.xml, report.html,
summary.json (what was decided, also after an interrupt), ci/<phase>/ (failure classes) and the suites' own
per-test diagnostics.
"""

from __future__ import annotations

import importlib.util
import json
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Literal

from e2e import processes
from e2e.config import RunConfig
from e2e.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, UnusableInput

TIERS: dict[str, tuple[str, ...]] = {
    "preflight": ("preflight",),
    "components": ("components",),
    "cluster": ("cluster",),
    "all": ("preflight", "components", "cluster"),
}
GRACE_SECONDS = 20.0  # after the first Ctrl-C: time for the suite's own teardown before everything is killed
Outcome = Literal["passed", "failed", "interrupted", "not run"]


@dataclass
class PhaseResult:
    name: str
    outcome: Outcome = "not run"
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    junit: str | None = None
    notes: list[str] = field(default_factory=list)  # skip reasons, failing test ids: what decided it


@dataclass
class Interrupts:
    """Ctrl-C as the run sees it: the first asks the running phase to stop, the second ends everything now."""
    count: int = 0
    child: subprocess.Popen[bytes] | None = None

    def handle(self, signum: int, frame: object) -> None:
        self.count += 1
        if self.child is None:
            return
        if self.count == 1:
            processes.signal_group(self.child.pid, signal.SIGINT)
        else:
            processes.kill_all_below()


def precheck(config: RunConfig, phases: Sequence[str]) -> None:
    """Refuse, before anything runs, a tier this machine cannot run or inputs it cannot use: one sentence."""
    if "components" in phases:
        from e2e.components import binaries, inputs, upgrade_path

        missing = binaries.missing(binaries.COMPONENT_TIER)
        if missing:
            raise UnusableInput(f"the component tier cannot run here: {missing[0]}")
        found = inputs.load_inputs(config.gitops_dir, chart_version=config.chart_version,
                                   airflow_version=config.airflow_version)
        if config.payload_file is not None:
            inputs.db_login(inputs.load_payload(config.payload_file))
        if config.upgrade_from is not None:
            upgrade_path.resolve(config.upgrade_from, found.chart_version, found.airflow_version)
    if "cluster" in phases:
        from e2e.cluster.fixtures import unavailable_reason

        reason = unavailable_reason(config)
        if reason:
            raise UnusableInput(f"the cluster tier cannot run here: {reason}")


def run_preflight_phase(config: RunConfig, out: Path, say: Callable[[str], None]) -> PhaseResult:
    from e2e.checks.verdict import Verdict
    from e2e.masking import Masker
    from e2e.preflight.engine import run_preflight
    from e2e.preflight.output import to_json, to_text
    from e2e.report.junit import write_junit

    start = time.monotonic()
    report = run_preflight(config.gitops_dir, config.payload_file)
    masker = Masker(report.secrets)
    (out / "preflight.json").write_text(to_json(report, masker) + "\n", encoding="utf-8")
    say(to_text(report, masker))
    errors = [f for f in report.findings if f.severity == "error"]
    verdicts = [Verdict(f"preflight {f.rule}", False, [masker.mask(f"{f.file}:{f.line}: {f.message}")])
                for f in errors] or [Verdict("preflight: no errors", True, [f"{config.gitops_dir}"])]
    junit = write_junit(out / "junit" / "preflight.xml", verdicts, masker, suite="airflow-e2e preflight")
    return PhaseResult("preflight", "failed" if errors else "passed", passed=0 if errors else 1,
                       failed=len(errors), seconds=round(time.monotonic() - start, 1), junit=str(junit),
                       notes=[v.evidence[0] for v in verdicts if not v.ok][:20])


def suite_argv(suite: Path, config: RunConfig, junit: Path, ci_out: Path, extra: Sequence[str] = (),
               select: Sequence[str] = ()) -> list[str]:
    """pytest on the suite (or on `select`: node ids inside it, e.g. `test_broker.py`, `test_x.py::test_y[a]`)."""
    from e2e.options import to_pytest_args

    # no pytest-xdist: measured on 2 cores it does not help (docs/components.md "Speed")
    targets = [f"{suite}/{node}" for node in select] or [str(suite)]
    # benchmarks are `make bench-chain`'s: a tier run measures nothing (a cold benchmark builds a venv)
    no_bench = ("--benchmark-disable",) if importlib.util.find_spec("pytest_benchmark") else ()
    return [sys.executable, "-m", "pytest", *targets, "-p", "e2e.fixtures", "-p", "no:cacheprovider",
            f"--rootdir={suite.parent}", "-q", "-rfEs", f"--junitxml={junit}", "--e2e-ci-out", str(ci_out),
            *no_bench, *to_pytest_args(config), *extra]


def read_junit(path: Path) -> tuple[int, int, int, list[str]]:
    """(passed, failed, skipped, notes) from a pytest JUnit file; notes name failures and skip reasons."""
    passed = failed = skipped = 0
    notes: list[str] = []
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return 0, 0, 0, ["no JUnit written"]
    for case in root.iter("testcase"):
        name = f"{case.get('classname', '')}::{case.get('name', '')}"
        bad = case.find("failure") if case.find("failure") is not None else case.find("error")
        skip = case.find("skipped")
        if bad is not None:
            failed += 1
            message = (bad.get("message") or "").strip().splitlines()
            notes.append(f"FAILED {name}: {message[0][:200] if message else ''}")
        elif skip is not None:
            skipped += 1
            notes.append(f"SKIPPED {name}: {(skip.get('message') or '')[:200]}")
        else:
            passed += 1
    return passed, failed, skipped, notes


def run_suite_phase(name: str, suite: Path, config: RunConfig, out: Path, interrupts: Interrupts,
                    extra: Sequence[str] = (), select: Sequence[str] = (),
                    stdout: IO[str] | None = None) -> PhaseResult:
    junit = out / "junit" / f"{name}.xml"
    junit.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    # in its own session (a Ctrl-C reaches it through us), working in the artifacts folder: whatever a plugin of
    # the user's environment writes into the working directory (.benchmarks, .hypothesis) stays in there
    workdir = out / "pytest"
    workdir.mkdir(parents=True, exist_ok=True)
    child = subprocess.Popen(suite_argv(suite, config, junit, out / "ci" / name, extra, select),
                             start_new_session=True, cwd=workdir, stdout=stdout)
    interrupts.child = child
    try:
        code = _wait(child, interrupts)
    finally:
        interrupts.child = None
        processes.kill_all_below()  # stragglers: servers a killed (or careless) phase left behind
        processes.reap()
    passed, failed, skipped, notes = read_junit(junit)
    if interrupts.count:
        outcome: Outcome = "interrupted"
    elif code == 0 and failed == 0 and skipped == 0 and passed > 0:
        outcome = "passed"
    else:
        outcome = "failed"
        if code not in (0, 1) and not notes:
            notes.append(f"pytest exited {code} (usage error or internal error; see its output above)")
        if passed == failed == skipped == 0 and code in (0, 5):
            notes.append("no test ran")
    return PhaseResult(name, outcome, passed, failed, skipped, round(time.monotonic() - start, 1),
                       str(junit), notes)


def _wait(child: subprocess.Popen[bytes], interrupts: Interrupts) -> int:
    """The child's exit code; after a Ctrl-C, GRACE_SECONDS for its teardown, then everything is killed."""
    deadline: float | None = None
    while True:
        try:
            return child.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            processes.reap_adopted(keep=child.pid)
        if interrupts.count and deadline is None:
            deadline = time.monotonic() + GRACE_SECONDS
        if deadline is not None and time.monotonic() > deadline:
            processes.kill_all_below()


def write_summary(out: Path, config: RunConfig, tier: str, results: Sequence[PhaseResult], code: int) -> Path:
    path = out / "summary.json"
    document = {"tier": tier, "exit_code": code, "interrupted": code == EXIT_INTERRUPTED,
                "gitops_dir": str(config.gitops_dir), "chart_version": config.chart_version,
                "upgrade_from": config.upgrade_from, "run_id": config.run_id,
                "phases": [asdict(r) for r in results]}
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return path


def write_html(out: Path, config: RunConfig, results: Sequence[PhaseResult]) -> Path:
    """The run's report: one verdict per phase with what decided it (the suites keep per-test reports)."""
    from e2e.checks.verdict import Verdict
    from e2e.masking import Masker
    from e2e.observe.timeline import Timeline
    from e2e.report.html import write_report

    verdicts = [Verdict(f"{r.name}: {r.outcome}", r.outcome == "passed",
                        [f"{r.passed} passed, {r.failed} failed, {r.skipped} skipped in {r.seconds} s", *r.notes])
                for r in results]
    path = out / "report.html"
    write_report(path, Timeline(), verdicts, Masker([]), title=f"airflow-e2e test: {config.gitops_dir.name}",
                 versions={"chart": config.chart_version, "run_id": config.run_id})
    return path


def run_tier(config: RunConfig, tier: str, say: Callable[[str], None] = print,
             suites: dict[str, Path] | None = None, extra: Sequence[str] = (), select: Sequence[str] = (),
             stdout: IO[str] | None = None) -> int:
    """Run the tier's phases in order; stop at the first that cannot pass; exit code of the contract.
    `suites` replaces the shipped suites (the runner's own tests); the machine is then not prechecked.
    `select`: node ids inside the (one) suite phase's suite (`components --only`, `scenario NAME`); `stdout`:
    where pytest's output goes (stderr when the caller prints JSON)."""
    from e2e import suites as shipped

    phases = TIERS[tier]
    if suites is None:
        suites = {"components": shipped.COMPONENTS, "cluster": shipped.CLUSTER}
        precheck(config, [p for p in phases if p in ("components", "cluster")])
    out = config.artifacts_dir
    out.mkdir(parents=True, exist_ok=True)
    results = [PhaseResult(p) for p in phases]
    interrupts = Interrupts()
    previous = signal.signal(signal.SIGINT, interrupts.handle)
    processes.become_subreaper()
    code = EXIT_OK
    try:
        for index, phase in enumerate(phases):
            say(f"== {phase}: {config.gitops_dir} (chart {config.chart_version}) ==")
            if phase == "preflight":
                results[index] = run_preflight_phase(config, out, say)
            else:
                results[index] = run_suite_phase(phase, suites[phase], config, out, interrupts, extra, select, stdout)
            result = results[index]
            say(f"== {phase}: {result.outcome}: {result.passed} passed, {result.failed} failed, "
                f"{result.skipped} skipped in {result.seconds} s ==")
            for note in result.notes[:20]:
                say(f"   {note}")
            if interrupts.count:
                code = EXIT_INTERRUPTED
                break
            if result.outcome != "passed":
                code = EXIT_FAILED
                break
    except KeyboardInterrupt:  # a Ctrl-C between phases, or during preflight
        code = EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGINT, previous)
        if interrupts.count:
            code = EXIT_INTERRUPTED
        write_summary(out, config, tier, results, code)
        write_html(out, config, results)
    if code == EXIT_INTERRUPTED:
        done = ", ".join(f"{r.name} {r.outcome}" for r in results)
        print(f"airflow-e2e test: interrupted ({done}); nothing left running; what was decided: {out}/summary.json",
              file=sys.stderr)
    else:
        say(f"airflow-e2e test: {'passed' if code == 0 else 'FAILED'}; JUnit, report and diagnostics: {out}")
    return code

