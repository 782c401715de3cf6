"""Input errors that name the file, the line and the offending value."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class InputProblem:
    """One defect in the input: where it is and what is wrong."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class LoadError(Exception):
    """Raised when the input has defects; carries every problem found, in file order."""

    def __init__(self, problems: list[InputProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class ProblemLog:
    """Collects problems so that one run reports all of them, not just the first."""

    problems: list[InputProblem] = field(default_factory=list)

    def add(self, file: str | Path, line: int | None, message: str) -> None:
        self.problems.append(InputProblem(str(file), line, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise LoadError(self.problems)
