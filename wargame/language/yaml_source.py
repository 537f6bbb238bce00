"""Safe YAML reading that remembers the line of every field, so errors can point at it.

Reading is bounded: only regular files, at most MAX_BYTES of them, at most MAX_DEPTH levels of nesting and
MAX_NODES values once aliases are expanded (a few hundred bytes of nested aliases can otherwise expand to
billions of values), no alias that contains itself, and only finite numbers. Each limit, when reached, is
a ScenarioError that names it."""

from __future__ import annotations

import math
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
    name = str(path)
    try:
        mode = path.stat().st_mode  # follows links: a dangling link or a loop fails here
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
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        raise ScenarioError(
            name,
            "nested too deeply",
            expected=f"at most {MAX_DEPTH} levels of nesting",
            found="far more",
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


def _snippet(text: str, line: int | None) -> str:
    if not line:
        return "?"
    rows = text.splitlines()
    return repr(rows[line - 1].strip()) if 0 < line <= len(rows) else "end of file"


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
            self.open.add(id(node))
            try:
                return (
                    self._mapping(node, path)
                    if isinstance(node, yaml.MappingNode)
                    else [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
                )
            finally:
                self.open.discard(id(node))
        try:
            value = yaml.SafeLoader("").construct_object(node, deep=True)
        except (ValueError, TypeError, OverflowError, yaml.YAMLError) as exc:
            raise self.fail(
                node,
                "not a valid value",
                path,
                f"a value of type {node.tag.rsplit(':', 1)[-1]}",
                f"{node.value!r} ({exc})",
            ) from None
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
            key = self.build(key_node, path)
            if not isinstance(key, str | int):
                raise ScenarioError(
                    self.name,
                    "mapping key must be text",
                    line=key_node.start_mark.line + 1,
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


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


dotted = _dotted
