"""Wall time and peak memory of a command and every process it starts (Linux: read from /proc).

The peak is of the *sum* of the resident sets of the command's process tree, sampled every 50 ms: a command
that validates in worker processes is charged for all of them at once, not for its largest one.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Measured:
    """What :func:`measure` saw: seconds of wall time, the peak resident bytes of the tree, the exit status."""

    seconds: float
    peak_bytes: int
    returncode: int
    stdout: bytes

    @property
    def peak_gb(self) -> float:
        return self.peak_bytes / 1e9


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def tree_rss(pid: int) -> int:
    """The resident bytes of ``pid`` and all its descendants now (0 for a process that has gone)."""
    tree, total, todo = _children(), 0, [pid]
    while todo:
        current = todo.pop()
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int((Path("/proc") / str(current) / "statm").read_text().split()[1]) * _PAGE
        todo.extend(tree.get(current, []))
    return total


def measure(command: list[str], env: dict[str, str] | None = None, capture: bool = False) -> Measured:
    """Run ``command`` to its end; its standard error is discarded, its output kept only with ``capture``."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE if capture else subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(process.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    return Measured(seconds, peak, process.returncode, out or b"")
