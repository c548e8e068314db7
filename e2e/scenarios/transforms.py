"""Pure edits of a GitOps repository's files and of the Vault payload: what a scenario's commit changes.

Why pure: each edit is a function of file texts (or of the payload mapping) to new texts, so it is unit-
tested on a copy of fixtures/gitops, printed as a diff by `--dry-run`, checked against a team's own
repository before any cluster exists, and applied on a live run to the files read back from the in-cluster
git server. An edit that does not apply (the text or key is not there) says so clearly instead of
committing nothing. Descriptions name paths and fields, never payload values.
"""

from __future__ import annotations

import copy
import difflib
import json
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import yaml

from e2e.errors import UnusableInput
from e2e.gitops.roundtrip import dump, load_all
from e2e.stack.pushed import set_chart_version

Path_ = str | tuple[str, ...]


class DoesNotApply(UnusableInput):
    """The repository does not have what the edit changes (another layout, or already changed)."""


class Delete:
    """Sentinel value: remove the key."""

    def __repr__(self) -> str:
        return "<delete>"


DELETE = Delete()


class FileEdit(Protocol):
    path: str

    def describe(self) -> str: ...

    def apply(self, text: str | None) -> str | None: ...


def _keys(path: Path_) -> tuple[str, ...]:
    return tuple(path.split(".")) if isinstance(path, str) else path


def _value(value: Any) -> str:
    """A value on one line: strings quoted with escapes (`"a\\n"`), others as flow YAML (`true`, `{a: 1}`)."""
    if isinstance(value, str):
        return json.dumps(value)
    return yaml.safe_dump(value, default_flow_style=True, width=1000).strip().removesuffix("...").strip()


def _shown(path: Path_) -> str:
    return path if isinstance(path, str) else ".".join(f'"{p}"' if "." in p else p for p in path)


def _literal(value: Any) -> Any:
    """A multi-line string is written as a `|` block, like the files it goes into."""
    if isinstance(value, str) and "\n" in value:
        from ruamel.yaml.scalarstring import LiteralScalarString

        return LiteralScalarString(value)
    return value


def _set(data: dict[str, Any], keys: tuple[str, ...], value: Any, where: str) -> None:
    """Set or delete `keys` (a digit indexes a list, e.g. spec.data.0.remoteRef) inside data."""
    def item(node: list, key: str) -> int:
        if not key.isdigit() or int(key) >= len(node):
            raise DoesNotApply(f"{where}: {'.'.join(keys)}: no list item {key}")
        return int(key)

    missing = DoesNotApply(f"{where}: {'.'.join(keys)} is not set, nothing to remove")
    node: Any = data
    for key in keys[:-1]:
        if isinstance(node, list):
            node = node[item(node, key)]
            continue
        if not isinstance(node.get(key), dict | list):
            if value is DELETE:
                raise missing
            node[key] = {}
        node = node[key]
    last: str | int = keys[-1]
    if isinstance(node, list):
        last = item(node, keys[-1])
    elif value is DELETE and last not in node:
        raise missing
    if value is DELETE:
        del node[last]
    else:
        node[last] = _literal(copy.deepcopy(value))


def _existing(path: str, text: str | None) -> str:
    if text is None:
        raise DoesNotApply(f"{path}: no such file")
    return text


@dataclass(frozen=True)
class SetValue:
    """Set (or delete, with DELETE) a key in a single-document YAML data file such as a values file."""

    path: str
    key: Path_
    value: Any

    def describe(self) -> str:
        if self.value is DELETE:
            return f"{self.path}: remove {_shown(self.key)}"
        return f"{self.path}: set {_shown(self.key)} = {_value(self.value)}"

    def apply(self, text: str | None) -> str | None:
        docs = load_all(_existing(self.path, text))
        if len(docs) != 1 or not isinstance(docs[0], dict):
            raise DoesNotApply(f"{self.path}: not a single YAML mapping")
        _set(docs[0], _keys(self.key), self.value, self.path)
        return dump(docs, like=text)


@dataclass(frozen=True)
class EditObject:
    """Set (or delete) a field of one Kubernetes object inside a (multi-document) YAML file."""

    path: str
    kind: str
    name: str
    key: Path_
    value: Any

    def describe(self) -> str:
        what = "remove" if self.value is DELETE else "set"
        shown = "" if self.value is DELETE else " = " + _value(self.value)
        return f"{self.path}: {self.kind}/{self.name}: {what} {_shown(self.key)}{shown}"

    def apply(self, text: str | None) -> str | None:
        docs = load_all(_existing(self.path, text))
        target = [d for d in docs if isinstance(d, dict) and d.get("kind") == self.kind
                  and (d.get("metadata") or {}).get("name") == self.name]
        if not target:
            raise DoesNotApply(f"{self.path}: no {self.kind} named {self.name}")
        _set(target[0], _keys(self.key), self.value, f"{self.path} {self.kind}/{self.name}")
        return dump(docs, like=text)


@dataclass(frozen=True)
class ReplaceText:
    """Replace an exact text (e.g. a Vault policy path in an HCL file, which YAML tools cannot edit)."""

    path: str
    old: str
    new: str

    def describe(self) -> str:
        return f"{self.path}: replace {self.old!r} with {self.new!r}"

    def apply(self, text: str | None) -> str | None:
        if text is None or self.old not in text:
            raise DoesNotApply(f"{self.path}: does not contain {self.old!r}")
        return text.replace(self.old, self.new)


@dataclass(frozen=True)
class SetChartVersion:
    """Pin the chart source of an Application to another version: the upgrade pull request."""

    path: str
    app: str
    version: str

    def describe(self) -> str:
        return f"{self.path}: Application/{self.app}: chart targetRevision -> {self.version}"

    def apply(self, text: str | None) -> str | None:
        changed = set_chart_version(_existing(self.path, text), self.app, self.version)
        if changed is None:
            raise DoesNotApply(f"{self.path}: Application {self.app} has no chart source")
        return changed


def apply_edits(files: Mapping[str, str | None], edits: tuple[FileEdit, ...]) -> dict[str, str | None]:
    """The new text of every file the edits touch (edits apply in order, several may touch one file)."""
    current: dict[str, str | None] = {}
    for edit in edits:
        before = current[edit.path] if edit.path in current else files.get(edit.path)
        current[edit.path] = edit.apply(before)
    return {p: t for p, t in current.items() if t != files.get(p)}


def unified_diff(path: str, before: str | None, after: str | None) -> list[str]:
    return list(difflib.unified_diff((before or "").splitlines(), (after or "").splitlines(),
                                     fromfile=f"a/{path}", tofile=f"b/{path}", lineterm="", n=1))


# --- the Vault payload -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PayloadEdit:
    """Change one payload field with a pure function of its old value. `what` describes it without values."""

    field: str  # dotted path in the payload document
    what: str
    change: Callable[[Any], Any]

    def describe(self) -> str:
        return f"payload {self.field}: {self.what}"

    def apply(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(dict(payload))
        *parents, last = self.field.split(".")
        node: Any = out
        for key in parents:
            node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict) or last not in node:
            raise DoesNotApply(f"payload has no field {self.field}")
        node[last] = self.change(node[last])
        return out


def apply_payload_edits(payload: Mapping[str, Any], edits: tuple[PayloadEdit, ...]) -> dict[str, Any]:
    out = dict(payload)
    for edit in edits:
        out = edit.apply(out)
    return out


def with_url_password(url: str, new_password: str) -> str:
    """The same URL with another password (URL-encoded), user, host, port and path unchanged."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        raise DoesNotApply("the URL has no password to change")
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    netloc = f"{user}:{urllib.parse.quote(new_password, safe='')}@{host}{port}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

