"""Read YAML files safely, remembering the line each mapping and key came from.

Why: every preflight finding names a file and a line, and bad input (binary, huge, non-UTF-8, broken YAML)
must become one clear `UnusableInput` line instead of a traceback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from e2e.errors import UnusableInput
from e2e.safe_files import MAX_FILE_BYTES, read_bytes


class LineDict(dict):
    """A dict that knows the line of itself (`line`) and of each of its keys (`key_lines`), 1-based."""

    line: int = 0
    key_lines: dict[Any, int]
    duplicate_keys: list[tuple[str, int]]  # (key, line) written twice: YAML takes the last, silently

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines = {}
        self.duplicate_keys = []

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


def plain(data: Any) -> Any:
    """LineDicts, lists and tuples -> plain dicts (string keys) and lists, for YAML and JSON writers."""
    if isinstance(data, dict):
        return {str(k): plain(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [plain(v) for v in data]
    return data


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings as `|` blocks: a reviewer reads Corefiles, scripts and known_hosts as written."""


_BlockDumper.add_representer(str, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None))


def dump_yaml(data: Any) -> str:
    """One document as the harness writes manifests and repository files: keys in order, block strings."""
    return dump_yaml_all([data])


def dump_yaml_all(docs: list[Any]) -> str:
    return yaml.dump_all(docs, Dumper=_BlockDumper, sort_keys=False, default_flow_style=False, width=1_000_000)


class _LineLoader(yaml.SafeLoader):
    """SafeLoader (no arbitrary objects) that builds LineDicts: pure Python, guarded by RecursionError."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        # YAML 1.2 lets a document define an anchor again; an alias means the latest one (PyYAML refuses).
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None and not isinstance(event, yaml.AliasEvent):
            self.anchors.pop(anchor, None)
        return super().compose_node(parent, index)


_FastLineLoader: type | None = None
if getattr(yaml, "__with_libyaml__", False):

    class _FastLineLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        """The same loader on libyaml's parser: about ten times faster on large repositories."""


# libyaml composes nodes with C recursion and no depth limit (a 100,000-deep document crashes the process), so
# the C parser is used only when a cheap upper bound on nesting depth is far below what it survives (10,000).
MAX_FAST_DEPTH = 2_000


def _duplicates(node: yaml.MappingNode) -> list[tuple[str, int]]:
    """Scalar keys written more than once in the mapping itself (a `<<` merge may be overridden: not counted)."""
    seen: set[tuple[str, str]] = set()
    found: list[tuple[str, int]] = []
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = (key_node.tag, key_node.value)
        if key in seen:
            found.append((key_node.value[:100], key_node.start_mark.line + 1))
        seen.add(key)
    return found


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    duplicates = _duplicates(node)
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.duplicate_keys = duplicates
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "found an unhashable mapping key", key_node.start_mark
            ) from None
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_foreign(loader: _LineLoader, node: yaml.Node) -> Any:
    """A tag no one registered (`!vault`, `!reference`, `!Ref`): the node's plain value, never an object.

    Why: tools such as GitLab, CloudFormation or vault-injector templates add their own tags; the data under
    them is still YAML, and refusing the whole file would stop the run on a repository it can read.
    """
    if isinstance(node, yaml.MappingNode):
        return _construct_mapping(loader, node)
    if isinstance(node, yaml.SequenceNode):
        return [loader.construct_object(child, deep=True) for child in node.value]
    return loader.construct_scalar(node)


for _loader in (_LineLoader, _FastLineLoader):
    if _loader is not None:
        _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
        _loader.add_constructor(None, _construct_foreign)


def nesting_bound(text: str) -> int:
    """An upper bound on the node depth of any document in text, computed without parsing.

    Block nesting needs more indentation per level (a sequence inside a mapping may share it: x2), compact
    `- ` / `key: ` / `? ` forms nest within one line, and each flow bracket adds one level.
    """
    bound = text.count("[") + text.count("{")
    max_indent = 0
    max_inline = 0
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if not stripped:
            continue
        max_indent = max(max_indent, len(line) - len(stripped))
        max_inline = max(max_inline, stripped.count("- ") + stripped.count(": ") + stripped.count("? "))
    return bound + 2 * (max_indent + 1) + max_inline + 1


def event_depth(text: str, limit: int) -> int:
    """The real node depth of text (over every document), read from libyaml's event stream.

    libyaml's parser is a state machine with its own stack (no C recursion), so this is safe on any depth;
    it stops counting once `limit` is passed. A text libyaml cannot parse returns `limit + 1`.
    """
    depth = deepest = 0
    parser = _FastLineLoader(text)  # type: ignore[misc]
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                deepest = max(deepest, depth)
                if deepest > limit:
                    return deepest
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return limit + 1
    finally:
        parser.dispose()
    return deepest


def loader_for(text: str) -> type:
    """libyaml's loader when the text is shallow enough for it, else the pure-Python one.

    The cheap bound decides most files; a file it cannot clear (a 700 KB CRD whose descriptions are full of
    `[` and `{`) is measured exactly from the event stream before giving up the fast path.
    """
    if _FastLineLoader is None:
        return _LineLoader
    if nesting_bound(text) <= MAX_FAST_DEPTH or event_depth(text, MAX_FAST_DEPTH) + 1 <= MAX_FAST_DEPTH:
        return _FastLineLoader
    return _LineLoader


def read_text(path: Path, shown_as: str | None = None, root: Path | None = None) -> str:
    """The text of a file, or UnusableInput naming why it cannot be read as UTF-8 YAML text (regular files
    only, bounded, and with `root` never through a link that leaves it: e2e.safe_files)."""
    name = shown_as or str(path)
    raw = read_bytes(path, limit=MAX_FILE_BYTES, root=root, shown_as=name)
    if b"\x00" in raw:
        raise UnusableInput(f"{name}: binary file (contains NUL bytes), expected YAML text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnusableInput(f"{name}: not UTF-8 text (invalid byte at offset {exc.start})") from None


MAX_EXPANDED_NODES = 1_000_000  # a real repository's largest CRD expands to well under 100,000 nodes


def expanded_size(node: yaml.Node) -> int:
    """How many nodes the document has once every alias is expanded, computed once per distinct node (an alias
    is the same node object), so an alias bomb is measured in linear time instead of being walked."""
    memo: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        current, children_done = stack.pop()
        key = id(current)
        if key in memo and not children_done:
            continue
        children: list[yaml.Node] = []
        if isinstance(current, yaml.SequenceNode):
            children = list(current.value)
        elif isinstance(current, yaml.MappingNode):
            children = [n for pair in current.value for n in pair]
        if not children_done:
            memo[key] = -1  # in progress (a recursive alias cannot be built by the safe loaders anyway)
            stack.append((current, True))
            stack.extend((c, False) for c in children if id(c) not in memo)
        else:
            memo[key] = min(1 + sum(max(memo.get(id(c), 1), 1) for c in children), 10 * MAX_EXPANDED_NODES)
    return memo[id(node)]


def check_expansion(node: yaml.Node, shown_as: str) -> None:
    """UnusableInput when aliases expand a document past MAX_EXPANDED_NODES (a 340-byte "billion laughs")."""
    size = expanded_size(node)
    if size > MAX_EXPANDED_NODES:
        raise UnusableInput(f"{shown_as}: YAML aliases expand to more than {MAX_EXPANDED_NODES} nodes "
                            "(an alias bomb?); not read")


@contextlib.contextmanager
def _one_line_errors(shown_as: str) -> Iterator[None]:
    """Whatever the YAML reader raises becomes one UnusableInput line naming the file (and line)."""
    try:
        yield
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f":{mark.line + 1}" if mark is not None else ""
        raise UnusableInput(f"{shown_as}{where}: broken YAML: {exc.problem or exc.context or 'invalid YAML'}") \
            from None
    except yaml.YAMLError as exc:
        raise UnusableInput(f"{shown_as}: broken YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise UnusableInput(f"{shown_as}: YAML nested too deeply") from None
    except (ValueError, OverflowError) as exc:  # e.g. a 5,000-digit integer (Python's int conversion limit)
        raise UnusableInput(f"{shown_as}: unusable YAML value ({str(exc).split(';')[0][:100]})") from None


def safe_load(text: str, shown_as: str) -> Any:
    """yaml.safe_load for untrusted text (payloads, run state): one document, aliases bounded, one clear line
    for anything broken. Plain dicts and lists (no line numbers)."""
    with _one_line_errors(shown_as):
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            check_expansion(node, shown_as)
            return loader.construct_document(node)
        finally:
            loader.dispose()


def load_documents(text: str, shown_as: str) -> list[tuple[int, Any]]:
    """All documents of a YAML stream as (first line, data); empty documents are dropped."""
    loader = loader_for(text)
    try:
        return load_documents_with(text, shown_as, loader)
    except UnusableInput:
        if loader is _LineLoader:
            raise
    # libyaml refuses a redefined anchor (YAML 1.2 allows it); the pure-Python loader accepts it.
    return load_documents_with(text, shown_as, _LineLoader)


def load_documents_with(text: str, shown_as: str, loader_class: type) -> list[tuple[int, Any]]:
    """load_documents with a given loader class (the speed benchmark compares the two)."""
    with _one_line_errors(shown_as):
        docs: list[tuple[int, Any]] = []
        loader = loader_class(text)
        try:
            while loader.check_node():
                node = loader.get_node()
                if node is None:
                    continue
                line = node.start_mark.line + 1
                check_expansion(node, shown_as)
                data = loader.construct_document(node)
                if data is not None:
                    docs.append((line, data))
        finally:
            loader.dispose()
        return docs


def load_file(path: Path, shown_as: str | None = None, root: Path | None = None) -> list[tuple[int, Any]]:
    name = shown_as or str(path)
    return load_documents(read_text(path, name, root), name)


def load_single_mapping(path: Path, what: str) -> LineDict:
    """One YAML mapping from a file (a payload, a role); UnusableInput for anything else."""
    docs = load_file(path)
    if len(docs) != 1 or not isinstance(docs[0][1], dict):
        raise UnusableInput(f"{path}: {what} must be one YAML mapping")
    return docs[0][1]
