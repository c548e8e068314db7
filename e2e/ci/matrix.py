"""Print the nightly matrix as JSON, read from e2e/versions.py, so versions live in one place.

Usage in a workflow: `python -m e2e.ci.matrix --github-output >> "$GITHUB_OUTPUT"` gives the step outputs
`matrix` (`{"include": [{"chart", "kubernetes", "node_image"}, ...]}` for `strategy.matrix:
${{ fromJSON(needs.<job>.outputs.matrix) }}`), `pinned`, `latest` and `node_image` (the default one).
Without the flag it prints the matrix JSON alone.
"""

from __future__ import annotations

import json
import sys

from e2e import versions


def chart_versions() -> list[str]:
    """The pinned chart and the latest one (once, if they are the same)."""
    return list(dict.fromkeys([versions.PINNED_CHART, versions.LATEST_CHART]))


def nightly_matrix() -> dict[str, list[dict[str, str]]]:
    """Every chart version on every pinned Kubernetes minor's digest-pinned kind node image."""
    return {"include": [{"chart": chart, "kubernetes": minor, "node_image": image}
                        for chart in chart_versions() for minor, image in versions.KIND_NODE_IMAGES.items()]}


def github_outputs() -> dict[str, str]:
    return {"matrix": json.dumps(nightly_matrix(), separators=(",", ":")), "pinned": versions.PINNED_CHART,
            "latest": versions.LATEST_CHART, "node_image": versions.node_image()}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--github-output"]:
        sys.stdout.write("".join(f"{key}={value}\n" for key, value in github_outputs().items()))
    elif not args:
        sys.stdout.write(json.dumps(nightly_matrix(), separators=(",", ":")) + "\n")
    else:
        print("usage: python -m e2e.ci.matrix [--github-output]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
