"""Newsletter editions, as the domain sees them: which stories a new edition carries.

An edition is `content/newsletter/<date>[.<lang>].md`: the editors' note is its body, and
its front matter lists the stories it carried. Pure: `now` is a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .stories import Story, is_published


@dataclass(frozen=True)
class Edition:
    source: str  # content/newsletter/2026-11-22.md
    day: date
    lang: str
    title: str
    note: str  # Markdown, untrusted: rendered through the sanitiser
    stories: tuple[str, ...] = ()  # paths below content/, as in `translation_of`
    made: datetime | None = None  # when `masthead newsletter` chose its stories
    digest: str = ""

    @property
    def is_made(self) -> bool:
        return self.made is not None


def edition_file(day: date, lang: str, site_language: str) -> str:
    """Where the edition of `day` in `lang` is kept."""
    suffix = "" if lang == site_language else f".{lang}"
    return f"content/newsletter/{day.isoformat()}{suffix}.md"


def edition_slug(edition: Edition, site_language: str) -> str:
    return edition.day.isoformat() if edition.lang == site_language else f"{edition.day.isoformat()}-{edition.lang}"


def previous_edition(editions: list[Edition], lang: str, day: date) -> Edition | None:
    """The newest edition in `lang` made before `day`."""
    earlier = [e for e in editions if e.lang == lang and e.is_made and e.day < day]
    return max(earlier, key=lambda e: e.day, default=None)


def choose_stories(stories: list[Story], editions: list[Edition], lang: str, day: date, now: datetime,
                   since: datetime | None) -> list[Story]:
    """What an edition of `day` carries: stories in `lang` published after `since` (default: when
    the previous edition was made) and by `now`, that no earlier edition carried; newest first."""
    if since is None:
        before = previous_edition(editions, lang, day)
        since = before.made if before is not None else None
    carried = {path for e in editions if e.lang == lang and e.day < day for path in e.stories}
    chosen = [s for s in stories if s.lang == lang and is_published(s, now) and s.content_path not in carried
              and (since is None or s.date > since)]
    return sorted(chosen, key=lambda s: (-s.date.timestamp(), s.source))
