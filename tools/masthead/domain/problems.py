"""Problems found in the magazine's files, and the one exception hierarchy."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file: where, which field, expected vs found, and the fix."""

    path: str
    line: int
    field: str
    message: str
    severity: Severity = Severity.ERROR
    expected: str = ""
    found: str = ""
    fix: str = ""
    code: str = ""

    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def detail(self) -> str:
        """What is wrong and what to do, without the location."""
        where = f"field '{self.field}': " if self.field else ""
        facts = [f"expected {self.expected}"] * bool(self.expected) + [f"found {self.found}"] * bool(self.found)
        head = f"{where}{self.message}" + ("; " + ", ".join(facts) if facts else "")
        return f"{head} ({self.fix})" if self.fix else head

    def text(self) -> str:
        """The one-line human form: `file:line: error: field 'x': message (fix)`."""
        return f"{self.location()}: {self.severity.value}: {self.detail()}"


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems in a stable reading order: by file, line, field, message."""
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.field, p.message, p.severity.value))


def has_errors(problems: list[Problem], strict: bool = False) -> bool:
    return any(p.severity is Severity.ERROR or strict for p in problems)


class MastheadError(Exception):
    """Base of every error masthead raises on purpose; translated only at the edges."""


@dataclass
class ContentError(MastheadError):
    """The magazine's files have errors; `problems` lists every one of them."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        errors = [p for p in self.problems if p.severity is Severity.ERROR]
        return f"{len(errors)} error(s) in the magazine's files:\n" + "\n".join(p.text() for p in errors)


class UsageError(MastheadError):
    """A command was called in a way that cannot work; the message says what to do."""
