"""Round-trip YAML: load a repository file and write it back changing only what an edit means to change.

Why: a commit the harness makes (a scenario's edit, the chart version a run pins) is read by people as a
diff; comments, quotes and the file's own indentation stay as they were.
"""

from __future__ import annotations

import io
from typing import Any


def _yaml(text: str):
    """A round-trip YAML handler set to the file's own indentation, so a commit changes only what it means to."""
    from ruamel.yaml import YAML
    from ruamel.yaml.util import load_yaml_guess_indent

    handler = YAML(typ="rt")
    handler.preserve_quotes = True
    handler.width = 4096
    first_document = text.split("\n---", 1)[0]  # the guesser reads one document; files keep one style
    try:
        _data, sequence, offset = load_yaml_guess_indent(first_document)
    except Exception:  # empty or odd text: the common layout
        sequence, offset = None, None
    mapping = _mapping_indent(text)
    offset = offset or 0
    handler.indent(mapping=mapping, sequence=sequence or mapping + offset, offset=offset)
    return handler


def _mapping_indent(text: str) -> int:
    """The smallest indentation of a nested mapping key: 2 in most Kubernetes files."""
    widths = [len(line) - len(line.lstrip(" ")) for line in text.splitlines()
              if line.strip() and not line.lstrip().startswith(("-", "#")) and line.startswith(" ")
              and ":" in line]
    return min(widths) if widths else 2


def load_all(text: str) -> list[Any]:
    """Every document of a file, round-trip (comments and quotes kept for `dump`)."""
    return [d for d in _yaml(text).load_all(text) if d is not None]


def dump(docs: list[Any], like: str = "") -> str:
    out = io.StringIO()
    _yaml(like).dump_all(docs, out)
    return out.getvalue()
