"""The scenario model: a reported failure as break steps, a symptom, recovery steps, a converged state and
the invariants that must hold on the way.

Why declarative: the same object is printed as a plan offline (`airflow-e2e scenario NAME --dry-run`), unit-
tested (its repository transforms on fixtures/gitops, its predicates on realistic API objects) and run against
a live stack by the runner. Everything that touches the cluster lives in a Step's `apply`; everything that
decides lives in pure predicates over `Snapshot`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from e2e.judgement import Judgement, all_of, any_of
from e2e.observe.snapshot import Snapshot

if TYPE_CHECKING:
    from e2e.contract import RunningStack


@dataclass
class Memory:
    """What a run remembers between its phases: the baseline, the symptom, and what it must put back."""

    before: Snapshot = field(default_factory=Snapshot)  # just before the first break step
    at_symptom: Snapshot | None = None
    admin_username: str = "admin"
    saved_files: dict[str, str | None] = field(default_factory=dict)  # repo path -> text before the break
    saved_payload: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)  # what the steps did, for the report (masked)
    probe_logs: dict[str, list[str]] = field(default_factory=dict)  # "probe/<label>" -> masked output lines


class Step(Protocol):
    """One operator action: a git commit, a Vault write, or a kubectl action."""

    def describe(self) -> str: ...

    def apply(self, stack: RunningStack, memory: Memory) -> None: ...


Predicate = Callable[[Snapshot, Memory], Judgement]


@dataclass(frozen=True)
class Check:
    """A described, pure predicate: `describe` is what a plan says the run will wait for."""

    describe: str
    predicate: Predicate

    def evaluate(self, obs: Snapshot, memory: Memory) -> Judgement:
        return self.predicate(obs, memory)

    def lines(self) -> list[str]:
        return [self.describe]


@dataclass(frozen=True)
class AllOf:
    checks: tuple[Check | AllOf | AnyOf, ...]

    @property
    def describe(self) -> str:
        return " AND ".join(c.describe for c in self.checks)

    def evaluate(self, obs: Snapshot, memory: Memory) -> Judgement:
        return all_of(c.evaluate(obs, memory) for c in self.checks)

    def lines(self) -> list[str]:
        return [line for c in self.checks for line in c.lines()]


@dataclass(frozen=True)
class AnyOf:
    checks: tuple[Check | AllOf | AnyOf, ...]

    @property
    def describe(self) -> str:
        return "(" + " OR ".join(c.describe for c in self.checks) + ")"

    def evaluate(self, obs: Snapshot, memory: Memory) -> Judgement:
        return any_of(c.evaluate(obs, memory) for c in self.checks)

    def lines(self) -> list[str]:
        return ["one of: " + "; ".join(c.describe for c in self.checks)]


Expectation = Check | AllOf | AnyOf
When = Literal["throughout", "end"]


@dataclass(frozen=True)
class Invariant:
    """Nothing lost: checked at every look while waiting ("throughout") or once converged ("end")."""

    describe: str
    predicate: Predicate  # ok when it holds, failed (with evidence) when it does not
    when: When = "throughout"
    reads_users: bool = False  # needs the Airflow usernames (an `airflow users list` in the scheduler)

    def evaluate(self, obs: Snapshot, memory: Memory) -> Judgement:
        return self.predicate(obs, memory)


@dataclass(frozen=True)
class Scenario:
    name: str
    entry: int  # FAILURES.md entry number
    title: str  # FAILURES.md entry title
    reproduces: str  # one sentence: what the break does, in an operator's words
    break_: tuple[Step, ...]
    symptom: Expectation
    symptom_within: float  # seconds, before RunConfig.timeout scaling
    recovery: tuple[Step, ...]
    converged: Expectation
    converge_within: float
    invariants: tuple[Invariant, ...] = ()
    counterparts: tuple[str, ...] = ()  # "preflight:<rule id>" or "components:<check name>"
    log_sources: tuple[tuple[str, str], ...] = ()  # (pod component label, container) whose logs to read
    probes: tuple[Step, ...] = ()  # run at every look while waiting for the symptom (their output is a log)
    sources: tuple[str, ...] = ()  # upstream issues and docs, as FAILURES.md cites them
    notes: str = ""

    @property
    def reads_users(self) -> bool:
        return any(i.reads_users for i in self.invariants)

    def steps(self) -> tuple[Step, ...]:
        return self.break_ + self.recovery
