"""Read YAML while remembering the line of every mapping, key and list item.

Reviewers edit these files by hand, so every error must point at a line.

Files are parsed with libyaml (PyYAML's C loader) when PyYAML was built with it, else with the pure-Python
loader; both give the same nodes with the same marks. On a syntax error the file is parsed again with the
pure-Python loader, so the message a user sees does not depend on how PyYAML was built.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from loader.errors import InputProblem, LoadError

#: The loader that parses files: libyaml's when present (ten times faster), else the pure-Python one.
YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


def _compose(text: str, label: str, loader_class: type[yaml.SafeLoader]) -> tuple[yaml.Node | None, yaml.SafeLoader]:
    loader = loader_class(text)
    loader.name = label  # named in the duplicate-key message
    try:
        return loader.get_single_node(), loader
    finally:
        loader.dispose()


def read_yaml(path: Path, label: str) -> Any:
    """Parse ``path``; ``label`` is the name used in error messages (relative to the data folder).

    Raises :class:`LoadError` for unreadable files and YAML syntax errors, with the line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError([InputProblem(label, None, f"cannot read file: {exc}")]) from exc
    try:
        try:
            node, loader = _compose(text, label, YAML_LOADER)
        except yaml.YAMLError:
            if YAML_LOADER is yaml.SafeLoader:
                raise
            # libyaml words its errors differently: report (and accept) exactly what the pure-Python loader does.
            node, loader = _compose(text, label, yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise LoadError([InputProblem(label, line, f"invalid YAML: {problem}")]) from exc
    if node is None:
        raise LoadError([InputProblem(label, None, "file is empty")])
    return _convert(node, loader)
