"""Read YAML while remembering the line of every mapping, key and list item.

Reviewers edit these files by hand, so every error must point at a line.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from loader.errors import InputProblem, LoadError


class Mapping(dict):
    """A YAML mapping that knows its own line and the line of each key's value."""

    line: int
    value_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """Line of ``key``'s value, or of the mapping itself when the key is absent."""
        return self.value_lines.get(key, self.line)


class Sequence(list):
    """A YAML sequence that knows its own line and each item's line."""

    line: int
    item_lines: list[int]


def _convert(node: yaml.Node, loader: yaml.SafeLoader) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result = Mapping()
        result.line, result.value_lines = line, {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, (dt.date, int, float)):
                key = str(key)
            if key in result:
                raise LoadError([InputProblem(loader.name, key_node.start_mark.line + 1, f"duplicate key {key!r}")])
            result[key] = _convert(value_node, loader)
            result.value_lines[key] = value_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        result = Sequence(_convert(item, loader) for item in node.value)
        result.line = line
        result.item_lines = [item.start_mark.line + 1 for item in node.value]
        return result
    try:
        return loader.construct_object(node, deep=True)
    except ValueError:
        # An impossible timestamp such as 2024-13-01: keep the text so the field check names it.
        return node.value


def read_yaml(path: Path, label: str) -> Any:
    """Parse ``path``; ``label`` is the name used in error messages (relative to the data folder).

    Raises :class:`LoadError` for unreadable files and YAML syntax errors, with the line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError([InputProblem(label, None, f"cannot read file: {exc}")]) from exc
    loader = yaml.SafeLoader(text)
    loader.name = label
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise LoadError([InputProblem(label, line, f"invalid YAML: {problem}")]) from exc
    finally:
        loader.dispose()
    if node is None:
        raise LoadError([InputProblem(label, None, "file is empty")])
    return _convert(node, loader)
