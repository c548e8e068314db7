"""Shard selection and the nightly matrix (read from e2e/versions.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from e2e import versions
from e2e.ci.matrix import nightly_matrix
from e2e.ci.shard import parse_shard, select_shard

pytestmark = pytest.mark.unit

IDS = [f"tests/cluster/test_recovery.py::test_failure_{n:02d}_recovers" for n in range(1, 17)]


def test_every_test_lands_in_exactly_one_shard():
    shards = [select_shard(IDS, i, 3) for i in (1, 2, 3)]
    assert sorted(i for shard in shards for i in shard) == sorted(IDS)
    assert max(map(len, shards)) - min(map(len, shards)) <= 1


def test_selection_does_not_depend_on_collection_order():
    assert select_shard(IDS, 2, 3) == select_shard(list(reversed(IDS)), 2, 3)


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "a/b", "2"])
def test_bad_shard_text_is_refused(text):
    with pytest.raises(ValueError):
        parse_shard(text)


def test_matrix_crosses_pinned_and_latest_chart_with_every_node_image():
    include = nightly_matrix()["include"]
    assert {row["chart"] for row in include} == {versions.PINNED_CHART, versions.LATEST_CHART}
    images = getattr(versions, "KIND_NODE_IMAGES", {})
    assert len(include) == 2 * max(len(images), 1)
    assert all("@sha256:" in row["node_image"] for row in include) or not images


def test_matrix_prints_as_one_json_line():
    out = subprocess.run([sys.executable, "-m", "e2e.ci.matrix"], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == nightly_matrix() and out.count("\n") == 1
