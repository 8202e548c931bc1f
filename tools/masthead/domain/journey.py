"""The contributor journey: applicant, first promise, first published piece, regular, editor.

Kept apart from `promises` because it reads the whole registry, not one promise at a time.
Pure: dates from Git (when someone became an editor) are passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import median
from typing import Iterable, Mapping, Sequence

from .contributors import Contributor
from .promises import Promise

STEPS = ("applicant", "first-promise", "first-piece", "regular", "editor")
LEADING_ROLES = ("editor", "organiser")


@dataclass(frozen=True)
class Journey:
    """Where one person is: for each step reached, the day (None when no record says when)."""

    handle: str
    reached: tuple[tuple[str, date | None], ...]

    @property
    def step(self) -> str:
        """The furthest step reached."""
        return max((s for s, _ in self.reached), key=STEPS.index)

    def day(self, step: str) -> date | None:
        return dict(self.reached).get(step)

    def since(self, today: date) -> int | None:
        """Days spent at the current step so far."""
        when = self.day(self.step)
        return (today - when).days if when else None


@dataclass(frozen=True)
class StepCount:
    step: str
    now: int  # people whose furthest step this is
    reached: int  # people who reached it, whatever came after
    median_days: float | None  # from the step before, over people who took both in order
    samples: int


def journey(person: Contributor, promise_days: Sequence[date], piece_days: Sequence[date],
            regular_pieces: int, leading_since: date | None) -> Journey:
    """One person's steps. `piece_days` are the local days of their published pieces."""
    pieces = sorted(piece_days)
    steps: list[tuple[str, date | None]] = [("applicant", person.joined)]
    if promise_days:
        steps.append(("first-promise", min(promise_days)))
    if pieces:
        steps.append(("first-piece", pieces[0]))
    if len(pieces) >= regular_pieces:
        steps.append(("regular", pieces[regular_pieces - 1]))
    if any(r in person.roles for r in LEADING_ROLES):
        steps.append(("editor", leading_since))
    return Journey(person.handle, tuple(steps))


def journeys(people: Mapping[str, Contributor], promises: Iterable[Promise],
             piece_days: Mapping[str, Sequence[date]], regular_pieces: int,
             leading_since: Mapping[str, date]) -> list[Journey]:
    """Everyone in the registry, by handle."""
    made: dict[str, list[date]] = {}
    for p in promises:
        for h in p.contributors:
            made.setdefault(h, []).append(p.made)
    return [journey(people[h], made.get(h, []), piece_days.get(h, []), regular_pieces, leading_since.get(h))
            for h in sorted(people)]


def funnel(all_journeys: Sequence[Journey]) -> list[StepCount]:
    """How many are at each step now, how many ever reached it, and the median days it took
    from the step before (people who skipped a step or took them out of order are left out)."""
    out = []
    for i, step in enumerate(STEPS):
        reached = [j for j in all_journeys if step in dict(j.reached)]
        gaps = []
        if i:
            for j in reached:
                before, after = j.day(STEPS[i - 1]), j.day(step)
                if before is not None and after is not None and after >= before:
                    gaps.append((after - before).days)
        out.append(StepCount(step, sum(j.step == step for j in all_journeys), len(reached),
                             float(median(gaps)) if gaps else None, len(gaps)))
    return out
