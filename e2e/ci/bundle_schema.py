"""The reproduction bundle's JSON Schema, and the checks a schema cannot make (files that must exist).

Why a schema: a bundle comes from a CI run and is untrusted. Its test ids go to pytest and its run id names a
directory, so `--basetemp=/victim` as a "test id", `../../x` as a run id or `/usr` as the repository path must
be refused before anything runs, with one line naming the field.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from e2e import versions
from e2e.config import REPO_ROOT

SCHEMA_ID = "airflow-e2e/reproduction-bundle/v1"
# Where the shipped cluster suites live (relative to SUITES_ROOT): the only test ids a bundle may name.
SUITES_ROOT = REPO_ROOT
SUITE_DIRS: tuple[str, ...] = ("e2e/suites/cluster",)

RUN_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$"
# e2e/suites/cluster/test_x.py::test_y[param], ::Class::test_y too; no option, no absolute path, no `..`
NODE_ID = (r"^(?!.*(^|/)\.\.?(/|::))[A-Za-z0-9_][A-Za-z0-9_./-]{0,200}\.py"
           r"(::[A-Za-z_][A-Za-z0-9_]{0,200}){1,2}(\[[^\]\x00-\x1f]{0,300}\])?$")
HEX = r"^[0-9a-f]{7,64}$"
IMAGE = r"^[A-Za-z0-9][A-Za-z0-9._/:@+-]{0,400}$"
NAME = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
RELATIVE = r"^(?!/)(?!.*(^|/)\.\.(/|$))[^\x00]{1,1000}$"
TEXT = {"type": "string", "maxLength": 4096}
NULLABLE_TEXT = {"type": ["string", "null"], "maxLength": 4096}


def schema() -> dict[str, Any]:
    charts = sorted(versions.CHART_AIRFLOW)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["schema", "created", "run_config", "chart_version", "versions", "repository",
                     "payload_shape", "kind", "failures"],
        "properties": {
            "schema": {"const": SCHEMA_ID},
            "created": TEXT,
            "chart_version": {"enum": charts},
            "upgrade_from": {"enum": [*charts, None]},
            "airflow_version": NULLABLE_TEXT,
            "versions": {"type": "object"},
            "payload_source": NULLABLE_TEXT,
            "run_config": {
                "type": "object",
                "properties": {
                    "run_id": {"type": "string", "pattern": RUN_ID},
                    "cluster": {"enum": ["kind", "existing"]},
                    "cluster_name": {"type": "string", "pattern": NAME},
                    "keep_cluster": {"enum": ["always", "on-failure", "never"]},
                    "keep_hours": {"type": "number", "minimum": 0, "maximum": 24 * 365},
                    "chart_version": {"enum": charts},
                    "upgrade_from": {"enum": [*charts, None]},
                    "timeout_multiplier": {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
                    "registry_mirror": {"type": ["string", "null"], "pattern": r"^[^\s-][^\s]{0,252}$"},
                    "node_image": {"type": ["string", "null"], "pattern": IMAGE},
                    "context": NULLABLE_TEXT,
                    **{key: NULLABLE_TEXT for key in ("kubeconfig", "gitops_dir", "dags_dir", "payload_file",
                                                      "artifacts_dir")},
                    **{key: {"type": "string", "pattern": NAME}
                       for key in ("airflow_namespace", "argocd_namespace", "eso_namespace", "vault_namespace",
                                   "git_namespace", "db_namespace")},
                },
            },
            "repository": {
                "type": "object",
                "properties": {
                    "path": NULLABLE_TEXT,
                    "path_in_harness": {"type": ["string", "null"], "pattern": RELATIVE},
                    "commit": {"type": ["string", "null"], "pattern": HEX},
                    "dirty": {"type": ["boolean", "null"]},
                    "content_sha256": {"type": ["string", "null"], "pattern": r"^[0-9a-f]{64}$"},
                    "values_files": {"type": "object", "maxProperties": 1000, "additionalProperties": {
                        "type": "object", "properties": {"sha256": {"type": "string", "pattern": r"^[0-9a-f]{64}$"},
                                                         "text": {"type": "string"}}}},
                },
            },
            "payload_shape": {
                "type": "array", "maxItems": 10_000,
                "items": {
                    "type": "object", "required": ["path", "kind"],
                    "properties": {
                        "path": {"type": "array", "maxItems": 32, "items": {
                            "anyOf": [{"type": "string", "maxLength": 256},
                                      {"type": "integer", "minimum": 0, "maximum": 1000}]}},
                        "kind": {"enum": ["null", "bool", "int", "float", "string", "multiline-string", "map",
                                          "list"]},
                    },
                },
            },
            "kind": {
                "type": "object",
                "properties": {"node_image": {"type": ["string", "null"], "pattern": IMAGE},
                               "cluster_name": {"type": ["string", "null"]},
                               "kubernetes": NULLABLE_TEXT, "registry_mirror": NULLABLE_TEXT},
            },
            "failures": {
                "type": "array", "minItems": 1, "maxItems": 1000,
                "items": {
                    "type": "object", "required": ["nodeid"],
                    "properties": {"nodeid": {"type": "string", "pattern": NODE_ID},
                                   "phase": NULLABLE_TEXT, "failure_class": NULLABLE_TEXT, "rule": NULLABLE_TEXT,
                                   "run_id": {"type": ["string", "null"], "pattern": RUN_ID}},
                },
            },
        },
    }


def _where(path: Any) -> str:
    return ".".join(str(p) for p in path) or "(top level)"


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, dict | list) else type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."


def problem(data: Any) -> str | None:
    """The first thing wrong with a bundle, as a phrase naming the field (None when it is usable)."""
    validator = Draft202012Validator(schema())
    error = best_match(validator.iter_errors(data))
    if error is not None:
        if error.validator == "required":
            return f"bundle is missing {error.message.split(' ')[0]}"
        if error.validator == "minItems" and list(error.absolute_path) == ["failures"]:
            return "bundle lists no failing tests: nothing to reproduce"
        if list(error.absolute_path) == ["schema"]:
            return f"not a reproduction bundle (expected schema {SCHEMA_ID})"
        return (f"bundle field {_where(error.absolute_path)} = {_shown(error.instance)} is not allowed "
                f"({error.validator}: see docs/ci.md, 'The bundle')")
    for key in ("timeout_multiplier", "keep_hours"):
        value = data["run_config"].get(key)
        if isinstance(value, float) and not math.isfinite(value):
            return f"bundle field run_config.{key} is not a finite number"
    for index, failure in enumerate(data["failures"]):
        if not is_shipped_test(failure["nodeid"]):
            return (f"bundle field failures.{index}.nodeid = {_shown(failure['nodeid'])} is not a test of the "
                    f"shipped suites ({', '.join(SUITE_DIRS)})")
    return None


def is_shipped_test(nodeid: str) -> bool:
    """A test id whose file is one of the shipped suites' files (after resolving every link)."""
    file = nodeid.split("::", 1)[0]
    path = (SUITES_ROOT / file).resolve()
    for suite in SUITE_DIRS:
        root = (SUITES_ROOT / suite).resolve()
        if path.is_relative_to(root) and path.is_file() and path.name.startswith("test_"):
            return True
    return False


def inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())
