"""Print the nightly matrix as JSON, read from e2e/versions.py, so versions live in one place.

Usage in a workflow: `python -m e2e.ci.matrix` -> `{"include": [{"chart": ..., "kubernetes": ...,
"node_image": ...}, ...]}` for `strategy.matrix: ${{ fromJSON(needs.matrix.outputs.matrix) }}`.
"""

from __future__ import annotations

import json
import sys

from e2e import versions


def chart_versions() -> list[str]:
    """The pinned chart and the latest one (once, if they are the same)."""
    return list(dict.fromkeys([versions.PINNED_CHART, versions.LATEST_CHART]))


def node_images() -> dict[str, str]:
    """Kubernetes minor -> digest-pinned kind node image; empty until the cluster tier pins them."""
    return dict(getattr(versions, "KIND_NODE_IMAGES", {}))


def nightly_matrix() -> dict[str, list[dict[str, str]]]:
    images = node_images() or {"default": ""}
    include = [
        {"chart": chart, "kubernetes": minor, "node_image": image}
        for chart in chart_versions()
        for minor, image in images.items()
    ]
    return {"include": include}


def main() -> int:
    json.dump(nightly_matrix(), sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
