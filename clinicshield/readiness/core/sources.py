"""Reading YAML content files while remembering where every value came from.

Content errors must say file and line ("scenarios/es/ransomware.yaml:42: unknown role"), so we
compose the YAML node tree ourselves and keep a map from each value's path to its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]

# Builds plain scalars (str, int, bool, dates) from nodes exactly as yaml.safe_load would.
_SCALARS = yaml.constructor.SafeConstructor()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a content file: a code for machines, a detail for people."""

    file: str
    line: int
    code: str
    detail: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.code}: {self.detail}"


class ContentError(Exception):
    """Raised by loaders when a content file does not validate; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Source:
    """A parsed YAML document with the line of every path in it."""

    name: str
    data: Any
    lines: dict[Path_, int]

    def line_of(self, path: Path_) -> int:
        """The line of the deepest known ancestor of `path` (1-based)."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return 1

    def problem(self, path: Path_, code: str, detail: str, **params: Any) -> Problem:
        return Problem(self.name, self.line_of(path), code, detail, params)


def _node_to_python(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(_SCALARS.construct_object(key_node, deep=True))
            result[key] = _node_to_python(value_node, (*path, key), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_node_to_python(item, (*path, i), lines) for i, item in enumerate(node.value)]
    return _SCALARS.construct_object(node, deep=True)


def parse_source(text: str, name: str) -> Source:
    """Parse YAML text; a syntax error becomes a ContentError pointing at its line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise ContentError([Problem(name, line, "yaml_syntax", str(exc))]) from exc
    lines: dict[Path_, int] = {}
    data = _node_to_python(node, (), lines) if node is not None else None
    return Source(name, data, lines)


def read_source(path: Path, root: Path) -> Source:
    return parse_source(path.read_text(encoding="utf-8"), str(path.relative_to(root)))
