"""`masthead build --keep-going`: the magazine without the stories (and contributors) that
have errors, and without what depends on nothing else.

The magazine is loaded as `check` loads it; every story or contributor file with an error is
left out and the magazine is loaded again without them, until no new error appears: a story
whose only author was left out, or whose address another left-out story's problem hid, goes
too. A reference from a kept story to a left-out one (a translation, a link) is a warning.
An error in any other file (settings, pages, promises, topics) cannot be left out: the build
stops as it does without `--keep-going`.
"""

from __future__ import annotations

import re
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

from masthead.domain.magazine import Magazine
from masthead.domain.problems import Problem, Severity, sort_problems

from .magazine import load_magazine

STORY_RE = re.compile(r"^content/(?!newsletter/).+\.(md|markdown)$")
CONTRIBUTOR_RE = re.compile(r"^contributors/[^/]+\.ya?ml$")
ROUNDS = 8  # each round can only add files that depend on the last round's; real chains are short


@dataclass
class Kept:
    """What `load_kept` made: the magazine (None: the settings are unusable), every problem
    (those `check` reports, then the warnings about references to what was left out), the
    files left out, and the errors that could not be (they stop the build)."""

    magazine: Magazine | None
    problems: list[Problem]
    left_out: list[str] = field(default_factory=list)
    blocking: list[Problem] = field(default_factory=list)


def can_leave_out(path: str) -> bool:
    """A story or a contributor: a file the rest of the magazine can be built without."""
    return bool(STORY_RE.match(path) or CONTRIBUTOR_RE.match(path))


def load_kept(root: Path, *, executor: Executor | None = None, url: str | None = None) -> Kept:
    """The magazine with every story and contributor that has an error left out."""
    magazine, problems = load_magazine(root, executor=executor, url=url)
    left: set[str] = set()
    shown = list(problems)
    for _ in range(ROUNDS):
        errors = [p for p in problems if p.severity is Severity.ERROR and p.path not in left]
        blocking = [p for p in errors if not can_leave_out(p.path)]
        if magazine is None or blocking or not errors:
            return Kept(magazine, sort_problems(shown), sorted(left), blocking)
        left |= {p.path for p in errors}
        magazine, problems = load_magazine(root, executor=executor, url=url, leave_out=frozenset(left))
        shown += [p for p in problems if p.path not in left or p.severity is Severity.WARNING]
    errors = [p for p in problems if p.severity is Severity.ERROR and p.path not in left]
    return Kept(magazine, sort_problems(shown), sorted(left), errors)
