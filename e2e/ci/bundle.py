"""The reproduction bundle: one JSON file that says what a failed run was, so one command can run it again.

Why a bundle: a nightly failure on a shared runner is gone with the runner. The bundle keeps what decides the
outcome (versions and digests, chart version, node image, RunConfig, the values files and the repository's
commit, the kind config, the failing test ids and their class) and nothing secret: the payload is kept as its
SHAPE only (key paths and value kinds), and `reproduce` makes new secrets of the same shape.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from e2e import payload as payload_mod
from e2e import safe_files, versions
from e2e.ci import bundle_schema
from e2e.config import REPO_ROOT, RunConfig
from e2e.errors import UnusableInput
from e2e.gitops.yamlio import safe_load
from e2e.masking import Masker, secret_values

SCHEMA = bundle_schema.SCHEMA_ID
MAX_BUNDLE_BYTES = 64 * 1024 * 1024
MAX_HASHED_BYTES = 512 * 1024 * 1024

# --- payload shape -------------------------------------------------------------------------------------------


_KINDS = ((bool, "bool"), (int, "int"), (float, "float"), (Mapping, "map"), (list | tuple, "list"))


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return "multiline-string" if "\n" in value.rstrip("\n") else "string"
    return next((name for kind, name in _KINDS if isinstance(value, kind)), type(value).__name__)


def payload_shape(data: Any, prefix: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """Every leaf of the payload as {"path": [keys...], "kind": ...}: names and kinds, never a value.

    Empty maps and lists are leaves too, so the shape of `{}` survives the round trip.
    """
    if isinstance(data, Mapping) and data:
        return [entry for key in data for entry in payload_shape(data[key], (*prefix, str(key)))]
    if isinstance(data, list | tuple) and data:
        return [entry for index, item in enumerate(data) for entry in payload_shape(item, (*prefix, index))]
    return [{"path": list(prefix), "kind": _kind(data)}]


def _fresh_value(kind: str) -> Any:
    """A new random value of a recorded kind (strings: a new password; multi-line: a new private key)."""
    if kind in ("string", "multiline-string"):
        return payload_mod.password() if kind == "string" else payload_mod.ssh_keypair()[0]
    return {"null": None, "bool": True, "int": 1, "float": 1.0, "map": {}, "list": []}.get(kind, payload_mod.password())


def _get(data: Any, path: Sequence[Any]) -> tuple[bool, Any]:
    node = data
    for key in path:
        in_map = isinstance(node, Mapping) and key in node
        in_list = isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)
        if not (in_map or in_list):
            return False, None
        node = node[key]
    return True, node


def _set(data: dict[str, Any], path: Sequence[Any], value: Any) -> None:
    node: Any = data
    for key, following in zip(path, [*path[1:], None], strict=True):
        if following is None:
            if isinstance(node, list):
                node.extend([None] * (key + 1 - len(node)))
            node[key] = value
            return
        child = [] if isinstance(following, int) else {}
        if isinstance(node, list):
            node.extend([None] * (key + 1 - len(node)))
            if node[key] is None:
                node[key] = child
        else:
            node.setdefault(key, child)
        node = node[key]


def payload_from_shape(shape: Iterable[Mapping[str, Any]], fresh: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """New secrets with the recorded shape: a freshly generated valid value where the generator has that key
    (a real Fernet key, a real SSH key, URLs with new passwords), a random value of the recorded kind elsewhere.
    """
    fresh = fresh if fresh is not None else payload_mod.generate()
    out: dict[str, Any] = {}
    for entry in shape:
        path, kind = list(entry["path"]), str(entry["kind"])
        if not path:
            continue
        found, value = _get(fresh, path)
        if not (found and _kind(value) == kind):
            value = _fresh_value(kind)
        _set(out, path, value)
    return out


# --- repository state ----------------------------------------------------------------------------------------


def content_sha256(root: Path) -> str:
    """A hash over every regular file's relative path and bytes (sorted), ignoring .git: the state without Git.

    Links out of root, FIFOs and devices are not read (e2e.safe_files); the total read is bounded, so a
    repository path of `/usr` costs a bounded time and then an UnusableInput line."""
    digest = hashlib.sha256()
    total = 0
    for path in safe_files.walk(root, skip_hidden=False, max_files=200_000).files:
        rel = path.relative_to(root)
        if ".git" in rel.parts:
            continue
        raw = safe_files.read_bytes(path, root=root, shown_as=rel.as_posix(), limit=MAX_HASHED_BYTES)
        total += len(raw)
        if total > MAX_HASHED_BYTES:
            raise UnusableInput(f"{root}: more than {MAX_HASHED_BYTES} bytes of files; not a GitOps repository")
        digest.update(rel.as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(raw).digest())
    return digest.hexdigest()


def git_commit(root: Path) -> tuple[str | None, bool | None]:
    """(HEAD commit, dirty?) when root is inside a Git work tree, else (None, None)."""
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True, timeout=30).stdout.strip()
        status = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "."], capture_output=True,
                                text=True, check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None, None
    return head or None, bool(status.strip())


def values_files(root: Path) -> dict[str, dict[str, str]]:
    """The Helm values files the repository's Applications read: {relative path: {"sha256", "text"}}.

    The hash is of the file as read, so it still compares after masking has touched the text.
    """
    from e2e.gitops import load_repository
    from e2e.install import installs

    try:
        repo = load_repository(root)
    except Exception:  # a broken repository still gets a bundle, just without values
        return {}
    found: dict[str, dict[str, str]] = {}
    for inst in installs(repo):
        for rel in inst.values_file_paths:
            path = root / rel
            if path.is_file():
                try:
                    raw = safe_files.read_bytes(path, root=root, shown_as=rel)
                except UnusableInput:
                    continue
                found[rel] = {"sha256": hashlib.sha256(raw).hexdigest(), "text": raw.decode(errors="replace")}
    return dict(sorted(found.items()))


def repository_state(root: Path) -> dict[str, Any]:
    commit, dirty = git_commit(root)
    try:
        relative = root.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        relative = None
    return {"path": str(root), "path_in_harness": relative, "commit": commit, "dirty": dirty,
            "content_sha256": content_sha256(root), "values_files": values_files(root)}


# --- versions and kind ---------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def versions_snapshot() -> dict[str, Any]:
    """Every pinned constant of e2e/versions.py (upper-case names): versions, images and their digests."""
    snapshot: dict[str, Any] = {}
    for name in sorted(vars(versions)):
        value = getattr(versions, name)
        if name.isupper() and not callable(value):
            snapshot[name] = _jsonable(value)
    return snapshot


def kubernetes_minor(node_image: str | None) -> str | None:
    """Which pinned Kubernetes minor a node image is (the cluster tier's `--kubernetes`); None if unpinned."""
    return next((minor for minor, image in versions.KIND_NODE_IMAGES.items() if image == node_image), None)


def kind_state(config: RunConfig) -> dict[str, Any]:
    """The kind cluster as the run configured it: the rendered kind config, node image and its minor."""
    from e2e.cluster import kindconfig

    node_image = config.node_image or versions.node_image()
    return {"cluster_name": config.cluster_name, "node_image": node_image,
            "kubernetes": kubernetes_minor(node_image), "registry_mirror": config.registry_mirror,
            "config": kindconfig.render(config)}


# --- the bundle ----------------------------------------------------------------------------------------------


def build_bundle(config: RunConfig, failures: Sequence[Mapping[str, Any]], *, payload: Any = None,
                 now: float | None = None) -> dict[str, Any]:
    """The bundle as data. `payload` (the run's real payload, if known) only contributes its shape."""
    shape_of = payload if payload is not None else payload_mod.generate()
    return {
        "schema": SCHEMA,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now if now is not None else time.time())),
        "run_config": config.to_json(),
        "chart_version": config.chart_version,
        "upgrade_from": config.upgrade_from,
        "airflow_version": versions.CHART_AIRFLOW.get(config.chart_version),
        "versions": versions_snapshot(),
        "repository": repository_state(config.gitops_dir),
        "payload_shape": payload_shape(shape_of),
        "payload_source": "file" if payload is not None else "generated",
        "kind": kind_state(config),
        "failures": [dict(f) for f in failures],
    }


def write_bundle(bundle: Mapping[str, Any], path: Path, masker: Masker | None = None) -> Path:
    """Write the bundle; every string passes through the masker first (values files could quote a secret)."""
    data = masker.mask_data(dict(bundle)) if masker is not None else dict(bundle)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return path


def load_bundle(path: Path) -> dict[str, Any]:
    """Read and validate a bundle against its schema (e2e.ci.bundle_schema): a bundle is untrusted input, so
    its test ids, run id and paths are checked before anything runs; anything unusable is one UnusableInput line."""
    if not Path(path).exists():
        raise UnusableInput(f"{path}: no such bundle file")
    text = safe_files.read_text(path, limit=MAX_BUNDLE_BYTES, shown_as=str(path))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnusableInput(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from None
    except (ValueError, RecursionError) as exc:  # 5,000-digit integers; nesting deeper than the parser goes
        raise UnusableInput(f"{path}: not usable JSON ({str(exc).split(';')[0][:100] or type(exc).__name__})") \
            from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise UnusableInput(f"{path}: not a reproduction bundle (expected schema {SCHEMA})")
    found = bundle_schema.problem(data)
    if found is not None:
        raise UnusableInput(f"{path}: {found}")
    try:
        RunConfig.from_json(data["run_config"])
    except (TypeError, ValueError, AttributeError) as exc:
        raise UnusableInput(f"{path}: bundle run_config is not usable ({type(exc).__name__})") from None
    return data


# --- from a pytest session -------------------------------------------------------------------------------------

def read_payload(path: Path | None) -> Any:
    if path is None or not Path(path).is_file():
        return None
    try:
        return safe_load(safe_files.read_text(path), str(path))
    except UnusableInput:
        return None


def write_for_session(run_config: RunConfig, records: Sequence[Any], path: Path) -> Path:
    """Called at the end of a failed pytest session (e2e.ci.pytest_hooks), with the session's RunConfig."""
    payload = read_payload(run_config.payload_file)
    failures = [{"nodeid": r.nodeid, "phase": r.phase, "failure_class": r.failure_class, "rule": r.rule,
                 "run_id": getattr(r, "run_id", None)} for r in records]
    masker = Masker(secret_values(payload)) if payload is not None else None
    return write_bundle(build_bundle(run_config, failures, payload=payload), path, masker)
