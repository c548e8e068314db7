"""Options several commands share (`plan`, `up`): declared once so their names, defaults and help agree."""

from __future__ import annotations

import argparse
from pathlib import Path

from e2e import versions
from e2e.config import DEFAULT_DAGS_DIR, DEFAULT_GITOPS_DIR


def add_repository_options(parser: argparse.ArgumentParser) -> None:
    """Which repositories to push, and which chart version to run them with."""
    parser.add_argument("--gitops-dir", type=Path, default=DEFAULT_GITOPS_DIR,
                        help="the GitOps repository to push (default: the bundled fixtures/gitops)")
    parser.add_argument("--dags-dir", type=Path, default=DEFAULT_DAGS_DIR,
                        help="the DAG repository content to push (default: the bundled fixtures/dags)")
    parser.add_argument("--chart-version", default=None,
                        help="Airflow chart version (default: the repository's targetRevision, else "
                             f"{versions.PINNED_CHART})")


def add_image_options(parser: argparse.ArgumentParser) -> None:
    """Which kind node image, and where images are pulled from."""
    parser.add_argument("--kubernetes", choices=sorted(versions.KIND_NODE_IMAGES), default=None,
                        help="Kubernetes minor of the kind node image (default: the pinned default image)")
    parser.add_argument("--registry-mirror", default=None, metavar="URL",
                        help="pull images through this mirror (default: env AIRFLOW_E2E_REGISTRY_MIRROR)")
