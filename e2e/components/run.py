"""One component-tier run: inputs -> servers -> checks -> masked results on disk. Used by the CLI.

Why a function: bring-up failures become a structured "error" result (exit 1) instead of a traceback, and
server logs are copied (masked) into the artifacts before the temp dirs are removed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from e2e.components import airflow_venv, binaries, upgrade_path
from e2e.components.results import CheckResult, Recorder, to_document, write_json
from e2e.components.stack import ComponentStack, StackOptions
from e2e.components.suite import ComponentSuite, select
from e2e.errors import UnusableInput

REQUIRED = ("initdb", "pg_ctl", "pg_isready", "psql", "redis-server", "sshd", "ssh", "ssh-keygen", "git",
            "git-shell")


@dataclass
class RunOutcome:
    results: list[CheckResult]
    document: dict[str, Any]
    artifacts: Path


def require_binaries() -> None:
    reasons = binaries.missing(REQUIRED)
    if reasons:
        raise UnusableInput(reasons[0] + (f" (and {len(reasons) - 1} more missing)" if len(reasons) > 1 else ""))


def keep_server_logs(stack: ComponentStack) -> None:
    folder = stack.artifacts / "servers"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in stack.server_logs().items():
        (folder / f"{name}.log").write_text(stack.masker.mask(text), encoding="utf-8")


def run_components(options: StackOptions, only: list[str] | None = None,
                   upgrade_from: str | None = None) -> RunOutcome:
    require_binaries()
    names = select(only, upgrade=upgrade_from is not None)
    if not names and upgrade_from is None and upgrade_path.NAME in (only or []):
        raise UnusableInput(f"--only {upgrade_path.NAME} needs --upgrade-from CHART (the chart to upgrade from)")
    if not names:
        raise UnusableInput(f"--only {','.join(only or [])}: no such check or group")
    options.need_airflow = any(not n.startswith(("broker.", "git-sync.")) for n in names)
    stack = ComponentStack.prepare(options)
    start = time.monotonic()
    rec = Recorder(stack.masker, stack.artifacts)
    try:
        upgrade = upgrade_path.resolve(upgrade_from, stack.inputs.chart_version, stack.inputs.airflow_version) \
            if upgrade_from is not None else None
        try:
            stack.start()
        except airflow_venv.VenvBuildFailed as exc:
            raise UnusableInput(str(exc)) from None
        except binaries.MissingBinary as exc:
            raise UnusableInput(str(exc)) from None
        except Exception as exc:
            results = [rec.result("bring-up", "error", time.monotonic() - start,
                                  f"servers did not come up: {type(exc).__name__}: {str(exc)[:300]}")]
        else:
            rec = Recorder(stack.masker, stack.artifacts)  # the masker now knows the rewritten payload too
            results = ComponentSuite(stack, rec, upgrade=upgrade).run(names)
            keep_server_logs(stack)
        meta = {
            "gitops_dir": str(options.gitops_dir), "chart_version": stack.inputs.chart_version,
            "airflow_version": stack.inputs.airflow_version, "airflow_version_source": stack.inputs.version_source,
            **({"upgrade_from": upgrade.old_chart} if upgrade else {}),
            "notes": stack.notes, "artifacts": str(stack.artifacts), "seconds": round(time.monotonic() - start, 1),
        }
        document = to_document(results, meta, stack.masker)
        write_json(stack.artifacts / "results.json", document)
        return RunOutcome(results, document, stack.artifacts)
    finally:
        stack.stop()
