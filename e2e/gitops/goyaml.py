"""YAML read the way ESO's `fromYaml` reads it: `sigs.k8s.io/yaml.Unmarshal` into `map[string]any`.

Why not PyYAML's reading: ESO converts YAML (go-yaml v2, YAML 1.1 resolution) to JSON and decodes the JSON, so
plain `y`/`n`/`on`/`off` are booleans, `0o17`/`017`/`0x1F`/`1_000` are integers, every number becomes a float64
(`12345678` prints as `1.2345678e+07`), map keys become strings (`y:` is the key "true"), NaN/Inf values make
the whole document fail, and only the first document counts. Values come back as str, float, bool, None, dict
and list, the Go types the template engine then sees (string, float64, bool, nil, map, slice). Parsing is
PyYAML's (the same libyaml grammar go-yaml v2 ports); resolving plain scalars, keys and merges follows
gopkg.in/yaml.v2 `resolve.go`/`decode.go` and sigs.k8s.io/yaml `convertToJSONableObject`.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

PLAIN = "tag:go-yaml:plain"  # our marker for an untagged plain scalar (go-yaml's "implicit")
_T = "tag:yaml.org,2002:"
_BOOL = {**dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
         **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False)}
_NULL = {"", "~", "null", "Null", "NULL"}
_SPECIAL_FLOAT = {**dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
                  **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
                  **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf)}
_YAML_STYLE_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_DOT_FLOAT = re.compile(r"^\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?$")  # Go ParseFloat on a '.' start
_INT64 = (-(2**63), 2**63 - 1)
_UINT64_MAX = 2**64 - 1


class GoYamlError(Exception):
    """Go's Unmarshal fails: ESO's fromYaml then returns only an `Error` key. The message names a line and
    what is wrong, never a value."""


class GoYamlUnsupported(Exception):
    """A construct whose Go reading this module does not model (explicit tags, colliding keys...)."""


@dataclass(frozen=True)
class _Int:
    """A go-yaml integer before JSON conversion (int/int64/uint64 matter for keys)."""

    value: int


class _Resolver(yaml.resolver.BaseResolver):
    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is ScalarNode and implicit[0]:
            return PLAIN
        if kind is ScalarNode:
            return _T + "str"
        return _T + ("seq" if kind is SequenceNode else "map")


try:  # libyaml, the C library go-yaml v2 is a port of
    from yaml.cyaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None

if _CParser is not None:
    class _Loader(_CParser, yaml.constructor.BaseConstructor, _Resolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            yaml.constructor.BaseConstructor.__init__(self)
            _Resolver.__init__(self)
else:  # pragma: no cover
    class _Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,  # type: ignore[no-redef]
                  yaml.composer.Composer, yaml.constructor.BaseConstructor, _Resolver):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.BaseConstructor.__init__(self)
            _Resolver.__init__(self)


def first_node(text: str) -> Node | None:
    """The first document's node (go-yaml's Unmarshal reads only that one); GoYamlError if it does not parse."""
    loader = _Loader(text)
    try:
        return loader.get_node() if loader.check_node() else None
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in str(exc.problem):  # libyaml's own limit (1000); go-yaml v2 allows 10,000
            raise GoYamlUnsupported("the payload nests deeper than libyaml parses") from None
        raise GoYamlError(_describe(exc)) from None
    except yaml.YAMLError as exc:  # reader errors (control characters) carry no snippet
        raise GoYamlError(_describe(exc)) from None
    except RecursionError:
        raise GoYamlUnsupported("the payload nests deeper than the harness can parse") from None
    finally:
        loader.dispose()


def _describe(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or "invalid YAML"
    problem = re.sub(r"'[^']*'|\"[^\"]*\"", "a character", str(problem))  # never echo payload text
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{where}{problem}"


def resolve_plain(text: str) -> Any:
    """go-yaml v2 `resolve("", text)` for a plain scalar: bool, None, float, _Int or the string itself."""
    if text in _BOOL:
        return _BOOL[text]
    if text in _NULL:
        return None
    if text in _SPECIAL_FLOAT:
        return _SPECIAL_FLOAT[text]
    if text == "<<":
        return text
    first = text[0]
    if first == ".":
        if _DOT_FLOAT.match(text):
            value = float(text.replace("_", ""))
            return value if math.isfinite(value) else text
        return text
    if first not in "+-0123456789":
        return text
    # (a timestamp decoded into interface{} stays the text as written, and no timestamp parses as a number)
    plain = text.replace("_", "")
    number = _parse_int(plain)
    if number is not None and (_INT64[0] <= number <= _INT64[1] or (0 <= number <= _UINT64_MAX and plain[0] != "+")):
        return _Int(number)
    if _YAML_STYLE_FLOAT.match(plain):
        value = float(plain)
        return value if math.isfinite(value) else text  # out of range: ParseFloat fails, the text stays
    return text


def _parse_int(text: str) -> int | None:
    """Go `strconv.ParseInt(text, 0, 64)` syntax (sign, 0x/0o/0b prefixes, a leading 0 is octal), unbounded."""
    sign, body = 1, text
    if body[:1] in "+-":
        sign, body = (-1 if body[0] == "-" else 1), body[1:]
    if not body:
        return None
    base, digits = 10, body
    if body[0] == "0":
        low = body[1:2].lower()
        if len(body) >= 3 and low in "box" and low:
            base, digits = {"b": 2, "o": 8, "x": 16}[low], body[2:]
        else:
            base, digits = 8, body[1:] or "0"
    allowed = "0123456789abcdef"[:base]
    if not digits or any(c not in allowed for c in digits.lower()):
        return None
    return sign * int(digits, base)


def _key(value: Any) -> str:
    """sigs.k8s.io/yaml's conversion of a map key to a JSON object key."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _Int):
        if value.value > _INT64[1]:
            raise GoYamlError("a map key is an unsigned 64-bit integer (unsupported map key of type uint64)")
        return str(value.value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return go_float_text(value, bits=32)
    if value is None:
        raise GoYamlError("a map key is null (unsupported map key)")
    raise GoYamlError("a map key is a map or a list (unsupported map key)")


def _scalar(node: ScalarNode) -> Any:
    tag = node.tag
    if tag == PLAIN:
        return resolve_plain(node.value)
    if tag in (_T + "str", "!"):
        return node.value
    if tag == _T + "binary":
        try:
            return base64.b64decode(node.value.replace("\n", "").replace(" ", ""), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise GoYamlUnsupported("a !!binary value that is not UTF-8 base64") from None
    if tag.startswith(_T):
        raise GoYamlUnsupported(f"the explicit YAML tag !!{tag[len(_T):]}")
    return node.value  # an unknown local tag (!foo): go-yaml keeps the text


DECODE_BUDGET = 400_000  # go-yaml v2 never refuses aliasing below 400,000 decoded nodes (decode.go)
MAX_DEPTH = 400  # deeper than Python's recursion allows here: not evaluated (Go's own limit is 10,000)


def _construct(node: Node, depth: int = 0, budget: list[int] | None = None) -> Any:
    """Go's value for a node before JSON conversion (numbers still _Int/float, keys still typed). Aliases
    are expanded as Go expands them, within a budget: an alias bomb is declined, never a hang."""
    budget = budget if budget is not None else [0]
    budget[0] += 1
    if budget[0] > DECODE_BUDGET:
        raise GoYamlUnsupported("the payload expands aliases to more than 400,000 nodes (Go may refuse it as "
                                "excessive aliasing)")
    if depth > MAX_DEPTH:
        raise GoYamlUnsupported(f"the payload nests deeper than {MAX_DEPTH} levels")
    if isinstance(node, ScalarNode):
        return _scalar(node)
    if isinstance(node, SequenceNode):
        return [_construct(child, depth + 1, budget) for child in node.value]
    if not isinstance(node, MappingNode):
        raise GoYamlUnsupported("an unknown YAML node")
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == "<<" and key_node.tag in (PLAIN, _T + "merge"):
            _merge(out, value_node, depth, budget)
            continue
        key = _construct(key_node, depth + 1, budget)
        if isinstance(key, dict | list):
            raise GoYamlError("a map key is a map or a list (invalid map key)")
        out[_hashable(key)] = _construct(value_node, depth + 1, budget)
    return out


def _merge(out: dict[Any, Any], node: Node, depth: int, budget: list[int]) -> None:
    """go-yaml v2 merges by decoding into the same map, so merged keys overwrite keys set before the `<<`;
    a sequence merges from its last map to its first."""
    if isinstance(node, MappingNode):
        out.update(_construct(node, depth + 1, budget))
    elif isinstance(node, SequenceNode) and all(isinstance(c, MappingNode) for c in node.value):
        for child in reversed(node.value):
            out.update(_construct(child, depth + 1, budget))
    else:
        raise GoYamlError("map merge requires map or sequence of maps as the value")


def _hashable(key: Any) -> Any:
    return ("float", key) if isinstance(key, float) else key


def _unhash(key: Any) -> Any:
    return key[1] if isinstance(key, tuple) else key


def _jsonable(value: Any) -> Any:
    """sigs.k8s.io/yaml: keys to strings, then a JSON round trip (numbers float64, NaN/Inf fail)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for raw_key, item in value.items():
            key = _key(_unhash(raw_key))
            if key in out:
                raise GoYamlUnsupported("two map keys that Go reads as the same string (Go picks one at random)")
            out[key] = _jsonable(item)
        return out
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, _Int):
        return float(value.value)
    if isinstance(value, float) and not math.isfinite(value):
        raise GoYamlError("a value is NaN or infinite, which JSON cannot carry (json: unsupported value)")
    if isinstance(value, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise GoYamlUnsupported("a string with a lone surrogate escape")
    return value


def load_map(text: str) -> dict[str, Any]:
    """`yaml.Unmarshal(text, &map[string]any{})`: the first document as Go sees it after the YAML->JSON->any
    round trip; GoYamlError when Go fails (then fromYaml has only `Error`)."""
    node = first_node(text)
    value = None if node is None else _jsonable(_construct(node))
    if value is None:
        return {}
    if not isinstance(value, dict):
        kind = "list" if isinstance(value, list) else "scalar"
        raise GoYamlError(f"the document is a YAML {kind}, not a mapping (json: cannot unmarshal into a map)")
    return value


def go_float_text(value: float, bits: int = 64) -> str:
    """Go's shortest `%v` / `FormatFloat(f, 'g', -1, bits)`: `100000`, `1e+06`, `1.5e-05`, `-0`."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    negative = math.copysign(1.0, value) < 0
    if value == 0:
        return "-0" if negative else "0"
    shortest = repr(abs(value)) if bits == 64 else _shortest32(abs(value))
    mantissa, _, exponent = shortest.lower().partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    point = len(whole.lstrip("0")) if whole.strip("0") else -(len(frac) - len(frac.lstrip("0")))
    point += int(exponent or 0)
    digits = digits.rstrip("0") or "0"
    exp = point - 1
    sign = "-" if negative else ""
    if exp < -4 or exp >= 6:
        rest = f".{digits[1:]}" if len(digits) > 1 else ""
        return f"{sign}{digits[0]}{rest}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"


def _shortest32(value: float) -> str:
    single = struct.unpack("f", struct.pack("f", value))[0]
    for precision in range(1, 10):
        text = f"{single:.{precision - 1}e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            return text
    return repr(single)  # pragma: no cover


def go_text(value: Any) -> str:
    """How Go's fmt prints a fromYaml value nested in a map or list (`%v`): maps sorted by key, nil `<nil>`."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float_text(value)
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_text(value[k])}" for k in sorted(value, key=lambda k: k.encode())) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_text(item) for item in value) + "]"
    return str(value)


def retyped_scalars(text: str) -> Iterator[tuple[str, str]]:
    """(path, what Go makes of it) for each plain scalar whose Go text differs from what is written: what
    preflight warns about before ESO turns `y` into `true` or `12345678` into `1.2345678e+07`. The
    description names the Go type, never the value (payload values are secrets; keys are names)."""
    node = first_node(text)
    if node is not None:
        yield from _walk_retyped(node, "")


def _walk_retyped(node: Node, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else "?"
            here = f"{path}.{key}" if path else str(key)
            if isinstance(key_node, ScalarNode) and key_node.tag == PLAIN and key != "<<":
                went = resolve_plain(key)
                shown = key if isinstance(went, str) else _safe_key(went)
                if shown != key:
                    yield here, f"the key {key!r} becomes {shown!r}"
            yield from _walk_retyped(value_node, here)
    elif isinstance(node, SequenceNode):
        for index, child in enumerate(node.value):
            yield from _walk_retyped(child, f"{path}[{index}]")
    elif isinstance(node, ScalarNode) and node.tag == PLAIN:
        went = resolve_plain(node.value)
        if isinstance(went, str):
            return
        if went is None:
            what = "null: the template prints <no value>"
        elif isinstance(went, bool):
            what = f"a boolean: the template prints {go_text(went)!r}"
        elif isinstance(went, float) and not math.isfinite(went):
            what = "NaN or infinity: fromYaml fails for the whole payload"
        else:
            number = float(went.value) if isinstance(went, _Int) else went
            what = f"a number printed as Go's float64 ({_shape(go_float_text(number))})"
        shown = None if went is None else (go_text(went) if not isinstance(went, _Int)
                                           else go_float_text(float(went.value)))
        if shown != node.value:
            yield path, what


def _shape(text: str) -> str:
    """The form of a Go number text without its digits: `d.ddde+07`, `ddd`."""
    return re.sub(r"[0-9]", "d", text)


def _safe_key(value: Any) -> str:
    try:
        return _key(value)
    except GoYamlError:
        return "an unsupported key"
