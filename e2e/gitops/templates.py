"""ESO's template engine (engineVersion v2) for the subset real repositories use, evaluated as Go does.

Why our own: preflight must say which payload path a template needs without a cluster, and the checks must
know the exact bytes ESO writes, to compare Secrets byte-for-byte against Vault. ESO runs Go `text/template`
with `missingkey=error` and Sprig (minus env/expandenv) plus `fromYaml`/`toYaml`
(external-secrets `runtime/template/v2`). Modelled here as Go does it:
- parsing: the whole template is parsed first, and a template Go cannot parse (`{{ .x }'`, `{{ .a-b }}`, an
  unknown function) raises TemplateParseError: ESO fails that Secret;
- `fromYaml` is sigs.k8s.io/yaml (e2e.gitops.goyaml): `y` is true, `12345678` prints `1.2345678e+07`, a
  payload Go cannot read yields only an `Error` key;
- a missing field is an error (TemplateKeyMissing), but `index` of a missing key yields nil, which prints
  `<no value>` and ESO reports Ready=True (`Rendering.no_value_paths` says where);
- functions take Go-typed arguments (`upper` of a number fails), values print with Go's fmt.
Supported: text, comments, trim markers, fields, `$`, parentheses, literals, pipelines, and the functions in
`_FUNCS`. Anything else Go accepts raises TemplateUnsupported, never a guessed answer.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from e2e.gitops import goyaml


class TemplateError(Exception):
    """Base: the message never contains a secret value, only paths and names."""


class TemplateKeyMissing(TemplateError):
    def __init__(self, path: tuple[str, ...], key: str) -> None:
        self.path = (*path, key)
        super().__init__(f'map has no entry for key "{key}" (path {".".join(self.path)})')


class TemplateUnsupported(TemplateError):
    pass


class TemplateParseError(TemplateError):
    """Go's `Parse` fails: ESO reports "unable to parse template at key ..." and fails this Secret."""


class TemplateExecError(TemplateError):
    """Go's `Execute` fails (a wrong type, index of nil...): ESO fails this Secret."""


class TemplateIndexOfMissing(TemplateKeyMissing, TemplateExecError):
    """`index` went on past a missing key: Go fails with "index of nil pointer"; the cause is the path."""

    def __init__(self, path: tuple[str, ...], key: str) -> None:
        super().__init__(path[:-1], path[-1])
        self.args = (f'error calling index: index of nil pointer: key "{path[-1]}" is missing at '
                     f'{".".join(path[:-1]) or "the top"} (path {".".join(path)}), so "{key}" cannot be read',)


class TemplatePayloadNotYaml(TemplateExecError):
    """fromYaml got text Go cannot read as a mapping: ESO's map has only `Error`, so every path fails."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Functions ESO registers: Go's builtins, Sprig's TxtFuncMap minus env/expandenv (and getHostByName in the
# vendored copy), and ESO's own. A name outside this set is a Go parse error ("function %q not defined").
GO_BUILTINS = _words("""
and call html index slice js len not or print printf println urlquery eq ge gt le lt ne
""")
ESO_FUNCS = _words("""
pkcs12key pkcs12keyPass pkcs12cert pkcs12certPass pemToPkcs12 pemToPkcs12Pass fullPemToPkcs12
fullPemToPkcs12Pass pemTruststoreToPKCS12 pemTruststoreToPKCS12Pass filterPEM filterCertChain jwkPublicKeyPem
jwkPrivateKeyPem toYaml fromYaml rsaDecrypt
""")
SPRIG_FUNCS = _words("""
hello ago date date_in_zone date_modify dateInZone dateModify duration durationRound htmlDate htmlDateInZone
must_date_modify mustDateModify mustToDate now toDate unixEpoch abbrev abbrevboth trunc trim upper lower title
untitle substr repeat trimall trimAll trimSuffix trimPrefix nospace initials randAlphaNum randAlpha randAscii
randNumeric swapcase shuffle snakecase camelcase kebabcase wrap wrapWith contains hasPrefix hasSuffix quote
squote cat indent nindent replace plural sha1sum sha256sum sha512sum adler32sum toString atoi int64 int
float64 seq toDecimal split splitList splitn toStrings until untilStep add1 add sub div mod mul randInt add1f
addf subf divf mulf biggest max min maxf minf ceil floor round join sortAlpha default empty coalesce all any
compact mustCompact fromJson toJson toPrettyJson toRawJson mustFromJson mustToJson mustToPrettyJson
mustToRawJson ternary deepCopy mustDeepCopy typeOf typeIs typeIsLike kindOf kindIs deepEqual base dir clean
ext isAbs osBase osClean osDir osExt osIsAbs b64enc b64dec b32enc b32dec tuple list dict get set unset hasKey
pluck keys pick omit merge mergeOverwrite mustMerge mustMergeOverwrite values append push mustAppend mustPush
prepend mustPrepend first mustFirst rest mustRest last mustLast initial mustInitial reverse mustReverse uniq
mustUniq without mustWithout has mustHas slice mustSlice concat dig chunk mustChunk bcrypt htpasswd
genPrivateKey derivePassword buildCustomCert genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey
genSignedCert genSignedCertWithKey encryptAES decryptAES randBytes uuidv4 semver semverCompare fail regexMatch
mustRegexMatch regexFindAll mustRegexFindAll regexFind mustRegexFind regexReplaceAll mustRegexReplaceAll
regexReplaceAllLiteral mustRegexReplaceAllLiteral regexSplit mustRegexSplit regexQuoteMeta urlParse urlJoin
""")
KNOWN_FUNCS = GO_BUILTINS | ESO_FUNCS | SPRIG_FUNCS
KEYWORDS = _words("""
block break continue define else end if range nil template with true false
""")
_SPACE = " \t\r\n"
_ONE_CHAR = {"|": "pipe", "=": "assign", ",": "comma"}  # one-character items of an action
_GO_STRING_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
                      "\\": "\\", '"': '"'}


# ---------------------------------------------------------------- values (Go types, as Python objects)

class StrMap(dict):
    """The template's data: ESO passes `map[string]string` (secretKey -> provider value). `index` of a
    missing key gives "" here (the element type's zero value), nil on fromYaml's map[string]any."""


class _FailedYaml(dict):
    """fromYaml's result when Go's Unmarshal failed: only `Error` (whose text is Go's; not modelled)."""

    def __init__(self, reason: str) -> None:
        super().__init__(Error=None)
        self.reason = reason


@dataclass
class _Value:
    """A value with the payload path it came from (for messages that name paths, never values)."""

    data: Any
    path: tuple[str, ...] = ()
    from_index_miss: bool = False  # nil because `index` did not find the key (prints <no value>)


_GO_TYPES = ((bool, "bool"), (int, "int"), (float, "float64"), (str, "string"), (StrMap, "map[string]string"),
             (dict, "map[string]interface {}"), (list, "[]interface {}"))


@dataclass
class Rendering:
    text: str
    no_value_paths: list[str] = field(default_factory=list)  # paths that printed <no value> (Ready=True in ESO)


def go_type(data: Any) -> str:
    """fmt's `%T` of a value as text/template holds it (bool before int: a Python bool is an int)."""
    if data is None:
        return "<nil>"
    return next((name for kind, name in _GO_TYPES if isinstance(data, kind)), type(data).__name__)


def go_sprint(data: Any) -> str:
    """fmt's `%v` of one value (a nil operand prints `<nil>`)."""
    if isinstance(data, int) and not isinstance(data, bool):
        return str(data)
    return goyaml.go_text(data)


def _where(value: _Value) -> str:
    return ".".join(value.path) or "the data"


# ---------------------------------------------------------------- lexer (text/template/parse/lex.go)

@dataclass
class _Item:
    kind: str  # text, left, right, space, field, dot, var, ident, string, raw, char, number, pipe, lp, rp, ...
    text: str
    line: int
    trim: bool = False  # on left/right: a trim marker


class _Lexer:
    def __init__(self, source: str, name: str) -> None:
        self.src, self.name, self.pos, self.items = source, name, 0, []
        self.paren = 0

    def line(self, pos: int | None = None) -> int:
        return self.src.count("\n", 0, self.pos if pos is None else pos) + 1

    def fail(self, message: str, pos: int | None = None) -> TemplateParseError:
        return TemplateParseError(f"template: {self.name}:{self.line(pos)}: {message}")

    def run(self) -> list[_Item]:
        src = self.src
        while self.pos < len(src):
            start = src.find("{{", self.pos)
            if start < 0:
                self.items.append(_Item("text", src[self.pos:], self.line()))
                break
            trim = src.startswith("-", start + 2) and start + 3 < len(src) and src[start + 3] in _SPACE
            text = src[self.pos:start]
            if trim:
                text = text.rstrip(_SPACE)
            if text:
                self.items.append(_Item("text", text, self.line()))
            self.pos = start + 2 + (2 if trim else 0)
            if src.startswith("/*", self.pos):
                self.comment(start)
            else:
                self.items.append(_Item("left", "{{", self.line(start), trim))
                self.inside(start)
        return self.items

    def at_right(self) -> tuple[bool, bool]:
        src, pos = self.src, self.pos
        if pos + 1 < len(src) and src[pos] in _SPACE and src[pos + 1] == "-" and src.startswith("}}", pos + 2):
            return True, True
        return src.startswith("}}", pos), False

    def close(self, trim: bool) -> None:
        self.pos += 4 if trim else 2
        if trim:
            while self.pos < len(self.src) and self.src[self.pos] in _SPACE:
                self.pos += 1

    def comment(self, start: int) -> None:
        end = self.src.find("*/", self.pos + 2)
        if end < 0:
            raise self.fail("unclosed comment", start)
        self.pos = end + 2
        delim, trim = self.at_right()
        if not delim:
            raise self.fail("comment ends before closing delimiter", start)
        self.close(trim)

    def inside(self, start: int) -> None:
        src = self.src
        while True:
            delim, trim = self.at_right()
            if delim:
                if self.paren:
                    raise self.fail("unclosed left paren")
                self.items.append(_Item("right", "}}", self.line(), trim))
                self.close(trim)
                return
            if self.pos >= len(src):
                raise self.fail("unclosed action", start)
            ch, begin = src[self.pos], self.pos
            if ch in _SPACE:
                while self.pos < len(src) and src[self.pos] in _SPACE and not self.at_right()[1]:
                    self.pos += 1
                self.items.append(_Item("space", " ", self.line(begin)))
            elif ch in _ONE_CHAR:
                self.pos += 1
                self.items.append(_Item(_ONE_CHAR[ch], ch, self.line(begin)))
            elif ch == "(":
                self.pos += 1
                self.paren += 1
                self.items.append(_Item("lp", "(", self.line(begin)))
            elif ch == ")":
                self.pos += 1
                self.paren -= 1
                if self.paren < 0:
                    raise self.fail('unexpected right paren U+0029 \')\'')
                self.items.append(_Item("rp", ")", self.line(begin)))
            elif ch == '"':
                self.quoted(begin, '"', "string", "quoted string")
            elif ch == "`":
                end = src.find("`", begin + 1)
                if end < 0:
                    raise self.fail("unterminated raw quoted string", begin)
                self.pos = end + 1
                self.items.append(_Item("raw", src[begin + 1:end], self.line(begin)))
            elif ch == "'":
                self.quoted(begin, "'", "char", "character constant")
            elif ch == "$":
                self.pos += 1
                self.word(begin, "var")
            elif ch == ".":
                nxt = src[begin + 1:begin + 2]
                if nxt.isdigit():
                    self.number(begin)
                elif nxt and _alnum(nxt):
                    self.pos += 1
                    self.word(begin, "field")
                else:
                    self.pos += 1
                    self.items.append(_Item("dot", ".", self.line(begin)))
            elif ch in "+-" or ch.isdigit():
                self.number(begin)
            elif _alnum(ch):
                self.word(begin, "ident")
            elif ch == ":" and src.startswith(":=", begin):
                self.pos += 2
                self.items.append(_Item("declare", ":=", self.line(begin)))
            elif ch.isascii() and ch.isprintable():
                self.pos += 1
                self.items.append(_Item("char_other", ch, self.line(begin)))
            else:
                raise self.fail(f"unrecognized character in action: U+{ord(ch):04X}", begin)

    def word(self, begin: int, kind: str) -> None:
        src = self.src
        while self.pos < len(src) and _alnum(src[self.pos]):
            self.pos += 1
        if not self.at_terminator():
            bad = src[self.pos]
            raise self.fail(f"bad character U+{ord(bad):04X} '{bad}'", begin)
        self.items.append(_Item(kind, src[begin:self.pos], self.line(begin)))

    def at_terminator(self) -> bool:
        if self.pos >= len(self.src):
            return True
        ch = self.src[self.pos]
        return ch in _SPACE or ch in ".,|:()" or self.at_right()[0]

    def quoted(self, begin: int, quote: str, kind: str, what: str) -> None:
        """A "string" or a 'c' constant as lexQuote/lexChar scan it: a backslash escapes anything but a
        newline; a newline or the end first is "unterminated" (escapes are read by the parser)."""
        src, pos = self.src, begin + 1
        while pos < len(src) and src[pos] not in ("\n", quote):
            if src[pos] == "\\" and (pos + 1 >= len(src) or src[pos + 1] == "\n"):
                break
            pos += 2 if src[pos] == "\\" else 1
        if pos >= len(src) or src[pos] != quote:
            raise self.fail(f"unterminated {what}", begin)
        self.pos = pos + 1
        self.items.append(_Item(kind, src[begin:self.pos], self.line(begin)))

    def number(self, begin: int) -> None:
        match = _NUMBER.match(self.src, begin)
        end = match.end() if match else begin
        if end < len(self.src) and _alnum(self.src[end]):
            raise self.fail(f"bad number syntax: {self.src[begin:end + 1]!r}".replace("'", '"'), begin)
        if end == begin or self.src[begin:end] in "+-":
            raise self.fail(f"bad number syntax: \"{self.src[begin:end + 1]}\"", begin)
        self.pos = end
        self.items.append(_Item("number", self.src[begin:end], self.line(begin)))


_NUMBER = re.compile(r"[+-]?(0[xX][0-9a-fA-F_]*(\.[0-9a-fA-F_]*)?([pP][+-]?[0-9_]+)?|0[oObB][0-9_]*"
                     r"|[0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9_]+)?)i?")


def _alnum(ch: str) -> bool:
    return ch == "_" or ch.isalnum()


# ---------------------------------------------------------------- parser (text/template/parse/parse.go)

@dataclass
class _Node:
    kind: str  # field, dot, var, ident, string, number, bool, nil, pipe
    value: Any = None
    chain: tuple[str, ...] = ()
    line: int = 1


class _Parser:
    def __init__(self, items: list[_Item], name: str) -> None:
        self.items, self.i, self.name = items, 0, name

    def fail(self, message: str, item: _Item | None = None) -> TemplateParseError:
        line = item.line if item else (self.items[self.i - 1].line if self.i else 1)
        return TemplateParseError(f"template: {self.name}:{line}: {message}")

    def peek(self, skip_space: bool = False) -> _Item:
        j = self.i
        while skip_space and self.items[j].kind == "space":
            j += 1
        return self.items[j]

    def next(self, skip_space: bool = False) -> _Item:
        while skip_space and self.items[self.i].kind == "space":
            self.i += 1
        item = self.items[self.i]
        self.i += 1
        return item

    def parse(self) -> list[Any]:
        nodes: list[Any] = []
        while self.i < len(self.items):
            item = self.next()
            if item.kind == "eof":
                break
            if item.kind == "text":
                nodes.append(item.text)
                continue
            head = self.peek(skip_space=True)
            if head.kind == "ident" and head.text in KEYWORDS - {"nil", "true", "false"}:
                raise TemplateUnsupported(f"the template action {{{{ {head.text} }}}} is not modelled by the harness")
            nodes.append(self.pipeline("command", "right"))
        return nodes

    def pipeline(self, context: str, end: str) -> list[list[_Node]]:
        head = self.peek(skip_space=True)
        if head.kind == "var" and self.items[self.i + 1:self.i + 4] and any(
                it.kind in ("declare", "assign") for it in self.items[self.i:self.i + 4]):
            raise TemplateUnsupported("template variables ($x := ...) are not modelled by the harness")
        cmds: list[list[_Node]] = []
        while True:
            item = self.next(skip_space=True)
            if item.kind == end:
                if not cmds:
                    raise self.fail(f"missing value for {context}", item)
                for stage, cmd in enumerate(cmds[1:], start=2):
                    if cmd[0].kind in ("bool", "dot", "nil", "number", "string"):
                        raise self.fail(f"non executable command in pipeline stage {stage}", item)
                return cmds
            if item.kind in ("bool", "char", "dot", "field", "ident", "number", "raw", "string", "var", "lp"):
                self.i -= 1
                cmds.append(self.command())
            else:
                raise self.fail(f"unexpected {_show(item)} in {context}", item)

    def command(self) -> list[_Node]:
        args: list[_Node] = []
        while True:
            self.peek(skip_space=True)
            operand = self.operand()
            if operand is not None:
                args.append(operand)
            item = self.next()
            if item.kind == "space":
                continue
            if item.kind in ("right", "rp"):
                self.i -= 1
            elif item.kind != "pipe":
                raise self.fail(f"unexpected {_show(item)} in operand", item)
            break
        if not args:
            raise self.fail("empty command")
        return args

    def operand(self) -> _Node | None:
        node = self.term()
        if node is None:
            return None
        chain: list[str] = []
        while self.peek().kind == "field":
            chain += self.next().text[1:].split(".")
        if not chain:
            return node
        if node.kind in ("field", "var"):
            return _Node(node.kind, node.value, node.chain + tuple(chain), node.line)
        if node.kind in ("bool", "string", "number", "nil", "dot"):
            raise self.fail(f"unexpected . after term {node.value!r}".replace("'", '"'))
        return _Node(node.kind, node.value, tuple(chain), node.line)

    def term(self) -> _Node | None:
        item = self.next(skip_space=True)
        kind, text, line = item.kind, item.text, item.line
        if kind == "ident":
            if text in ("true", "false"):
                return _Node("bool", text == "true", line=line)
            if text == "nil":
                return _Node("nil", line=line)
            if text in KEYWORDS:
                raise self.fail(f"unexpected <{text}> in command", item)
            if text not in KNOWN_FUNCS:
                raise self.fail(f'function "{text}" not defined', item)
            return _Node("ident", text, line=line)
        if kind == "dot":
            return _Node("dot", line=line)
        if kind == "var":
            if text != "$":
                raise self.fail(f'undefined variable "{text}"', item)
            return _Node("var", "$", line=line)
        if kind == "field":
            return _Node("field", None, tuple(text[1:].split(".")), line)
        if kind == "string":
            return _Node("string", _go_unquote(text, lambda m: self.fail(m, item)), line=line)
        if kind == "raw":
            return _Node("string", text, line=line)
        if kind == "number":
            return _Node("number", _go_number(text, lambda m: self.fail(m, item)), line=line)
        if kind == "char":
            value = _go_unquote('"' + text[1:-1].replace('"', '\\"') + '"', lambda m: self.fail(m, item))
            if len(value) != 1:
                raise self.fail(f"malformed character constant: {text}", item)
            return _Node("number", ord(value), line=line)
        if kind == "lp":
            pipe = self.pipeline("parenthesized pipeline", "rp")
            return _Node("pipe", pipe, line=line)
        self.i -= 1
        return None


def _show(item: _Item) -> str:
    names = {"right": "}}", "rp": ")", "pipe": "|"}
    text = names.get(item.kind, item.text)
    return f'"{text}"' if item.kind in ("char_other", "pipe", "rp", "right", "comma", "assign", "declare") \
        else f"<{text}>"


def _go_unquote(text: str, fail: Callable[[str], TemplateError]) -> str:
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        esc = body[i + 1] if i + 1 < len(body) else ""
        if esc in _GO_STRING_ESCAPES:
            out.append(_GO_STRING_ESCAPES[esc])
            i += 2
            continue
        width = {"x": 2, "u": 4, "U": 8}.get(esc)
        if width:
            digits = body[i + 2:i + 2 + width]
            if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise fail(f"invalid syntax in string {text}")
            code = int(digits, 16)
            if esc != "x" and (code > 0x10FFFF or 0xD800 <= code <= 0xDFFF):
                raise fail(f"invalid syntax in string {text}")
            if esc == "x" and code > 0x7F:
                raise TemplateUnsupported("a \\x escape above 0x7f (a raw byte) in a template string")
            out.append(chr(code))
            i += 2 + width
            continue
        if esc in "01234567" and esc:
            digits = body[i + 1:i + 4]
            if len(digits) != 3 or not all(c in "01234567" for c in digits) or int(digits, 8) > 255:
                raise fail(f"invalid syntax in string {text}")
            if int(digits, 8) > 0x7F:
                raise TemplateUnsupported("an octal escape above 0177 (a raw byte) in a template string")
            out.append(chr(int(digits, 8)))
            i += 4
            continue
        raise fail(f"invalid syntax in string {text}")
    return "".join(out)


def _go_number(text: str, fail: Callable[[str], TemplateError]) -> int | float:
    if text.endswith("i") or "_" in text or (text.lower().startswith(("0x", "-0x", "+0x")) and "p" in text.lower()):
        raise TemplateUnsupported(f"the number literal {text} is not modelled by the harness")
    as_int = goyaml._parse_int(text)  # Go's ParseInt(text, 0, 64) syntax
    if as_int is not None:
        if not -(2**63) <= as_int < 2**63:
            raise TemplateUnsupported(f"the number literal {text} overflows int")
        return as_int
    try:
        value = float(text)
    except ValueError:
        raise fail(f"illegal number syntax: \"{text}\"") from None
    return value


@functools.lru_cache(maxsize=256)
def parse(template: str, name: str = "template") -> tuple[Any, ...]:
    """Parse as Go's text/template does: TemplateParseError where Go fails, TemplateUnsupported where Go
    parses something this module does not evaluate."""
    return tuple(_Parser([*_Lexer(template, name).run(), _Item("eof", "", 0)], name).parse())


# ---------------------------------------------------------------- evaluation (text/template/exec.go)

class _State:
    def __init__(self, context: dict[str, Any]) -> None:
        self.root = _Value(context if isinstance(context, StrMap) else StrMap(context))
        self.no_value: list[str] = []

    def pipeline(self, cmds: list[list[_Node]]) -> _Value:
        value: _Value | None = None
        for cmd in cmds:
            value = self.command(cmd, value)
        assert value is not None
        return value

    def command(self, cmd: list[_Node], piped: _Value | None) -> _Value:
        head = cmd[0]
        if head.kind == "ident":
            return self.chain(self.call(head.value, cmd[1:], piped), head.chain)
        if len(cmd) > 1 or piped is not None:
            if head.kind in ("field", "var") and head.chain:
                raise TemplateExecError(f"{head.chain[-1]} is not a method but has arguments")
            raise TemplateExecError("can't give argument to non-function")
        return self.operand(head)

    def operand(self, node: _Node) -> _Value:
        if node.kind in ("field", "var"):
            return self.chain(self.root, node.chain)
        if node.kind == "dot":
            return self.root
        if node.kind in ("string", "number", "bool"):
            return _Value(node.value)
        if node.kind == "nil":
            raise TemplateExecError("nil is not a command")
        if node.kind == "pipe":
            return self.chain(self.pipeline(node.value), node.chain)
        if node.kind == "ident":
            return self.chain(self.call(node.value, [], None), node.chain)
        raise TemplateUnsupported(f"operand {node.kind}")  # pragma: no cover

    def chain(self, value: _Value, names: tuple[str, ...]) -> _Value:
        for name in names:
            value = self.field(value, name)
        return value

    def field(self, value: _Value, name: str) -> _Value:
        data = value.data
        if data is None and value.from_index_miss:
            raise TemplateIndexOfMissing(value.path, name)
        if data is None:
            raise TemplateExecError(f"nil pointer evaluating interface {{}}.{name} (at {_where(value)})")
        if isinstance(data, _FailedYaml):
            raise _not_yaml(data, name, f', so reading "{name}" fails with map has no entry for key')
        if not isinstance(data, dict):
            raise TemplateExecError(f"can't evaluate field {name} in type {go_type(data)} (at {_where(value)})")
        if name not in data:
            raise TemplateKeyMissing(value.path, name)
        return _Value(data[name], (*value.path, name))

    def args(self, nodes: list[_Node], piped: _Value | None) -> list[_Value]:
        values = [self.arg(node) for node in nodes]
        if piped is not None:
            values.append(piped)
        return values

    def arg(self, node: _Node) -> _Value:
        if node.kind == "ident":
            if node.chain:
                raise TemplateUnsupported("a function's result with a field chain as an argument")
            return self.call(node.value, [], None)
        if node.kind == "nil":
            return _Value(None)
        return self.operand(node)

    def call(self, name: str, nodes: list[_Node], piped: _Value | None) -> _Value:
        spec = _FUNCS.get(name)
        if spec is None:
            raise TemplateUnsupported(f"template function {name!r} is not supported by the harness")
        params, variadic, fn = spec
        args = self.args(nodes, piped)
        if (not variadic and len(args) != len(params)) or (variadic and len(args) < len(params)):
            raise TemplateExecError(f"wrong number of args for {name}: want {len(params)} got {len(args)}")
        checked = [_check(name, params[i] if i < len(params) else variadic, a) for i, a in enumerate(args)]
        path = () if name == "fromYaml" else next((a.path for a in reversed(args) if a.path), ())
        if name == "index":
            return self.index(args[0], args[1:])
        return _Value(fn(*checked), path)

    def index(self, item: _Value, keys: list[_Value]) -> _Value:
        if item.data is None:
            raise TemplateExecError(f"error calling index: index of untyped nil (at {_where(item)})")
        for key in keys:
            data = item.data
            if data is None and item.from_index_miss:
                raise TemplateIndexOfMissing(item.path, str(key.data))
            if data is None:
                raise TemplateExecError(f"error calling index: index of nil pointer (at {_where(item)})")
            if isinstance(data, _FailedYaml):
                raise _not_yaml(data, key.data)
            if isinstance(data, dict):
                if not isinstance(key.data, str):
                    raise TemplateExecError(f"error calling index: value has type {go_type(key.data)}; "
                                            "should be string")
                path = (*item.path, key.data)
                if key.data in data:
                    item = _Value(data[key.data], path)
                elif isinstance(data, StrMap):
                    item = _Value("", path)
                else:
                    item = _Value(None, path, from_index_miss=True)
            elif isinstance(data, list | str):
                if not isinstance(key.data, int) or isinstance(key.data, bool):
                    raise TemplateExecError(f"error calling index: cannot index slice/array with type "
                                            f"{go_type(key.data)}")
                if not 0 <= key.data < len(data):
                    raise TemplateExecError(f"error calling index: index out of range: {key.data}")
                if isinstance(data, str):
                    raise TemplateUnsupported("index of a string (a byte) is not modelled by the harness")
                item = _Value(data[key.data], (*item.path, str(key.data)))
            else:
                raise TemplateExecError(f"error calling index: can't index item of type {go_type(data)}")
        return item

    def print(self, value: _Value) -> str:
        if value.data is None:
            self.no_value.append(_where(value))
            return "<no value>"
        return go_sprint(value.data)


def _not_yaml(data: _FailedYaml, key: Any, then: str = "") -> TemplateError:
    if key == "Error":
        return TemplateUnsupported("reading fromYaml's Error key (Go's own error text)")
    return TemplatePayloadNotYaml(f"fromYaml cannot read the payload ({data.reason}): ESO's map has only an "
                                  f"Error key{then}")


_STRING, _INT, _ANY = "string", "int", "any"


def _check(name: str, want: str, value: _Value) -> Any:
    """Go's validateType for a function parameter: a nil or a wrong type is an execution error."""
    data = value.data
    if want == _ANY:
        return data
    if data is None:
        raise TemplateExecError(f"error calling {name}: invalid value; expected {want} (at {_where(value)})")
    if want == _STRING and not isinstance(data, str):
        raise TemplateExecError(f"wrong type for value; expected string; got {go_type(data)} "
                                f"(argument of {name}, at {_where(value)})")
    if want == _INT and (not isinstance(data, int) or isinstance(data, bool)):
        raise TemplateExecError(f"wrong type for value; expected int; got {go_type(data)} (argument of {name})")
    return data


def _from_yaml(text: str) -> Any:
    result = _from_yaml_cached(text)
    if isinstance(result, TemplateUnsupported):
        raise result
    return result


@functools.lru_cache(maxsize=32)
def _from_yaml_cached(text: str) -> Any:
    """Memoised: nine templates over one payload parse it once (results are only read)."""
    try:
        return goyaml.load_map(text)
    except goyaml.GoYamlError as exc:
        return _FailedYaml(str(exc))
    except goyaml.GoYamlUnsupported as exc:
        return TemplateUnsupported(f"fromYaml: {exc}")


# Go's unicode.IsSpace: Python's isspace() without the four information separators U+001C..U+001F
_GO_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c not in "\x1c\x1d\x1e\x1f")


def _case(text: str, upper: bool) -> str:
    mapped = [ch.upper() if upper else ch.lower() for ch in text]
    if any(len(m) != 1 for m in mapped):
        raise TemplateUnsupported("a character whose case mapping Go and Python do not share")
    return "".join(mapped)


_QUOTE_ESCAPES = {v: "\\" + k for k, v in _GO_STRING_ESCAPES.items()}  # strconv.Quote's own escapes


def _go_quote(text: str) -> str:
    """Go's %q (strconv.Quote): printable runes kept, others escaped."""
    out = ['"']
    for ch in text:
        if ch in _QUOTE_ESCAPES:
            out.append(_QUOTE_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


_B64 = re.compile(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$")


def _b64dec(text: str) -> str:
    clean = text.replace("\r", "").replace("\n", "")
    if not _B64.match(clean):
        raise TemplateUnsupported("b64dec of text that is not base64: ESO writes Go's error message instead")
    try:
        return base64.b64decode(clean).decode()
    except UnicodeDecodeError:
        raise TemplateUnsupported("b64dec of bytes that are not UTF-8") from None


def _empty(data: Any) -> bool:
    return data is None or (isinstance(data, int | float | str | dict | list) and not data)


def _sprint(*args: Any) -> str:
    """fmt.Sprint: a space between operands when neither is a string."""
    out: list[str] = []
    for i, arg in enumerate(args):
        if i and not isinstance(arg, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(go_sprint(arg))
    return "".join(out)


def _urlquery(*args: Any) -> str:
    if len(args) == 1 and isinstance(args[0], str):
        text = args[0]
    else:
        text = _sprint(*["<no value>" if a is None else a for a in args])
    return urllib.parse.quote_plus(text, safe="")


_PRINTF_VERB = re.compile(r"%(.)")


def _printf(fmt: str, *args: Any) -> str:
    used = 0

    def verb(match: re.Match[str]) -> str:
        nonlocal used
        letter = match.group(1)
        if letter == "%":
            return "%"
        if letter not in "svdq" or used >= len(args):
            raise TemplateUnsupported(f"printf verb %{letter} (or a missing operand) is not modelled")
        arg = args[used]
        used += 1
        if letter == "d" and isinstance(arg, int) and not isinstance(arg, bool):
            return str(arg)
        if letter in "sq" and isinstance(arg, str):
            return arg if letter == "s" else _go_quote(arg)
        if letter == "v" and arg is not None:
            return go_sprint(arg)
        raise TemplateUnsupported(f"printf %{letter} of a {go_type(arg)} is not modelled")

    text = _PRINTF_VERB.sub(verb, fmt)
    if fmt.endswith("%") and not fmt.endswith("%%"):
        raise TemplateUnsupported("printf with a trailing %")
    if used != len(args):
        raise TemplateUnsupported("printf with extra operands is not modelled")
    return text


def _strval(data: Any) -> str:
    return data if isinstance(data, str) else go_sprint(data)


def _len(data: Any) -> int:
    if isinstance(data, str):
        return len(data.encode())
    if isinstance(data, dict | list):
        return len(data)
    raise TemplateExecError(f"error calling len: len of type {go_type(data)}")


# name -> (parameter kinds, variadic kind or None, implementation); index is evaluated by _State.index
_FUNCS: dict[str, tuple[tuple[str, ...], str | None, Callable[..., Any]]] = {
    "fromYaml": ((_STRING,), None, _from_yaml),
    "index": ((_ANY,), _ANY, lambda *a: None),
    "printf": ((_STRING,), _ANY, _printf),
    "print": ((), _ANY, _sprint),
    "urlquery": ((), _ANY, _urlquery),
    "len": ((_ANY,), None, _len),
    "trim": ((_STRING,), None, lambda s: s.strip(_GO_SPACES)),
    "upper": ((_STRING,), None, lambda s: _case(s, True)),
    "lower": ((_STRING,), None, lambda s: _case(s, False)),
    "toString": ((_ANY,), None, _strval),
    "quote": ((), _ANY, lambda *a: " ".join(_go_quote(_strval(x)) for x in a if x is not None)),
    "squote": ((), _ANY, lambda *a: " ".join(f"'{go_sprint(x)}'" for x in a if x is not None)),
    "b64enc": ((_STRING,), None, lambda s: base64.b64encode(s.encode()).decode()),
    "b64dec": ((_STRING,), None, _b64dec),
    "trimPrefix": ((_STRING, _STRING), None, lambda p, s: s[len(p):] if s.startswith(p) else s),
    "trimSuffix": ((_STRING, _STRING), None, lambda p, s: s[:-len(p)] if p and s.endswith(p) else s),
    "replace": ((_STRING, _STRING, _STRING), None, lambda old, new, s: s.replace(old, new)),
    "default": ((_ANY,), _ANY, lambda default, *given: default if not given or _empty(given[0]) else given[0]),
    "indent": ((_INT, _STRING), None, lambda n, s: " " * n + s.replace("\n", "\n" + " " * n)),
    "nindent": ((_INT, _STRING), None, lambda n, s: "\n" + " " * n + s.replace("\n", "\n" + " " * n)),
    "sha256sum": ((_STRING,), None, lambda s: hashlib.sha256(s.encode()).hexdigest()),
}


def evaluate(template: str, context: dict[str, Any], name: str = "template") -> Rendering:
    """Render as ESO does, and say which paths printed `<no value>` (index of a missing key, or a null)."""
    nodes = parse(template, name)
    state = _State(context)
    out: list[str] = []
    for node in nodes:
        out.append(node if isinstance(node, str) else state.print(state.pipeline(node)))
    return Rendering("".join(out), state.no_value)


def render(template: str, context: dict[str, Any], name: str = "template") -> str:
    """Render a template against the ExternalSecret's data (secretKey -> provider value text)."""
    return evaluate(template, context, name).text


def render_target_data(template_data: dict[str, str], context: dict[str, Any]) -> dict[str, str]:
    """The data ESO writes into an ExternalSecret's target Secret: each `spec.target.template.data` entry
    rendered against the data context (secretKey -> provider value), or with no template the context as is.
    Any failing key fails the whole Secret (ESO stops at the first), and only that Secret."""
    if not template_data:
        return dict(context)
    return {key: render(template, context, key) for key, template in template_data.items()}
