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


def github_outputs() -> dict[str, str]:
    images = node_images()
    default = images.get(getattr(versions, "DEFAULT_KUBERNETES", ""), next(iter(images.values()), ""))
    return {"matrix": json.dumps(nightly_matrix(), separators=(",", ":")), "pinned": versions.PINNED_CHART,
            "latest": versions.LATEST_CHART, "node_image": default}


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
