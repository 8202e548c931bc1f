"""The contributor leaderboard: who published what, over which window, ranked how.

Rules (also stated on the page): only published stories count; a co-written story counts
as one piece, with all its words, for each of its authors; rank is by pieces, then words,
then the earlier first piece in the window, then handle, so ties always break the same way.
A story counts as editorial when one of its authors is an editor, otherwise as community.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .contributors import Contributor
from .site import Targets, Window
from .stories import Story

RULES = (
    "leaderboard.rule_published",
    "leaderboard.rule_coauthors",
    "leaderboard.rule_order",  # the one ranking rule, promises included (promises.with_reliability)
    "leaderboard.rule_share",
    "promises.rule_kept",
    "promises.rule_release",
)


def window_label(window: Window) -> tuple[str, dict[str, int]]:
    """The interface string naming a window, and its values: never the window's own id."""
    if window.days is not None:
        return "leaderboard.window.days", {"n": window.days}
    return ("leaderboard.window.year", {}) if window.year else ("leaderboard.window.all", {})


@dataclass(frozen=True)
class Row:
    rank: int
    handle: str
    pieces: int
    words: int
    languages: tuple[str, ...]


@dataclass(frozen=True)
class Share:
    editorial: int
    community: int
    target: float

    @property
    def community_share(self) -> float:
        total = self.editorial + self.community
        return self.community / total if total else 0.0

    @property
    def met(self) -> bool:
        return (self.editorial + self.community) > 0 and self.community_share >= self.target


@dataclass(frozen=True)
class Cadence:
    pieces: int
    days: int
    target: float

    @property
    def per_day(self) -> float:
        return self.pieces / self.days if self.days else 0.0

    @property
    def met(self) -> bool:
        return self.per_day >= self.target


def window_start(window: Window, today: date, first: date | None) -> date:
    """The first day a window covers."""
    if window.days is not None:
        return today - timedelta(days=window.days - 1)
    if window.year:
        return date(today.year, 1, 1)
    return first or today


def rank(stories: list[Story]) -> list[Row]:
    """Rows for every author of `stories` (already published and in the window)."""
    tally: dict[str, tuple[int, int, datetime, set[str]]] = {}
    for s in stories:
        for handle in s.authors:
            pieces, words, first, langs = tally.get(handle, (0, 0, s.date, set()))
            tally[handle] = (pieces + 1, words + s.words, min(first, s.date), langs | {s.lang})
    order = sorted(tally.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[1][2], kv[0]))
    return [Row(n, h, p, w, tuple(sorted(ls))) for n, (h, (p, w, _, ls)) in enumerate(order, 1)]


def share(stories: list[Story], people: dict[str, Contributor], targets: Targets) -> Share:
    editorial = sum(1 for s in stories if any(people[a].is_editor for a in s.authors if a in people))
    return Share(editorial, len(stories) - editorial, targets.community_share)


def cadence(stories: list[Story], start: date, today: date, targets: Targets) -> Cadence:
    return Cadence(len(stories), (today - start).days + 1, targets.daily_pieces)
