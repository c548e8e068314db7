"""Preflight speed, measured side by side in one run (issue 14 point 7); prints three ratios.

1. start-up: `airflow-e2e preflight fixtures/gitops` as a fresh process / `python -c "import yaml"` (same
   interpreter, interleaved runs, median of N): a linter-like command should stay within 4x.
2. a 700 KB CRD: the loader preflight uses / the pure-Python loader (below 1 means the fast path is taken).
3. scale: preflight on 1,000 Applications / on 500 Applications (about 2 means linear).

Run: .venv/bin/python scripts/preflight_speed.py [--runs N]   (also: make bench)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "unit" / "preflight")]


# Both commands run as an installed package does: with bytecode (pip compiles .pyc at install). A shell that
# sets PYTHONDONTWRITEBYTECODE would otherwise make only our side recompile its sources in every process.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def fresh_process_seconds(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=ENV)
    return time.perf_counter() - started


def startup_ratio(runs: int) -> tuple[float, float]:
    yaml_cmd = [sys.executable, "-c", "import yaml"]
    preflight_cmd = [sys.executable, "-m", "e2e.cli", "preflight", str(ROOT / "fixtures" / "gitops")]
    fresh_process_seconds(preflight_cmd)  # fills the user cache (HCL), as any first run does
    yaml_times, preflight_times = [], []
    for _ in range(runs):
        yaml_times.append(fresh_process_seconds(yaml_cmd))
        preflight_times.append(fresh_process_seconds(preflight_cmd))
    return statistics.median(yaml_times), statistics.median(preflight_times)


def crd_ratio() -> tuple[float, float, int]:
    from corpus_tools import big_crd_text

    from e2e.gitops import yamlio

    text = big_crd_text()
    def timed(loader: type) -> float:
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            yamlio.load_documents_with(text, "crd.yaml", loader)
            best = min(best, time.perf_counter() - started)
        return best

    used = yamlio.loader_for(text)
    return timed(used), timed(yamlio._LineLoader), len(text)


def scale_ratio() -> tuple[float, float]:
    from test_preflight_benchmark import generate_repository

    from e2e.preflight.engine import run_preflight

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for count in (500, 1000):
            root = generate_repository(Path(tmp) / f"r{count}", count)
            best = float("inf")
            for _ in range(3):
                started = time.perf_counter()
                run_preflight(root)
                best = min(best, time.perf_counter() - started)
            out.append(best)
    return out[0], out[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--skip-scale", action="store_true")
    args = parser.parse_args()
    yaml_s, preflight_s = startup_ratio(args.runs)
    print(f"start-up: import yaml {yaml_s * 1000:.0f} ms, preflight {preflight_s * 1000:.0f} ms, "
          f"ratio {preflight_s / yaml_s:.1f}x (target <= 4x)")
    fast, slow, size = crd_ratio()
    print(f"CRD {size // 1024} KB: preflight's loader {fast * 1000:.0f} ms, pure Python {slow * 1000:.0f} ms, "
          f"ratio {fast / slow:.2f}")
    if not args.skip_scale:
        five, thousand = scale_ratio()
        print(f"scale: 500 Applications {five * 1000:.0f} ms, 1,000 Applications {thousand * 1000:.0f} ms, "
              f"ratio {thousand / five:.2f} (linear = 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
