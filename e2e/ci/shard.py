"""Split the collected tests across CI jobs: `--shard I/N` keeps every N-th test of the sorted ids.

Why jobs and not only pytest-xdist workers: each cluster test needs its own kind cluster and ~10 minutes of
bring-up; parallel jobs get parallel machines, xdist workers on one runner would fight for its 2 cores and
Docker. Sorted round-robin is deterministic (every job collects the same ids) and spreads each test module
across the shards.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_shard(text: str) -> tuple[int, int]:
    """`"2/4"` -> (2, 4): 1-based index and count. ValueError with one clear line otherwise."""
    match = _SHARD.match(text or "")
    if not match:
        raise ValueError(f"--shard must look like I/N (e.g. 1/3), got {text!r}")
    index, total = int(match.group(1)), int(match.group(2))
    if total < 1 or not 1 <= index <= total:
        raise ValueError(f"--shard {text}: need 1 <= I <= N and N >= 1")
    return index, total


def select_shard(nodeids: Sequence[str], index: int, total: int) -> list[str]:
    """The ids shard `index` of `total` runs (1-based). Every id lands in exactly one shard."""
    ordered = sorted(set(nodeids))
    return [nodeid for position, nodeid in enumerate(ordered) if position % total == index - 1]
