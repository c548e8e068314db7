"""The recorded runs (fixtures/timelines) for the hostile-input tests."""

from __future__ import annotations

import sys
from pathlib import Path

UNIT = str(Path(__file__).resolve().parents[1])
if UNIT not in sys.path:
    sys.path.insert(0, UNIT)

from timeline_fixtures import *  # noqa: E402, F403
