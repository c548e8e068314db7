"""The values' createUserJob script, judged as written: its own `airflow db check-migrations` gate or none.

Why its own module: the component checks and the local chain both run the values' script; a script without
the gate must be reported as a missing gate in both, never replaced by the chart's default command.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from e2e.gitops import get_path

_GATE = "airflow db check-migrations"
_WAIT = re.compile(r"--migration-wait-timeout(?:=|\s+)\S+")


def job_argv(values: dict[str, Any], job: str) -> list[str]:
    """A chart Job's `command` + `args` from the values (`createUserJob`, `migrateDatabaseJob`), as strings."""
    parts = [get_path(values, f"{job}.command"), get_path(values, f"{job}.args")]
    return [str(a) for p in parts if isinstance(p, list) for a in p]


def migration_gate(job_argv: list[str]) -> list[str] | None:
    """The `airflow db check-migrations ...` command of a createUserJob script (its last argument), or None
    when the script has none. Judgement shared by every tier that runs the script."""
    script = job_argv[-1] if job_argv else ""
    for line in script.splitlines():
        code = line.split("#", 1)[0].strip().rstrip("\\").strip()
        if _GATE in code:
            try:
                words = shlex.split(code)
            except ValueError:
                return code.split()
            start = next((i for i, w in enumerate(words) if w.endswith("airflow")), 0)
            return words[start:]
    return None


def shortened_gate(job_argv: list[str], seconds: int) -> list[str]:
    """The same script with only the gate's `--migration-wait-timeout` set to `seconds` (added if absent)."""
    lines = []
    for line in job_argv[-1].splitlines():
        if _GATE in line.split("#", 1)[0]:
            line = _WAIT.sub(f"--migration-wait-timeout={seconds}", line) if _WAIT.search(line) else \
                line.replace(_GATE, f"{_GATE} --migration-wait-timeout={seconds}", 1)
        lines.append(line)
    return [*job_argv[:-1], "\n".join(lines) + ("\n" if job_argv[-1].endswith("\n") else "")]
