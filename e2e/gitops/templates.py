"""A small evaluator for the ESO template subset this pattern uses (engineVersion v2, Go templates).

Why our own: preflight must say which payload path a template needs without a cluster, and the cluster
checks must know the exact bytes ESO will write, to compare Secrets byte-for-byte against Vault. Supported:
`{{ (fromYaml .config).a.b }}`, `{{ index (fromYaml .config).x "k" "l" }}`, `{{ .config }}`, pipelines into
`urlquery`, `trim`, `toString`, `b64enc`, `b64dec`, `quote`, `upper`, `lower`, and `printf "%s" ...`.
Anything else raises `TemplateUnsupported`, never a wrong answer.
"""

from __future__ import annotations

import base64
import functools
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

import yaml


class TemplateError(Exception):
    """Base: the message never contains a secret value, only paths and names."""


class TemplateKeyMissing(TemplateError):
    def __init__(self, path: tuple[str, ...], key: str) -> None:
        self.path = (*path, key)
        super().__init__(f'map has no entry for key "{key}" (path {".".join(self.path)})')


class TemplateUnsupported(TemplateError):
    pass


_ACTION = re.compile(r"{{-?\s*(.*?)\s*-?}}", re.S)
_TOKEN = re.compile(
    r"""\s*(?:(?P<lp>\()|(?P<rp>\))|(?P<pipe>\|)|(?P<str>"(?:[^"\\]|\\.)*")|(?P<raw>`[^`]*`)"""
    r"""|(?P<field>(?:\.[A-Za-z_][A-Za-z0-9_]*)+|\.)|(?P<ident>[A-Za-z_][A-Za-z0-9_]*))"""
)


@dataclass
class _Value:
    """A value with the payload path it came from (for error messages that name paths, not values)."""

    data: Any
    path: tuple[str, ...]


def _tokenize(expr: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(expr):
        if expr[pos:].strip() == "":
            break
        match = _TOKEN.match(expr, pos)
        if not match or match.end() == pos:
            raise TemplateUnsupported(f"cannot parse template expression near {expr[pos:pos + 20]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], context: dict[str, Any]) -> None:
        self.tokens = tokens
        self.i = 0
        self.context = context

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def pipeline(self) -> _Value:
        value = self.command(None)
        while self.peek() == "pipe":
            self.take()
            value = self.command(value)
        return value

    def command(self, piped: _Value | None) -> _Value:
        if self.peek() == "ident":
            name = self.take()[1]
            args: list[_Value] = []
            while self.peek() not in (None, "pipe", "rp"):
                args.append(self.operand())
            if piped is not None:
                args.append(piped)
            return _call(name, args)
        if piped is not None:
            raise TemplateUnsupported("a pipeline stage must be a function")
        return self.operand()

    def operand(self) -> _Value:
        kind, text = self.take()
        if kind == "lp":
            value = self.pipeline()
            if self.peek() != "rp":
                raise TemplateUnsupported("unbalanced parentheses")
            self.take()
            if self.peek() == "field":
                value = _fields(value, self.take()[1])
            return value
        if kind == "field":
            return _fields(_Value(self.context, ()), text)
        if kind == "str":
            return _Value(bytes(text[1:-1], "utf-8").decode("unicode_escape"), ())
        if kind == "raw":
            return _Value(text[1:-1], ())
        if kind == "ident":
            return _call(text, [])
        raise TemplateUnsupported(f"unexpected {text!r}")


def _fields(value: _Value, chain: str) -> _Value:
    for key in [k for k in chain.split(".") if k]:
        value = _index(value, key)
    return value


def _index(value: _Value, key: str) -> _Value:
    if not isinstance(value.data, dict):
        raise TemplateUnsupported(f"cannot index a non-map at {'.'.join(value.path) or 'top'}")
    if key not in value.data:
        raise TemplateKeyMissing(value.path, key)
    return _Value(value.data[key], (*value.path, key))


def _text(value: _Value) -> str:
    data = value.data
    if isinstance(data, bool):
        return "true" if data else "false"
    if data is None:
        return "<no value>"
    if isinstance(data, dict | list):
        raise TemplateUnsupported(f"renders a whole map or list at {'.'.join(value.path) or 'top'}")
    return str(data)


@functools.lru_cache(maxsize=32)
def _load_yaml(text: str) -> Any:
    """fromYaml's parse, memoised: nine templates over one payload parse it once (the result is only read)."""
    return yaml.safe_load(text)


def _call(name: str, args: list[_Value]) -> _Value:
    path = args[-1].path if args else ()
    if name == "fromYaml":
        loaded = _load_yaml(_text(args[0])) if args else None
        return _Value(loaded if loaded is not None else {}, ())
    if name == "index":
        value = args[0]
        for key in args[1:]:
            value = _index(value, _text(key))
        return value
    if name == "printf":
        fmt = _text(args[0])
        return _Value(fmt.replace("%%", "\0") % tuple(_text(a) for a in args[1:]), path) if "%s" in fmt or \
            len(args) == 1 else _unsupported(name)
    one = {
        "urlquery": lambda s: urllib.parse.quote_plus(s),
        "trim": str.strip,
        "toString": str,
        "upper": str.upper,
        "lower": str.lower,
        "quote": lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"',
        "b64enc": lambda s: base64.b64encode(s.encode()).decode(),
        "b64dec": lambda s: base64.b64decode(s).decode(),
    }
    if name in one and len(args) == 1:
        return _Value(one[name](_text(args[0])), path)
    return _unsupported(name)


def _unsupported(name: str) -> _Value:
    raise TemplateUnsupported(f"template function {name!r} is not supported by the harness")


def render(template: str, context: dict[str, Any]) -> str:
    """Render a template against the ExternalSecret's data (secretKey -> provider value text)."""
    out: list[str] = []
    pos = 0
    for match in _ACTION.finditer(template):
        out.append(template[pos:match.start()])
        parser = _Parser(_tokenize(match.group(1)), context)
        value = parser.pipeline()
        if parser.peek() is not None:
            raise TemplateUnsupported("trailing tokens in template action")
        out.append(_text(value).replace("\0", "%"))
        pos = match.end()
    out.append(template[pos:])
    return "".join(out)


def render_target_data(template_data: dict[str, str], context: dict[str, Any]) -> dict[str, str]:
    """The data ESO writes into an ExternalSecret's target Secret: each `spec.target.template.data` entry
    rendered against the data context (secretKey -> provider value), or with no template the context as is."""
    if not template_data:
        return dict(context)
    return {key: render(template, context) for key, template in template_data.items()}
