"""The shapes the harness reads, checked once at the edge: a wrong type is one named problem, never a crash.

Why a schema and not checks where the values are used: `spec: 1.5`, `createUserJob.env: 5`, argocd-cm
`data: "x"`, `spec.data: [-1]` or `extraSecrets: [1]` are accepted by YAML, and every command that read them
crashed somewhere else (exit 3). One JSON Schema per kind (only what the harness reads; everything else
is free), validated with jsonschema, gives preflight its findings and every other command one line, exit 2.
URLs the harness parses (a Vault server, the git-sync repository) must parse as urllib does.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

OBJ = {"type": "object"}
LIST_OF_OBJ = {"type": "array", "items": OBJ}
ENV = {"type": "array", "items": {"type": "object", "properties": {"valueFrom": OBJ}}}
_SOURCE = {"type": "object", "properties": {"helm": {"type": "object", "properties": {
    "valueFiles": {"type": "array"}, "parameters": LIST_OF_OBJ, "valuesObject": OBJ}}, "directory": OBJ}}

KIND_SCHEMAS: dict[str, dict[str, Any]] = {
    "Application": {"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "source": _SOURCE, "sources": {"type": "array", "items": _SOURCE}, "destination": OBJ,
        "syncPolicy": OBJ}}}},
    "ExternalSecret": {"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "secretStoreRef": OBJ, "data": {"type": "array", "items": {"type": "object", "properties": {
            "remoteRef": OBJ}}},
        "dataFrom": LIST_OF_OBJ,
        "target": {"type": "object", "properties": {"template": {"type": "object", "properties": {
            "data": OBJ, "metadata": OBJ}}}}}}}},
    "ConfigMap": {"type": "object", "properties": {"data": OBJ}},
    "SecretStore": {"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "provider": {"type": "object", "properties": {"vault": {"type": "object", "properties": {
            "server": {"type": "string"}, "auth": OBJ, "caProvider": OBJ}}}}}}}},
}
KIND_SCHEMAS["ClusterSecretStore"] = KIND_SCHEMAS["SecretStore"]

VALUES_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "env": ENV, "secret": LIST_OF_OBJ, "config": OBJ,
    "createUserJob": {"type": "object", "properties": {"env": ENV, "defaultUser": OBJ,
                                                       "args": {"type": "array"}, "command": {"type": "array"}}},
    "migrateDatabaseJob": {"type": "object", "properties": {"env": ENV, "args": {"type": "array"},
                                                            "command": {"type": "array"}}},
    "extraSecrets": {"type": "object", "additionalProperties": OBJ},
    "dags": {"type": "object", "properties": {"gitSync": {"type": "object", "properties": {
        "repo": {"type": "string"}}}}},
}}

_TYPE_WORDS = {"object": "a mapping", "array": "a list", "string": "a string"}


@dataclass(frozen=True)
class ShapeProblem:
    file: str
    line: int | None
    where: str  # "Application/argocd/airflow spec.data[0]" or "values createUserJob.env"
    why: str

    @property
    def line_text(self) -> str:
        return f"{self.file}:{self.line or 1}: {self.where} {self.why}"


def _dotted(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line(data: Any, path: Any, default: int | None) -> int | None:
    node, line = data, default
    for part in path:
        if isinstance(node, dict) and hasattr(node, "line_of") and part in node:
            line = node.line_of(part) or line
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    return line


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return {dict: "a mapping", list: "a list", str: "a string", type(None): "empty"}.get(type(value), "a value")


def check(data: Any, schema: dict[str, Any], file: str, line: int | None, where: str,
          offset: int = 0) -> list[ShapeProblem]:
    """Every place `data` breaks `schema` (wrong type only: that is all the schemas say)."""
    from jsonschema import Draft202012Validator  # lazily: preflight's start-up stays within its budget

    out = []
    for err in sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: list(map(str, e.path))):
        wanted = err.validator_value if err.validator == "type" else None
        path = _dotted(err.absolute_path)
        at = _line(data, err.absolute_path, line)
        out.append(ShapeProblem(file, (at + offset) if at and offset else at, f"{where} {path}".strip(),
                                f"is {_kind(err.instance)}, not {_TYPE_WORDS.get(wanted, wanted)}"
                                if wanted else err.message[:200]))
    return out


def url_problem(url: Any) -> str | None:
    """Why urllib cannot parse this URL (an unclosed IPv6 bracket, a port that is not a number), or None."""
    if not isinstance(url, str):
        return None
    try:
        parts = urllib.parse.urlsplit(url.strip())
        _ = parts.port
    except ValueError as exc:
        return f"is not a URL that parses ({exc})"
    return None
