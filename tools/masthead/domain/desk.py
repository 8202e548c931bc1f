"""The editor's desk: what waits for review, what publishes when, and how the week is going.

Pure: stories, people, submissions and `today` come in; nothing here reads Git or a clock.
A week runs Monday to Sunday in the site's time zone; "this week" counts every story dated in
it that is not a draft, published already or scheduled, because that is what the desk plans.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Callable, Iterable, Mapping

from .contributors import Contributor
from .leaderboard import Share, share
from .promises import Digest
from .site import Targets
from .stories import Story


@dataclass(frozen=True)
class Pending:
    """A submission waiting for an editor: a `submissions/*` branch or an open pull request."""

    ref: str  # the branch name, or "#12" for a pull request
    title: str
    authors: tuple[str, ...]  # names as shown
    since: datetime  # when it arrived: its first commit, or the pull request's opening
    errors: int = 0
    warnings: int = 0
    conflict: bool = False  # it no longer merges cleanly into the main branch
    checked: bool = True  # False when the status is not known (a pull request's checks not read)
    declined: str | None = None  # the editor's reason, when declined
    url: str = ""
    checks: str = ""  # a pull request's check status as GitHub reports it: passing, failing, pending

    @property
    def status(self) -> str:
        if self.declined is not None:
            return "declined"
        if self.conflict:
            return "conflicts with main"
        if self.checks:
            return f"checks {self.checks}"
        if not self.checked:
            return "not checked"
        if self.errors:
            return f"fails ({self.errors} error{'s' * (self.errors != 1)})"
        return "passes" + (f" ({self.warnings} warning{'s' * (self.warnings != 1)})" if self.warnings else "")

    def age(self, now: datetime) -> timedelta:
        return max(timedelta(0), now - self.since)


def describe_age(age: timedelta) -> str:
    """'3 days', '5 hours', 'just now': the precision an editor needs."""
    if age.days >= 1:
        return f"{age.days} day{'s' * (age.days != 1)}"
    hours = age.seconds // 3600
    return f"{hours} hour{'s' * (hours != 1)}" if hours else "just now"


@dataclass(frozen=True)
class Day:
    day: date
    stories: tuple[Story, ...]


@dataclass(frozen=True)
class Schedule:
    """The week around `today`, day by day, against the daily target."""

    today: date
    days: tuple[Day, ...]  # Monday to Sunday
    daily_target: float

    @property
    def on_today(self) -> tuple[Story, ...]:
        return next((d.stories for d in self.days if d.day == self.today), ())

    @property
    def week_count(self) -> int:
        return sum(len(d.stories) for d in self.days)

    @property
    def week_target(self) -> float:
        return self.daily_target * len(self.days)

    @property
    def short_days(self) -> list[date]:
        """Days from today on that have fewer pieces than the target."""
        return [d.day for d in self.days if d.day >= self.today and len(d.stories) < self.daily_target]


def week_of(today: date) -> list[date]:
    monday = today - timedelta(days=today.weekday())
    return [monday + timedelta(days=n) for n in range(7)]


def schedule(stories: Iterable[Story], today: date, local_day: Callable[[datetime], date],
             targets: Targets) -> Schedule:
    """Every non-draft story dated in `today`'s week, by day, oldest first within a day."""
    days = week_of(today)
    by_day: dict[date, list[Story]] = {d: [] for d in days}
    for s in stories:
        if not s.draft and (d := local_day(s.date)) in by_day:
            by_day[d].append(s)
    return Schedule(today, tuple(Day(d, tuple(sorted(by_day[d], key=lambda s: (s.date, s.source))))
                                 for d in days), targets.daily_pieces)


def week_share(plan: Schedule, people: dict[str, Contributor], targets: Targets) -> Share:
    """Community vs editorial pieces this week (see `leaderboard.share` for the rule)."""
    return share([s for d in plan.days for s in d.stories], people, targets)


@dataclass(frozen=True)
class Desk:
    """Everything `masthead desk` shows."""

    now: datetime
    today: date
    pending: tuple[Pending, ...]
    declined: tuple[Pending, ...]
    schedule: Schedule
    share: Share
    promises: Digest | None  # None when the magazine keeps no promises
    notes: tuple[str, ...] = ()  # what the desk could not look at, and why
    names: Mapping[str, str] = field(default_factory=dict)  # handle -> name, for display

    def name(self, handle: str) -> str:
        return self.names.get(handle, handle)


def split_pending(items: Iterable[Pending]) -> tuple[tuple[Pending, ...], tuple[Pending, ...]]:
    """Waiting (oldest first, the editor's queue) and declined."""
    items = list(items)
    waiting = sorted((p for p in items if p.declined is None), key=lambda p: (p.since, p.ref))
    declined = sorted((p for p in items if p.declined is not None), key=lambda p: (p.since, p.ref))
    return tuple(waiting), tuple(declined)
