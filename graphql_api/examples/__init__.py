"""The example queries: one ``*.graphql`` file each, shared by GraphiQL, docs/graphql.md, the tests and bench.

A file starts with ``# <question>`` (its title); further ``#`` lines explain it. Every variable has a
default, so each example runs as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FOLDER = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Example:
    """One example query: ``name`` is the file stem, ``title`` the question it answers."""

    name: str
    title: str
    query: str


def load_examples(folder: Path = FOLDER) -> list[Example]:
    """Every example of ``folder``, in file-name order."""
    examples = []
    for path in sorted(folder.glob("*.graphql")):
        query = path.read_text(encoding="utf-8")
        first = query.splitlines()[0] if query else ""
        title = first.lstrip("#").strip() if first.startswith("#") else path.stem
        examples.append(Example(path.stem, title, query))
    return examples
