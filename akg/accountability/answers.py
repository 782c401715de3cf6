"""Answers already given, kept with the in-memory indexes they were computed from.

The graph an :class:`~akg.accountability.Accountability` was built from does not change while it lives (a new
store version means a new ``Accountability``, and so a new, empty cache), so the answer to a read-only
question asked of it is a function of the question alone. :class:`AnswerCache` keeps such answers, keyed by
the whole question (for GraphQL: the query text, the operation name and the variables), so that a question
asked again is not worked out again: the GraphQL service uses it for the accountability queries
(:mod:`graphql_api.schema.build`), where resolving a large answer field by field costs far more than
finding it.

It is bounded by entries and by an estimate of their size, the least recently used going first, so
unusual questions cannot grow it without limit. ``AKG_ANSWER_CACHE=off`` in the environment turns it off
(every question is then worked out each time: the benchmarks use it to measure the uncached path).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

MAX_ENTRIES = 256
MAX_WEIGHT = 64 * 1024 * 1024  # bytes, as estimated by the caller (e.g. the length of the answer's JSON)
SWITCH = "AKG_ANSWER_CACHE"


def enabled_by_environment() -> bool:
    """False when ``AKG_ANSWER_CACHE`` is ``off`` (or ``0``, ``false``, ``no``)."""
    return os.environ.get(SWITCH, "on").strip().lower() not in {"off", "0", "false", "no"}


class AnswerCache:
    """A bounded, thread-safe LRU map from a question (any hashable key) to its answer.

    ``weight`` given to :meth:`put` is the caller's estimate of an answer's size; the entries' total stays
    within ``max_weight`` and their number within ``max_entries``. An answer heavier than ``max_weight`` on
    its own is not kept.
    """

    def __init__(
        self, max_entries: int = MAX_ENTRIES, max_weight: int = MAX_WEIGHT, enabled: bool | None = None
    ) -> None:
        self.max_entries, self.max_weight = max_entries, max_weight
        self.enabled = enabled_by_environment() if enabled is None else enabled
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> Any | None:
        """The answer kept for ``key`` (now the most recently used), or None."""
        if not self.enabled:
            return None
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, key: Hashable, answer: Any, weight: int = 1) -> None:
        """Keep ``answer`` for ``key``, dropping the least recently used answers beyond the bounds."""
        if not self.enabled or weight > self.max_weight:
            return
        with self._lock:
            if (old := self._entries.pop(key, None)) is not None:
                self._weight -= old[1]
            self._entries[key] = (answer, weight)
            self._weight += weight
            while len(self._entries) > self.max_entries or self._weight > self.max_weight:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._weight -= dropped

    def clear(self) -> None:
        """Forget every answer."""
        with self._lock:
            self._entries.clear()
            self._weight = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        """Whether an answer is kept for ``key`` (without making it the most recently used)."""
        return key in self._entries
