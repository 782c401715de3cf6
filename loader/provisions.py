"""Find the provisions of a source text: front matter, the numbered tree, closing and signatures.

The numbering rules come from the document's ``layout`` (regular expressions per level), so no
document is hard-coded here. Machine-translated texts run headings inline ("... families. 3. Improve
the level of medical security."), so a marker is also looked for after a sentence end; it is taken
only where it is the next number at some level, which keeps stray numerals out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ORDINALS = {
    word: n
    for n, word in enumerate(["First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth"], 1)
}
CHINESE_DIGITS = {c: n for n, c in enumerate("零一二三四五六七八九")}


def chinese_numeral(text: str) -> int:
    """The value of a Chinese numeral from 一 to 九十九 (一, 十, 十二, 二十, 二十三).

    Raises :class:`LayoutError` for anything else.
    """
    if text and all(c in CHINESE_DIGITS or c == "十" for c in text) and text.count("十") <= 1:
        if "十" not in text:
            if len(text) == 1:
                return CHINESE_DIGITS[text]
        else:
            tens, _, units = text.partition("十")
            if len(tens) <= 1 and len(units) <= 1:
                return CHINESE_DIGITS.get(tens, 1) * 10 + CHINESE_DIGITS.get(units, 0)
    raise LayoutError(f"{text!r} is not a Chinese numeral from 一 to 九十九")


class LayoutError(ValueError):
    """The text does not fit the declared layout; the message says where."""


@dataclass
class Provision:
    """A span of the source text. Offsets are character offsets, end exclusive."""

    number: str
    kind: str
    start: int
    end: int
    heading: str | None = None
    parent: Provision | None = None
    children: list[Provision] = field(default_factory=list)

    def text(self, source: str) -> str:
        return source[self.start : self.end]


@dataclass(frozen=True)
class Level:
    name: str
    markers: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Layout:
    """How a document's text is laid out (see the ``layout`` key of document.yaml)."""

    header_lines: int
    end_marker: str | None  # None: the body runs to the end of the text
    levels: tuple[Level, ...]
    heading_end: re.Pattern[str]
    signing_date: re.Pattern[str] | None  # None: the text has no signature block
    closing_paragraphs: int = 1


@dataclass(frozen=True)
class Line:
    number: int  # 1-based
    start: int
    end: int  # without the newline

    def text(self, source: str) -> str:
        return source[self.start : self.end]


@dataclass
class ParsedText:
    """The result of parsing: the body's extent and every provision, in document order."""

    body_end: int
    provisions: list[Provision]
    signature_lines: list[Line]
    signing_date_line: Line | None

    def by_number(self) -> dict[str, Provision]:
        return {p.number: p for p in self.provisions}


def split_lines(source: str) -> list[Line]:
    lines, offset = [], 0
    for n, raw in enumerate(source.splitlines(keepends=True), 1):
        content = raw.rstrip("\r\n")
        lines.append(Line(n, offset, offset + len(content)))
        offset += len(raw)
    return lines


def _marker_value(match: re.Match[str]) -> int:
    groups = match.groupdict()
    if groups.get("n"):
        return int(groups["n"])
    if groups.get("ordinal"):
        return ORDINALS[groups["ordinal"]]
    if groups.get("cn"):
        return chinese_numeral(groups["cn"])
    raise LayoutError(f"marker pattern {match.re.pattern!r} has none of the groups n, ordinal or cn")


def _starts_numbered(layout: Layout, text: str) -> bool:
    return any(p.match(text) for level in layout.levels for p in level.markers)


def _candidates(layout: Layout, source: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """(offset, level index, value) for every marker at a line start or after a sentence end."""
    found = []
    region = source[start:end]
    anchors = {0} | {m.end() for m in re.finditer(r"\n", region)}
    anchors |= {m.end() for m in re.finditer(r"(?<=[.;:?!\"”])\s+", region)}
    for anchor in sorted(anchors):
        for index, level in enumerate(layout.levels):
            for pattern in level.markers:
                match = pattern.match(region, anchor)
                if match:
                    found.append((start + anchor, index, _marker_value(match)))
    # At one offset the deepest fitting level wins: an inline "3." inside section 2 is item 3, not section 3.
    return sorted(found, key=lambda c: (c[0], -c[1]))


def _heading(layout: Layout, source: str, marker_end: int, line_end: int) -> tuple[str, int]:
    match = layout.heading_end.search(source, marker_end, line_end)
    stop = match.start() if match else line_end
    return source[marker_end:stop].strip(), stop


def _numbered_tree(layout: Layout, source: str, start: int, end: int, lines: list[Line]) -> list[Provision]:
    counters = [0] * len(layout.levels)
    path: list[Provision] = []
    flat: list[Provision] = []
    for offset, index, value in _candidates(layout, source, start, end):
        if value != counters[index] + 1 or len(path) < index:
            continue
        if flat and offset == flat[-1].start:
            continue  # already taken at a deeper level
        del path[index:]
        counters[index] = value
        for deeper in range(index + 1, len(counters)):
            counters[deeper] = 0
        parent = path[-1] if path else None
        number = f"{parent.number}.{value}" if parent else str(value)
        line_end = next(line.end for line in lines if line.start <= offset <= line.end)
        marker = next(
            m for p in layout.levels[index].markers if (m := p.match(source, offset)) and _marker_value(m) == value
        )
        heading, _ = _heading(layout, source, marker.end(), line_end)
        provision = Provision(number, layout.levels[index].name, offset, end, heading, parent)
        if parent:
            parent.children.append(provision)
        path.append(provision)
        flat.append(provision)
    # Each provision ends where the next one that is not its descendant begins.
    for i, provision in enumerate(flat):
        for later in flat[i + 1 :]:
            if not _is_descendant(later, provision):
                provision.end = later.start
                break
    for provision in flat:
        provision.end = start + len(source[start : provision.end].rstrip())
    return flat


def _is_descendant(node: Provision, ancestor: Provision) -> bool:
    while node.parent is not None:
        if node.parent is ancestor:
            return True
        node = node.parent
    return False


def parse_text(source: str, layout: Layout) -> ParsedText:
    """Split ``source`` into provisions following ``layout``.

    The text is: ``header_lines`` lines (a headline or the title), the greeting (the first
    non-empty line after them), a preamble, the numbered body, ``closing_paragraphs`` closing
    paragraphs and, where the layout has a ``signing_date``, the signature block ending in the date.
    Raises :class:`LayoutError` naming the line where the text departs from the layout.
    """
    lines = split_lines(source)
    end_index = len(lines)
    if layout.end_marker is not None:
        end_index = next((i for i, ln in enumerate(lines) if ln.text(source).strip() == layout.end_marker), -1)
        if end_index < 0:
            raise LayoutError(f"end marker {layout.end_marker!r} not found")
    content = [line for line in lines[layout.header_lines : end_index] if line.text(source).strip()]
    if len(content) < 2 + (layout.signing_date is not None):
        raise LayoutError("too few lines after the header")
    greeting, rest = content[0], content[1:]
    if layout.signing_date is not None:
        pattern = layout.signing_date
        date_index = next((i for i, line in enumerate(rest) if pattern.match(line.text(source).strip())), None)
        if date_index is None:
            raise LayoutError("no signing-date line matches the layout's signing_date pattern")
    else:
        date_index = len(rest)
    first_numbered = next((i for i, line in enumerate(rest) if _starts_numbered(layout, line.text(source))), None)
    if first_numbered is None:
        raise LayoutError("no numbered provision found")
    if layout.signing_date is not None:
        # After the numbered body: the closing paragraphs, then the signature block up to the date.
        unnumbered = [
            i for i in range(first_numbered, date_index) if not _starts_numbered(layout, rest[i].text(source))
        ]
        closing_start = unnumbered[0] if unnumbered else date_index
    else:
        # Unnumbered paragraphs belong to the provision above them; the closing is the last paragraphs.
        closing_start = date_index - layout.closing_paragraphs
    if closing_start - first_numbered < 1 or date_index - closing_start < layout.closing_paragraphs:
        where = rest[date_index].number if date_index < len(rest) else rest[-1].number
        raise LayoutError(
            f"line {where}: expected {layout.closing_paragraphs} closing paragraph(s) after the numbered provisions"
        )
    closing = rest[closing_start : closing_start + layout.closing_paragraphs]
    signature_lines = rest[closing_start + layout.closing_paragraphs : date_index]
    if any(_starts_numbered(layout, line.text(source)) for line in rest[closing_start:date_index]):
        line = next(ln for ln in rest[closing_start:date_index] if _starts_numbered(layout, ln.text(source)))
        raise LayoutError(f"line {line.number}: a numbered line follows the closing paragraph")

    provisions = [Provision("greeting", "greeting", greeting.start, greeting.end)]
    preamble = rest[:first_numbered]
    if preamble:
        provisions.append(Provision("preamble", "preamble", preamble[0].start, preamble[-1].end))
    body = rest[first_numbered:closing_start]
    provisions += _numbered_tree(layout, source, body[0].start, body[-1].end, lines)
    for i, line in enumerate(closing, 1):
        number = "closing" if len(closing) == 1 else f"closing.{i}"
        provisions.append(Provision(number, "closing", line.start, line.end))
    if layout.signing_date is None:
        return ParsedText(rest[-1].end, provisions, [], None)
    date_line = rest[date_index]
    block_start = signature_lines[0].start if signature_lines else date_line.start
    provisions.append(Provision("signatures", "signatures", block_start, date_line.end))
    return ParsedText(date_line.end, provisions, signature_lines, date_line)
