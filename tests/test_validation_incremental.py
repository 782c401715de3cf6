"""Incremental validation of an edited annotation file: on randomised edits of a copy of a document (a role
changed, a date moved, a deadline or an assignment deleted), the findings on the affected nodes are exactly a full
run's, and a full run's findings on every other node did not change."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from akg import resources
from akg.store import _graph_from_ntriples, corpus_ntriples
from akg.validation import Finding, validate
from akg.validation_changes import validate_change

SHAPES = resources.shapes_dir()
OBLIGATIONS = "documents/county-notice-2024/obligations/all.yaml"
ROLES = ("lead", "responsible", "supporting", "consulted", "informed")


def _full(ntriples: bytes) -> set[Finding]:
    return set(validate(_graph_from_ntriples(ntriples), SHAPES).results)


def _edit(text: str, rng: random.Random) -> tuple[str, str]:
    """One random edit of an obligations file that still loads: what was done, and the new text."""
    lines = text.splitlines(keepends=True)
    kinds = {
        "role": [i for i, line in enumerate(lines) if "role: " in line],
        "date": [i for i, line in enumerate(lines) if re.search(r"date: \d{4}-\d{2}-\d{2}", line)],
        "deadline": [i for i, line in enumerate(lines) if line.lstrip().startswith("deadline: {")],
        "assignment": [i for i, line in enumerate(lines) if line.lstrip().startswith("- {org:")],
    }
    kind = rng.choice(sorted(k for k, found in kinds.items() if found))
    i = rng.choice(kinds[kind])
    if kind == "role":
        lines[i] = re.sub(r"role: \w+", f"role: {rng.choice(ROLES)}", lines[i])
    elif kind == "date":
        day = f"{rng.choice((2019, 2024, 2030))}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        lines[i] = re.sub(r"date: \d{4}-\d{2}-\d{2}", f"date: {day}", lines[i])
    else:
        del lines[i]
    return f"{kind} at line {i + 1}", "".join(lines)


@pytest.mark.parametrize("seed", range(4))
def test_an_edited_annotation_file_validates_incrementally_as_a_full_run(fixture_data: Path, seed: int) -> None:
    rng = random.Random(seed)
    path = fixture_data / OBLIGATIONS
    before = corpus_ntriples(fixture_data)
    full_before = _full(before)
    text = path.read_text(encoding="utf-8")
    for _ in range(2):  # two edits in one file
        done, text = _edit(text, rng)
    path.write_text(text, encoding="utf-8")
    after = corpus_ntriples(fixture_data)
    assert after != before, done
    full_after = _full(after)
    change = validate_change(before, after, SHAPES)
    assert set(change.report.results) == {f for f in full_after if f.focus_node in change.affected}, done
    # Elsewhere, nothing changed: a full run's findings on the other nodes are the same before and after.
    elsewhere = {f for f in full_before if f.focus_node not in change.affected}
    assert elsewhere == {f for f in full_after if f.focus_node not in change.affected}, done
    assert len(change.affected) < 0.5 * after.count(b"\n")  # a part of the graph, not all of it


def test_no_change_affects_nothing() -> None:
    ntriples = corpus_ntriples()
    change = validate_change(ntriples, ntriples, SHAPES)
    assert change.affected == frozenset() and change.report.results == ()
