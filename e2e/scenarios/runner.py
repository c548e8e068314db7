"""Run one scenario against a running stack: baseline, break, symptom, recovery, convergence, invariants.

Why the recovery always runs: scenarios share one session's stack, so even when the symptom never shows the
run still puts things back (and waits for convergence) before it reports the first failure. Every wait is the
shared `eventually()` with a monotonic deadline scaled by RunConfig.timeout; a "throughout" invariant that
breaks ends the wait at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from e2e.judgement import Judgement, failed
from e2e.observe.snapshot import Snapshot
from e2e.observe.wait import Failed, Ok, Pending, WaitError, eventually
from e2e.scenarios.collect import observe
from e2e.scenarios.model import Expectation, Memory, Scenario

if TYPE_CHECKING:
    from e2e.contract import RunningStack

POLL_SECONDS = 2.0


@dataclass
class Phase:
    name: str
    ok: bool
    seconds: float
    evidence: list[str] = field(default_factory=list)


@dataclass
class ScenarioResult:
    scenario: str
    entry: int
    phases: list[Phase] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.phases)

    def to_json(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "entry": self.entry, "ok": self.ok, "notes": self.notes,
                "phases": [vars(p) for p in self.phases]}


class ScenarioFailed(AssertionError):
    def __init__(self, result: ScenarioResult, reason: str) -> None:
        self.result = result
        super().__init__(f"scenario {result.scenario} (FAILURES.md {result.entry}): {reason}")


def judge(expect: Expectation, obs: Snapshot, memory: Memory, scenario: Scenario) -> Judgement:
    """One look: a broken "throughout" invariant fails it, else the expectation decides."""
    for invariant in scenario.invariants:
        if invariant.when == "throughout":
            held = invariant.evaluate(obs, memory)
            if held.failed:
                return failed(f"invariant broken: {invariant.describe}", *held.evidence)
    return expect.evaluate(obs, memory)


def run(scenario: Scenario, stack: RunningStack, log: Callable[[str], None] = lambda _line: None) -> ScenarioResult:
    result = ScenarioResult(scenario.name, scenario.entry)
    payload_user = ((stack.payload.get("createUserJob") or {}).get("defaultUser") or {}).get("username")
    memory = Memory(admin_username=payload_user or "admin")
    memory.before = observe(stack, scenario, memory, users=scenario.reads_users)
    errors: list[str] = []

    def wait(phase: str, expect: Expectation, within: float, probes=()) -> Snapshot | None:
        started, last = time.monotonic(), [Judgement("pending")]

        def check():
            for probe in probes:
                probe.apply(stack, memory)
            obs = observe(stack, scenario, memory)
            outcome = judge(expect, obs, memory, scenario)
            last[0] = outcome
            if outcome.ok:
                return Ok(obs)
            reason = "; ".join(outcome.evidence) or outcome.state
            return Failed(reason) if outcome.failed else Pending(reason)

        log(f"{phase}: waiting up to {stack.config.timeout(within):.0f} s for {expect.describe}")
        try:
            obs = eventually(check, timeout=stack.config.timeout(within), interval=POLL_SECONDS,
                             describe=f"{scenario.name} {phase}", masker=stack.masker)
        except WaitError as exc:
            result.phases.append(Phase(phase, False, time.monotonic() - started, [str(exc)]))
            errors.append(str(exc))
            return None
        result.phases.append(Phase(phase, True, time.monotonic() - started, list(last[0].evidence)))
        return obs

    def act(phase: str, steps) -> bool:
        started = time.monotonic()
        for step in steps:
            log(f"{phase}: {step.describe()}")
            try:
                step.apply(stack, memory)
            except Exception as exc:  # reported as the phase's failure, masked
                reason = stack.masker.mask(f"{step.describe()}: {type(exc).__name__}: {exc}")
                result.phases.append(Phase(phase, False, time.monotonic() - started, [reason]))
                errors.append(reason)
                return False
        result.phases.append(Phase(phase, True, time.monotonic() - started, [s.describe() for s in steps]))
        return True

    if act("break", scenario.break_):
        memory.at_symptom = wait("symptom", scenario.symptom, scenario.symptom_within, scenario.probes)
    memory.probe_logs.clear()
    act("recovery", scenario.recovery)
    final = wait("converged", scenario.converged, scenario.converge_within)
    if final is not None:
        final = observe(stack, scenario, memory, users=scenario.reads_users)
        started = time.monotonic()
        broken = [(i, i.evaluate(final, memory)) for i in scenario.invariants]
        evidence = [f"{i.describe}: {o.describe()}" for i, o in broken]
        ok = not any(o.failed for _i, o in broken)
        result.phases.append(Phase("invariants", ok, time.monotonic() - started, evidence))
        if not ok:
            errors.append("; ".join(e for (_i, o), e in zip(broken, evidence, strict=True) if o.failed))
    result.notes = [stack.masker.mask(n) for n in memory.notes]
    if errors:
        raise ScenarioFailed(result, errors[0])
    return result
