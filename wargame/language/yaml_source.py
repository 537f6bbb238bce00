"""Safe YAML reading that remembers the line of every field, so errors can point at it.

Reading is bounded: only regular files, at most MAX_BYTES of them, at most MAX_DEPTH levels of nesting and
MAX_NODES values once aliases are expanded (a few hundred bytes of nested aliases can otherwise expand to
billions of values), no alias that contains itself, and only finite numbers. Each limit, when reached, is
a ScenarioError that names it.

Everything a hostile file can hold (a tag on a value it does not fit, a control character, nesting deeper
than Python's stack, a list as a key) is a ScenarioError with the line, never another exception."""

from __future__ import annotations

import math
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from wargame.language.errors import ScenarioError

# Only the plain data tags are allowed: anything that would construct an object is refused.
_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:timestamp",
}

Path_ = tuple[str | int, ...]

MAX_BYTES = 2_000_000  # a seed scenario is about 60 KB
MAX_DEPTH = 40  # a scenario nests about 8 deep
MAX_NODES = 200_000  # values after aliases are expanded; a seed scenario has about 5,000

_MAP, _SEQ, _NULL = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:null"
# What YAML 1.1 reads as null: the only text that !!null takes.
_NULL_TEXT = re.compile(r"~|null|Null|NULL|")
# The scalar constructors of the safe loader, called on one scalar at a time (they keep no state).
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
# Line breaks as YAML counts them (its marks' lines), for a position it gives without a line.
_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
# The names of the control characters U+0000 to U+001F.
# fmt: off
_C0 = ["NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "TAB", "LF", "VT", "FF", "CR", "SO",
       "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS",
       "RS", "US"]
# fmt: on


class LineMap:
    """Field path -> 1-based line number in one YAML document."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[Path_, int] = {}

    def line_of(self, path: Path_) -> int | None:
        """Line of the deepest known prefix of `path` (a missing field points at its parent)."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def read_yaml(path: str | Path) -> tuple[Any, LineMap]:
    """Read one YAML file into plain dicts/lists/scalars and a LineMap; ScenarioError on any fault."""
    path = Path(path)
    name = str(path) if str(path).isprintable() else repr(str(path))[1:-1]
    try:
        mode = path.stat().st_mode  # follows links: a dangling link or a loop fails here
    except ValueError:  # a NUL in the name (from a quoted "\0" in a file that names this one)
        raise ScenarioError(
            name,
            "cannot be read",
            expected="a file name",
            found="a name with a NUL character in it",
        ) from None
    except FileNotFoundError:
        found = "a link to nothing" if path.is_symlink() else "nothing"
        raise ScenarioError(
            name, "file not found", expected="an existing YAML file", found=found
        ) from None
    except OSError as exc:  # a loop of links, a name too long, no permission
        raise ScenarioError(
            name, "cannot be read", expected="a readable YAML file", found=exc.strerror or str(exc)
        ) from None
    if stat.S_ISDIR(mode):
        raise ScenarioError(name, "is a directory", expected="a YAML file", found="a directory")
    if not stat.S_ISREG(mode):
        raise ScenarioError(
            name,
            "is not a regular file",
            expected="a YAML file",
            found="a device, pipe or socket (it would be read without end, or wait for ever)",
        )
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(
            name, "cannot be read", expected="a readable YAML file", found=exc.strerror or str(exc)
        ) from None
    if len(raw) > MAX_BYTES:
        raise ScenarioError(
            name,
            "file too large",
            expected=f"at most {MAX_BYTES:,} bytes (a scenario is tens of kilobytes)",
            found=f"more than {MAX_BYTES:,} bytes",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(name, "not UTF-8 text", expected="UTF-8 YAML", found=str(exc)) from None
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> tuple[Any, LineMap]:
    lines = LineMap(name)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except _TooDeep as exc:
        raise ScenarioError(
            name,
            "nested too deeply",
            line=exc.mark.line + 1,
            field=_dotted(tuple(reversed(exc.path))) or None,
            expected=f"at most {MAX_DEPTH} levels of nesting",
            found=f"more than {MAX_DEPTH} levels here",
        ) from None
    except RecursionError:  # not reached while _Loader counts depth; kept as the last guard
        raise ScenarioError(
            name,
            "nested too deeply",
            expected=f"at most {MAX_DEPTH} levels of nesting",
            found="far more",
        ) from None
    except yaml.reader.ReaderError as exc:  # a character YAML refuses anywhere in the text
        line = len(_BREAK.findall(text, 0, exc.position)) + 1
        raise ScenarioError(
            name,
            f"{_character(exc.character)} YAML does not allow",
            line=line,
            expected="printable text (tabs and line ends are the only control characters allowed)",
            found=_snippet(text, line),
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or "syntax error"
        raise ScenarioError(
            name,
            f"YAML syntax error: {problem}",
            line=line,
            expected="valid YAML",
            found=_snippet(text, line),
        ) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(name, f"YAML error: {exc}") from None
    if node is None:
        raise ScenarioError(
            name, "file is empty", line=1, expected="a mapping of fields", found="no content"
        )
    data = _Builder(lines, name).build(node, ())
    return data, lines


class _TooDeep(Exception):
    """Raised by _Loader where nesting passes MAX_DEPTH; collects the path on its way out."""

    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__("nested too deeply")
        self.mark = mark
        self.path: list[str | int] = []  # innermost first


class _Loader(yaml.SafeLoader):
    """The safe loader, counting nesting as it composes: it stops where the nesting passes MAX_DEPTH,
    with that node's line, long before Python's recursion limit (composing is recursive)."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH + 1:  # the root is depth 1 and path length 0
                raise _TooDeep(self.peek_event().start_mark)
            return super().compose_node(parent, index)
        except _TooDeep as exc:
            if isinstance(parent, yaml.SequenceNode):
                exc.path.append(index)
            elif isinstance(parent, yaml.MappingNode):
                if index is None:  # inside a key: the field is the mapping that holds it
                    exc.path.clear()
                else:
                    exc.path.append(index.value if isinstance(index, yaml.ScalarNode) else "?")
            raise
        finally:
            self.depth -= 1


def _character(code: int) -> str:
    """A character YAML refuses, named for a person: 'a control character (NUL, U+0000)'."""
    if code < 0x20:
        return f"a control character ({_C0[code]}, U+{code:04X})"
    if code == 0x7F:
        return "a control character (DEL, U+007F)"
    if 0x80 <= code <= 0x9F:
        return f"a control character (U+{code:04X})"
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate (U+{code:04X}, from bytes that are not UTF-8)"
    return f"a character (U+{code:04X})"


def _snippet(text: str, line: int | None) -> str:
    if not line:
        return "?"
    rows = _BREAK.split(text)
    if not 0 < line <= len(rows):
        return "end of file"
    row = rows[line - 1].strip()
    return repr(row if len(row) <= 80 else row[:77] + "...")


class _Builder:
    """Builds plain data from composed YAML nodes, counting what it builds (aliases expanded) and refusing
    an alias that contains itself."""

    def __init__(self, lines: LineMap, name: str) -> None:
        self.lines = lines
        self.name = name
        self.nodes = 0
        self.open: set[int] = set()  # nodes being built: meeting one again is a loop of aliases

    def fail(self, node: yaml.Node, message: str, path: Path_, expected: str, found: str):
        return ScenarioError(
            self.name,
            message,
            line=node.start_mark.line + 1,
            field=_dotted(path) or None,
            expected=expected,
            found=found,
        )

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(
                node,
                "too many values (aliases expand to more than a scenario holds)",
                path,
                f"at most {MAX_NODES:,} values once aliases are expanded",
                "more",
            )
        if len(path) > MAX_DEPTH:
            raise self.fail(
                node,
                "nested too deeply",
                path,
                f"at most {MAX_DEPTH} levels of nesting",
                f"{len(path)}",
            )
        if id(node) in self.open:
            raise self.fail(node, "an alias that contains itself", path, "data that ends", "a loop")
        self.lines.lines.setdefault(path, node.start_mark.line + 1)
        if node.tag not in _SAFE_TAGS:
            raise self.fail(
                node,
                "YAML tag not allowed",
                path,
                "plain data (mappings, lists, text, numbers)",
                node.tag,
            )
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            if node.tag != (_MAP if isinstance(node, yaml.MappingNode) else _SEQ):
                raise self.fail(node, "not a valid value", path, _wanted(node.tag), _kind(node))
            self.open.add(id(node))
            try:
                return (
                    self._mapping(node, path)
                    if isinstance(node, yaml.MappingNode)
                    else [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
                )
            finally:
                self.open.discard(id(node))
        return self._scalar(node, path)

    def _scalar(self, node: yaml.ScalarNode, path: Path_) -> Any:
        tag = node.tag
        if tag in (_MAP, _SEQ) or (tag == _NULL and not _NULL_TEXT.fullmatch(node.value)):
            raise self.fail(node, "not a valid value", path, _wanted(tag), _shown(node.value))
        try:  # any fault of one scalar's constructor means the text is not a value of that type
            value = _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, node)
        except (
            Exception
        ) as exc:  # KeyError for !!bool maybe, AttributeError for !!timestamp soon...
            found = _shown(node.value)
            if tag.endswith(":int") and "digits" in str(exc):
                found = f"a number of more than 4,300 digits ({found})"
            elif tag.endswith(":timestamp") and isinstance(exc, ValueError):
                found = f"{found} ({exc})"
            raise self.fail(node, "not a valid value", path, _wanted(tag), found) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(node, "not a finite number", path, "a finite number", repr(node.value))
        if hasattr(value, "isoformat") and not isinstance(value, str):
            value = value.isoformat()
        return value

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        out: dict[str, Any] = {}
        lines = self.lines
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ScenarioError(
                    self.name,
                    "YAML merge keys (<<) are not supported",
                    line=key_node.start_mark.line + 1,
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise ScenarioError(
                    self.name,
                    "mapping key must be text",
                    line=key_node.start_mark.line + 1,
                    field=_dotted(path) or None,
                    expected="a name",
                    found=_kind(key_node),
                )
            key = self.build(key_node, path)
            if isinstance(key, bool):  # `no:` and `on:` are names here, not False and True
                key = key_node.value
            if not isinstance(key, str | int):
                raise ScenarioError(
                    self.name,
                    "mapping key must be text",
                    line=key_node.start_mark.line + 1,
                    field=_dotted(path) or None,
                    expected="a name",
                    found=repr(key),
                )
            key = str(key)
            if key in out:
                raise ScenarioError(
                    self.name,
                    "duplicate key",
                    line=key_node.start_mark.line + 1,
                    field=_dotted((*path, key)),
                    expected="each key once",
                    found=f"'{key}' again (first on line {lines.lines.get((*path, key))})",
                )
            lines.lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = self.build(value_node, (*path, key))
        return out


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return _shown(node.value)


def _shown(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _wanted(tag: str) -> str:
    """What a tag asks for: 'a mapping', 'a list', 'a value of type bool'."""
    if tag == _MAP:
        return "a mapping"
    if tag == _SEQ:
        return "a list"
    return f"a value of type {tag.rsplit(':', 1)[-1]}"


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


dotted = _dotted
