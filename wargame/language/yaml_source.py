"""Safe YAML reading that remembers the line of every field, so errors can point at it."""

from __future__ import annotations

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
    if not path.exists():
        raise ScenarioError(
            name, "file not found", expected="an existing YAML file", found="nothing"
        )
    if path.is_dir():
        raise ScenarioError(name, "is a directory", expected="a YAML file", found="a directory")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(name, "not UTF-8 text", expected="UTF-8 YAML", found=str(exc)) from None
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> tuple[Any, LineMap]:
    lines = LineMap(name)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
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
    data = _build(node, (), lines, name)
    return data, lines


def _snippet(text: str, line: int | None) -> str:
    if not line:
        return "?"
    rows = text.splitlines()
    return repr(rows[line - 1].strip()) if 0 < line <= len(rows) else "end of file"


def _build(node: yaml.Node, path: Path_, lines: LineMap, name: str) -> Any:
    lines.lines.setdefault(path, node.start_mark.line + 1)
    if node.tag not in _SAFE_TAGS:
        raise ScenarioError(
            name,
            "YAML tag not allowed",
            line=node.start_mark.line + 1,
            field=_dotted(path) or None,
            expected="plain data (mappings, lists, text, numbers)",
            found=node.tag,
        )
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ScenarioError(
                    name,
                    "YAML merge keys (<<) are not supported",
                    line=key_node.start_mark.line + 1,
                )
            key = _build(key_node, path, lines, name)
            if not isinstance(key, str | int):
                raise ScenarioError(
                    name,
                    "mapping key must be text",
                    line=key_node.start_mark.line + 1,
                    found=repr(key),
                )
            key = str(key)
            if key in out:
                raise ScenarioError(
                    name,
                    "duplicate key",
                    line=key_node.start_mark.line + 1,
                    field=_dotted((*path, key)),
                    expected="each key once",
                    found=f"'{key}' again (first on line {lines.lines.get((*path, key))})",
                )
            lines.lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, (*path, key), lines, name)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), lines, name) for i, item in enumerate(node.value)]
    constructor = yaml.SafeLoader("")
    value = constructor.construct_object(node, deep=True)
    if hasattr(value, "isoformat") and not isinstance(value, str):
        value = value.isoformat()
    return value


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


dotted = _dotted
