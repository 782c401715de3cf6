"""Checks shared by every YAML reader: required and allowed keys, typed values, references."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from typing import Any

from loader.errors import ProblemLog
from loader.yamlsource import Mapping, Sequence


class Fields:
    """Reads the fields of one YAML mapping, logging each defect with its file and line."""

    def __init__(self, mapping: Any, file: str, log: ProblemLog, what: str) -> None:
        self.file, self.log, self.what = file, log, what
        self.ok = isinstance(mapping, Mapping)
        if not self.ok:
            line = getattr(mapping, "line", None)
            log.add(file, line, f"{what} must be a mapping, got {type(mapping).__name__}")
            mapping = Mapping()
            mapping.line, mapping.value_lines = line or 0, {}
        self.mapping: Mapping = mapping

    @property
    def line(self) -> int:
        return self.mapping.line

    def line_of(self, key: str) -> int:
        return self.mapping.line_of(key)

    def problem(self, key: str | None, message: str) -> None:
        self.log.add(self.file, self.line_of(key) if key else self.line, message)

    def allow(self, required: Iterable[str], optional: Iterable[str] = ()) -> None:
        """Report missing required keys and unknown keys."""
        required, allowed = list(required), set(required) | set(optional)
        for key in required:
            if key not in self.mapping:
                self.problem(None, f"{self.what} lacks required key {key!r}")
        for key in self.mapping:
            if key not in allowed:
                self.problem(key, f"unknown key {key!r} in {self.what} (allowed: {', '.join(sorted(allowed))})")

    def text(self, key: str, default: str | None = None) -> str | None:
        value = self.mapping.get(key, default)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        self.problem(key, f"{key!r} must be text, got {value!r}")
        return default

    def flag(self, key: str) -> bool:
        value = self.mapping.get(key, False)
        if not isinstance(value, bool):
            self.problem(key, f"{key!r} must be true or false, got {value!r}")
            return False
        return value

    def date(self, key: str) -> dt.date | None:
        value = self.mapping.get(key)
        if value is None:
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.problem(key, f"bad date {value!r} for {key!r}: expected YYYY-MM-DD")
            return None

    def integer(self, key: str) -> int | None:
        value = self.mapping.get(key)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        self.problem(key, f"{key!r} must be a whole number, got {value!r}")
        return None

    def items(self, key: str) -> list[tuple[Any, int]]:
        """A list value as (item, line) pairs; a scalar is taken as a one-item list."""
        value = self.mapping.get(key)
        if value is None:
            return []
        if isinstance(value, Sequence):
            return list(zip(value, value.item_lines, strict=True))
        if isinstance(value, list):
            return [(item, self.line_of(key)) for item in value]
        return [(value, self.line_of(key))]

    def references(self, key: str, known: Iterable[str], kind: str) -> list[str]:
        """A list of ids, each checked against ``known``; unknown ones are reported and dropped."""
        known = set(known)
        result = []
        for item, line in self.items(key):
            ident = str(item)
            if ident in known:
                result.append(ident)
            else:
                self.log.add(self.file, line, f"unknown {kind} {ident!r}{_suggest(ident, known)}")
        return result


def _suggest(value: str, known: set[str]) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=3)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def suggest(value: str, known: Iterable[str]) -> str:
    """A " (did you mean …?)" hint, or an empty string."""
    return _suggest(value, set(known))
