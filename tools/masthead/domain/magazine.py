"""The whole magazine after loading and resolving: what every later stage reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from .contributors import Contributor
from .problems import Problem
from .promises import Promise, Topic
from .site import Settings
from .stories import Story, is_published, newest_first


@dataclass(frozen=True)
class StaticPage:
    """A stand-alone page from `site_config/pages/`."""

    source: str
    slug: str
    title: str
    lang: str
    digest: str


@dataclass
class Magazine:
    settings: Settings
    people: dict[str, Contributor]
    stories: list[Story]  # every story, published or not, newest first
    pages: list[StaticPage] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # promises (docs/promises.md): by id, from contributors/topics/ and contributors/promises/
    topics: dict[str, Topic] = field(default_factory=dict)
    promises: dict[str, Promise] = field(default_factory=dict)

    def visible(self, now: datetime, preview: bool) -> list[Story]:
        """What a build shows: the published stories, or all of them in preview."""
        return list(self.stories) if preview else [s for s in self.stories if is_published(s, now)]

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.settings.timezone).date()

    def sort(self) -> None:
        self.stories = newest_first(self.stories)
