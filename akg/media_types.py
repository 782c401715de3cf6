"""Content negotiation: which of the media types a service offers does an HTTP ``Accept`` header prefer.

Shared by the SPARQL endpoint (result formats) and the pages that serve the graph's IRIs. Semantics
(RFC 9110 §12.5.1): each offered type takes the quality of the most specific media range that matches
it (``type/subtype`` before ``type/*`` before ``*/*``; parameters other than ``q`` are ignored); the
highest quality wins, ties go to the server's order; a quality of 0 refuses a type. An absent or empty
header accepts anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

_MAX_RANGES = 64  # a longer header is cut: no client needs more, and parsing it is work


def _ranges(header: str) -> list[tuple[str, str, float]]:
    """``(type, subtype, q)`` of each well-formed media range of an Accept header."""
    ranges = []
    for part in header.split(",")[:_MAX_RANGES]:
        fields = [f.strip() for f in part.split(";")]
        kind, _, sub = fields[0].lower().partition("/")
        if not kind or not sub or (kind == "*" and sub != "*"):
            continue
        quality = 1.0
        for field in fields[1:]:
            name, _, value = field.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append((kind, sub, quality))
    return ranges


def choose(accept: str | None, offered: Sequence[str], aliases: Mapping[str, str] | None = None) -> str | None:
    """The type of ``offered`` that ``accept`` prefers, or None when it accepts none of them (406).

    ``aliases`` maps other names of an offered type to it (``application/json`` for
    ``application/sparql-results+json``): a range naming an alias matches the type exactly.
    """
    if not offered:
        return None
    if accept is None or not accept.strip():
        return offered[0]
    names: dict[str, set[str]] = {media: {media} for media in offered}
    for alias, media in (aliases or {}).items():
        if media in names:
            names[media].add(alias.lower())
    best: tuple[float, int] | None = None
    chosen = None
    ranges = _ranges(accept)
    for rank, media in enumerate(offered):
        kind = media.split("/", 1)[0]
        specificity, quality = 0, 0.0
        for r_kind, r_sub, r_quality in ranges:
            if f"{r_kind}/{r_sub}" in names[media]:
                level = 3
            elif r_sub == "*" and r_kind == kind:
                level = 2
            elif r_kind == "*":
                level = 1
            else:
                continue
            if level > specificity or (level == specificity and r_quality > quality):
                specificity, quality = level, r_quality
        if specificity and quality > 0 and (best is None or (quality, -rank) > best):
            best, chosen = (quality, -rank), media
    return chosen
