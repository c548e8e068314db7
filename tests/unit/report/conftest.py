"""Realistic runs (fixtures/timelines/runs.py): watch streams in the API's JSON shapes, and their timelines.

The fixtures shared with the other timeline tests (runs, repo, example_payload, masker) live in
tests/unit/timeline_fixtures.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

UNIT = str(Path(__file__).resolve().parents[1])
if UNIT not in sys.path:
    sys.path.insert(0, UNIT)

from timeline_fixtures import *  # noqa: E402, F403  (runs, repo, example_payload, masker: pytest finds them here)
