"""Topics, promises, and what the main branch says about them: delivery, reminders, reliability.

Pure: `today` and every date read from Git are passed in. The rules, stated on the board
and the leaderboard too:

* A promise is **delivered** when a story naming it (`promise: ID`), by one of the people who
  made it, first appears on the main branch; that day (site time zone) is compared with the
  due date. Nobody edits a status by hand to deliver.
* An **extension** asked on or before the date it moves changes the date the promise is
  judged by; one asked after that date had passed only changes the reminders, so a missed
  date cannot be repaired after the fact. The first due date always stays on record.
* A promise **released** (the topic given back) or **dropped** before its due date is neutral;
  after its due date it counts as missed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum
from typing import Iterable, Mapping, Sequence

from .leaderboard import Row
from .stories import Story

FILE_STATUSES = ("open", "released", "dropped")  # what a promise file may say; "delivered" comes from Git


@dataclass(frozen=True)
class Topic:
    """An idea waiting for, or taken by, a volunteer."""

    id: str
    title: str
    source: str
    section: str = ""
    notes: str = ""
    proposed_by: str = ""
    proposed: date | None = None
    lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)
    titles: dict[str, str] = field(default_factory=dict, compare=False, hash=False)  # per language, when translated

    def title_in(self, lang: str, site_lang: str) -> tuple[str, str]:
        """The title for readers of `lang` and the language it is in: theirs when translated,
        else the site language's, else `title` (written in the site language)."""
        for code in (lang, site_lang):
            if self.titles.get(code):
                return self.titles[code], code
        return self.title, site_lang


@dataclass(frozen=True)
class Extension:
    """One move of a due date: the day it was `asked`, and the due date it replaced (`was`)."""

    asked: date
    was: date
    reason: str = ""


@dataclass(frozen=True)
class Promise:
    """Someone's word that a topic will be written by a date they chose."""

    id: str
    topic: str
    contributors: tuple[str, ...]
    made: date
    due: date  # the current due date; the first one is `original_due`
    source: str
    extensions: tuple[Extension, ...] = ()
    status: str = "open"  # one of FILE_STATUSES
    closed: date | None = None  # the day it was released or dropped
    reason: str = ""
    notes: str = ""
    lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    @property
    def original_due(self) -> date:
        return self.extensions[0].was if self.extensions else self.due

    @property
    def judged_due(self) -> date:
        """The date delivery is judged by: extensions count only when asked in time."""
        judged = self.original_due
        for ext, new in zip(self.extensions, [e.was for e in self.extensions[1:]] + [self.due]):
            if ext.asked > judged:
                break
            judged = new
        return judged

    def is_by(self, handle: str) -> bool:
        return handle in self.contributors

    def extend(self, due: date, asked: date, reason: str = "") -> "Promise":
        return replace(self, due=due, extensions=self.extensions + (Extension(asked, self.due, reason),))

    def close(self, status: str, on: date, reason: str = "") -> "Promise":
        return replace(self, status=status, closed=on, reason=reason)


class State(str, Enum):
    ON_TIME = "on-time"
    LATE = "late"
    DUE = "due"  # open, due today or later
    OVERDUE = "overdue"
    RELEASED = "released"
    DROPPED = "dropped"
    UNKNOWN = "unknown"  # a story on main delivers it, but history cannot say when


@dataclass(frozen=True)
class Delivery:
    """A promise as of one day: its state, and the days that state is about."""

    promise: Promise
    state: State
    days: int = 0  # DUE: days left; OVERDUE: days past; LATE: days late; ON_TIME: days to spare
    delivered: date | None = None
    story: str = ""  # the delivering story's source path

    @property
    def status(self) -> str:
        """open, delivered, released or dropped."""
        if self.state in (State.ON_TIME, State.LATE, State.UNKNOWN):
            return "delivered"
        return "open" if self.state in (State.DUE, State.OVERDUE) else self.state.value

    @property
    def missed(self) -> bool:
        """Overdue now, or given back after the date it was judged by."""
        if self.state is State.OVERDUE:
            return True
        closed = self.promise.closed
        given_back = self.state in (State.RELEASED, State.DROPPED)
        return given_back and closed is not None and closed > self.promise.judged_due

    def describe(self) -> str:
        """Plain English for the command line: 'due in 3 days', 'late by 2 days'."""
        n, s = self.days, "" if self.days == 1 else "s"
        if self.missed and self.state is not State.OVERDUE:
            return f"{self.state.value} after its due date (counts as missed)"
        return {
            State.ON_TIME: "delivered on time",
            State.LATE: f"delivered late by {n} day{s}",
            State.DUE: "due today" if n == 0 else f"due in {n} day{s}",
            State.OVERDUE: f"overdue by {n} day{s}",
            State.RELEASED: "released",
            State.DROPPED: "dropped",
            State.UNKNOWN: "delivered (the date is not in this clone's history)",
        }[self.state]


def delivering_stories(promise: Promise, stories: Iterable[Story]) -> list[Story]:
    """Stories that can deliver a promise: not drafts, naming it, by one of its people."""
    return [s for s in stories if s.promise == promise.id and not s.draft
            and any(promise.is_by(a) for a in s.authors)]


def evaluate(promise: Promise, stories: Iterable[Story], landed: Mapping[str, date] | None,
             today: date) -> Delivery:
    """The promise on `today`. `landed` maps story paths to the day they first appeared on
    main; None means the history is not available, which only matters when a story names it."""
    candidates = delivering_stories(promise, stories)
    if candidates and landed is None:
        return Delivery(promise, State.UNKNOWN, story=candidates[0].source)
    days = sorted((landed[s.source], s.source) for s in candidates if landed and s.source in landed)
    days = [(d, src) for d, src in days if d <= today]
    if days:
        when, source = days[0]
        gap = (when - promise.judged_due).days
        state = State.LATE if gap > 0 else State.ON_TIME
        return Delivery(promise, state, abs(gap), when, source)
    if promise.status != "open" and promise.closed is not None and promise.closed <= today:
        return Delivery(promise, State(promise.status))
    left = (promise.due - today).days
    return Delivery(promise, State.DUE, left) if left >= 0 else Delivery(promise, State.OVERDUE, -left)


def evaluate_all(promises: Iterable[Promise], stories: Sequence[Story], landed: Mapping[str, date] | None,
                 today: date) -> list[Delivery]:
    """Every promise made by `today`, soonest due first."""
    naming: dict[str, list[Story]] = {}
    for s in stories:  # grouped once: a magazine has many more stories than promises
        if s.promise:
            naming.setdefault(s.promise, []).append(s)
    out = [evaluate(p, naming.get(p.id, []), landed, today) for p in promises if p.made <= today]
    return sorted(out, key=lambda d: (d.promise.due, d.promise.id))


def free_topics(topics: Iterable[Topic], deliveries: Iterable[Delivery]) -> list[Topic]:
    """Topics nobody holds: never promised, or every promise on them released or dropped."""
    held = {d.promise.topic for d in deliveries if d.status in ("open", "delivered")}
    return sorted((t for t in topics if t.id not in held), key=lambda t: (t.proposed or date.min, t.id))


def recently_delivered(deliveries: Iterable[Delivery], today: date, days: int) -> list[Delivery]:
    """Delivered within the last `days` days, newest first."""
    out = [d for d in deliveries if d.delivered is not None and (today - d.delivered).days < days]
    return sorted(out, key=lambda d: (d.delivered, d.promise.id), reverse=True)


# --- reminders ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Windows:
    """The reminder and board windows, from the `promises:` block of site_config/magazine.yml."""

    due_soon_days: int = 7
    stale_days: int = 14
    recent_days: int = 60
    regular_pieces: int = 3
    branch: str = "main"


@dataclass(frozen=True)
class Stale:
    delivery: Delivery
    quiet_days: int  # days since the last sign of work


@dataclass(frozen=True)
class Digest:
    today: date
    overdue: tuple[Delivery, ...] = ()
    due_soon: tuple[Delivery, ...] = ()
    stale: tuple[Stale, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.stale)

    def handles(self) -> list[str]:
        """Everyone the digest is about, in order of first mention."""
        items = [*self.overdue, *self.due_soon, *(s.delivery for s in self.stale)]
        return list(dict.fromkeys(h for d in items for h in d.promise.contributors))


def last_sign(promise: Promise, activity: Mapping[str, date]) -> date:
    """The latest sign of work: the promise made or extended, or work on a story naming it."""
    signs = [promise.made, *(e.asked for e in promise.extensions)]
    if promise.id in activity:
        signs.append(activity[promise.id])
    return max(signs)


def digest(deliveries: Iterable[Delivery], today: date, windows: Windows,
           activity: Mapping[str, date] | None = None) -> Digest:
    """Overdue, due within `due_soon_days`, and quiet for `stale_days` or more; each promise once."""
    activity = activity or {}
    overdue, soon, stale = [], [], []
    for d in deliveries:
        if d.state is State.OVERDUE:
            overdue.append(d)
        elif d.state is State.DUE and d.days <= windows.due_soon_days:
            soon.append(d)
        elif d.state is State.DUE:
            quiet = (today - last_sign(d.promise, activity)).days
            if quiet >= windows.stale_days:
                stale.append(Stale(d, quiet))
    overdue.sort(key=lambda d: (-d.days, d.promise.id))
    return Digest(today, tuple(overdue), tuple(soon), tuple(sorted(stale, key=lambda s: -s.quiet_days)))


# --- reliability on the leaderboard ------------------------------------------------------

RULES = ("promises.rule_tiebreak", "promises.rule_kept", "promises.rule_release")


@dataclass(frozen=True)
class Record:
    """One person's promises, judged."""

    kept: int = 0  # delivered on time
    late: int = 0
    missed: int = 0  # overdue, or given back after the date
    open: int = 0
    released: int = 0  # given back (or dropped) in time: neutral
    unknown: int = 0  # delivered, date not in history: not judged

    @property
    def judged(self) -> int:
        return self.kept + self.late + self.missed

    @property
    def on_time_rate(self) -> float | None:
        return self.kept / self.judged if self.judged else None

    @property
    def net(self) -> int:
        """What the ranking uses as a tie-breaker: kept minus missed."""
        return self.kept - self.missed


def _judged_on(d: Delivery, today: date) -> date:
    if d.delivered is not None:
        return d.delivered
    if d.promise.closed is not None and d.state in (State.RELEASED, State.DROPPED):
        return d.promise.closed
    return today


def records(deliveries: Iterable[Delivery], today: date, start: date | None = None) -> dict[str, Record]:
    """Each person's record over promises settled (or still running) between `start` and `today`."""
    counts: dict[str, dict[str, int]] = {}
    for d in deliveries:
        if start is not None and _judged_on(d, today) < start:
            continue
        kind = ("missed" if d.missed else "kept" if d.state is State.ON_TIME else "late" if d.state is State.LATE
                else "unknown" if d.state is State.UNKNOWN else "open" if d.state is State.DUE else "released")
        for handle in d.promise.contributors:
            tally = counts.setdefault(handle, {})
            tally[kind] = tally.get(kind, 0) + 1
    return {h: Record(**tally) for h, tally in counts.items()}


@dataclass(frozen=True)
class ReliableRow:
    """A leaderboard row with the person's promise record."""

    rank: int
    handle: str
    pieces: int
    words: int
    languages: tuple[str, ...]
    kept: int
    late: int
    missed: int
    on_time_rate: float | None


def with_reliability(rows: Sequence[Row], people_records: Mapping[str, Record]) -> list[ReliableRow]:
    """Re-rank: published pieces first, then kept minus missed promises, then the leaderboard's
    own order (words, earlier first piece, handle). Only people with published pieces appear,
    and promises released in time count for nothing, so promising never lifts anyone."""
    empty = Record()
    order = sorted(enumerate(rows), key=lambda ir: (-ir[1].pieces, -people_records.get(ir[1].handle, empty).net,
                                                    ir[0]))
    out = []
    for n, (_, row) in enumerate(order, 1):
        rec = people_records.get(row.handle, empty)
        out.append(ReliableRow(n, row.handle, row.pieces, row.words, row.languages, rec.kept, rec.late,
                               rec.missed, rec.on_time_rate))
    return out
