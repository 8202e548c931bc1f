"""The magazine's settings, as the domain sees them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo


@dataclass(frozen=True)
class Section:
    id: str
    titles: dict[str, str]
    descriptions: dict[str, str] = field(default_factory=dict)

    def title(self, lang: str, fallback: str) -> str:
        return self.titles.get(lang) or self.titles.get(fallback) or next(iter(self.titles.values()), self.id)

    def description(self, lang: str, fallback: str) -> str:
        return self.descriptions.get(lang) or self.descriptions.get(fallback, "")


@dataclass(frozen=True)
class Window:
    """A leaderboard window: the last `days` days, or since 1 January (`year`), or all time."""

    id: str
    days: int | None = None
    year: bool = False


@dataclass(frozen=True)
class Targets:
    daily_pieces: float = 5.0
    community_share: float = 0.5


@dataclass(frozen=True)
class TermLabels:
    """How tags and places are written per language (`labels:` in magazine.yml), by the term
    as stories spell it, matched case-insensitively. A label changes what a reader reads,
    never the term's slug: `tags/river/` is `ru/tags/river/` for Russian readers."""

    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    places: dict[str, dict[str, str]] = field(default_factory=dict)

    def label(self, kind: str, term: str, lang: str) -> str | None:
        table = self.tags if kind == "tag" else self.places
        names = table.get(term.casefold())
        return names.get(lang) if names else None


def term_labels(tags: dict[str, dict[str, str]], places: dict[str, dict[str, str]]) -> TermLabels:
    return TermLabels({k.casefold(): dict(v) for k, v in tags.items()},
                      {k.casefold(): dict(v) for k, v in places.items()})


@dataclass(frozen=True)
class Share:
    """Share links on story pages (docs/reach.md): the networks, and Mastodon's instance."""

    networks: tuple[str, ...] = ()
    mastodon: str = "mastodon.social"


@dataclass(frozen=True)
class Bridge:
    """A fediverse bridge the magazine points WebFinger at (docs/reach.md)."""

    url: str
    actor: str = ""


@dataclass(frozen=True)
class Settings:
    title: str
    url: str
    language: str
    languages: tuple[str, ...]
    timezone: tzinfo
    timezone_name: str
    sections: tuple[Section, ...]
    taglines: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    per_page: int = 10
    feed_items: int = 20
    feed_content: str = "full"
    websub_hub: str = ""  # a WebSub hub every feed names (docs/reach.md); none by default
    trust_raw_html: bool = False
    licence: str = "CC BY-SA 4.0"
    windows: tuple[Window, ...] = (Window("30d", days=30), Window("year", year=True), Window("all"))
    targets: Targets = Targets()
    words_per_minute: int = 220
    toc_headings: int = 3  # stories with more headings (H2-H4) get a table of contents
    search_shard_stories: int = 700  # the most stories one shard of a language's search index holds
    send_form: bool = True
    labels: TermLabels = TermLabels()
    embeds: tuple[str, ...] = ()  # hosts whose frames load on a click (site/embeds.py)
    event_home_days: int = 30  # events on the front page from this many days before (docs/reach.md)
    share: Share = Share()
    bridge: Bridge | None = None

    def section(self, section_id: str) -> Section | None:
        for s in self.sections:  # a handful of sections: a scan beats building an index
            if s.id == section_id:
                return s
        return None

    def tagline(self, lang: str) -> str:
        return self.taglines.get(lang) or self.taglines.get(self.language, "")

    def description(self, lang: str) -> str:
        return self.descriptions.get(lang) or self.descriptions.get(self.language, "")
