"""Markdown for the CI job summary: each failed test with its class, and how to reproduce the run locally.

Usage: `python -m e2e.ci.summary artifacts/ci >> "$GITHUB_STEP_SUMMARY"` (prints nothing when nothing failed).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from e2e.ci.classify import INFRASTRUCTURE
from e2e.ci.pytest_hooks import BUNDLE_FILE
from e2e.ci.rerun import read_failures


def summary_markdown(failures: Sequence[dict], has_bundle: bool, rerun: Sequence[dict] | None = None) -> str:
    """`rerun`: the rerun's failures, or None when no rerun happened."""
    if not failures:
        return ""
    failed_again = {f["nodeid"] for f in rerun or ()}
    lines = ["### Failed tests by cause", "", "| test | phase | class | rule | rerun |", "|---|---|---|---|---|"]
    for f in failures:
        retried = rerun is not None and f.get("failure_class") == INFRASTRUCTURE
        verdict = ("failed again" if f["nodeid"] in failed_again else "passed") if retried else "-"
        cells = [f"`{f['nodeid']}`", f.get("phase", ""), f.get("failure_class", ""), f.get("rule", ""), verdict]
        lines.append("| " + " | ".join(cells) + " |")
    if has_bundle:
        lines += ["", "Reproduce locally: download this job's artifact, then",
                  "`airflow-e2e reproduce ci/bundle.json` (add `--dry-run` to see the command first)."]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m e2e.ci.summary CI_OUT_DIR", file=sys.stderr)
        return 2
    out = Path(args[0])
    rerun = read_failures(out / "rerun") if (out / "rerun").is_dir() else None
    text = summary_markdown(read_failures(out), (out / BUNDLE_FILE).exists(), rerun)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
