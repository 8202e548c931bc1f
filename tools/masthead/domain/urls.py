"""Every output path of the site, computed here and nowhere else.

Paths are site-relative, without a leading slash; a page's path ends in `/` and is written
as `<path>index.html`. Two sources claiming one path is an error naming both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .slugs import term_slug
from .stories import Story

if TYPE_CHECKING:
    from .events import Event

RESERVED = ("tags", "places", "authors", "archive", "masthead", "leaderboard", "search", "assets",
            "send", "board", "page", "feeds", "404.html", "sitemap.xml", "rss.xml", "atom.xml",
            "feed.json", "newsletter", "events", "events.ics", ".well-known")


# The pages every language has (docs/theme.md, "Addresses"): the site's language at the root,
# every other language below `<lang>/`, with the same path after the prefix.
CHROME = {"archive": "archive/", "masthead": "masthead/", "leaderboard": "leaderboard/", "search": "search/",
          "board": "board/", "send": "send/", "events": "events/"}


def lang_prefix(lang: str, site_language: str) -> str:
    """Where a language's pages live: `""` for the site's language, `ru/` for Russian."""
    return "" if lang == site_language else f"{lang}/"


def localise(path: str, lang: str, site_language: str) -> str:
    """`path` (as in the site's language) for readers of `lang`: `city/` -> `ru/city/`."""
    return lang_prefix(lang, site_language) + path


def unlocalise(path: str, lang: str, site_language: str) -> str:
    """The inverse of `localise`: the path after the language's prefix."""
    prefix = lang_prefix(lang, site_language)
    return path[len(prefix):] if prefix and path.startswith(prefix) else path


def story_path(story: Story, site_language: str) -> str:
    return f"{lang_prefix(story.lang, site_language)}{story.section}/{story.slug}/"


def section_path(section_id: str) -> str:
    return f"{section_id}/"


def tag_path(tag: str) -> str:
    return f"tags/{term_slug(tag)}/"


def place_path(place: str) -> str:
    return f"places/{term_slug(place)}/"


def author_path(handle: str) -> str:
    return f"authors/{handle}/"


def language_path(lang: str) -> str:
    return f"{lang}/"


def archive_path(year: int | None = None, month: int | None = None) -> str:
    if year is None:
        return "archive/"
    if month is None:
        return f"archive/{year:04d}/"
    return f"archive/{year:04d}/{month:02d}/"


def paged(path: str, page: int) -> str:
    """Page 1 of a list is the list's own path; page N is `<path>page/N/`."""
    return path if page <= 1 else f"{path}page/{page}/"


def feed_paths(list_path: str) -> tuple[str, str]:
    """The RSS and Atom feeds of a list live beside it."""
    return f"{list_path}rss.xml", f"{list_path}atom.xml"


def json_feed_path(list_path: str) -> str:
    """The JSON Feed of a list, beside its RSS and Atom feeds."""
    return f"{list_path}feed.json"


FEED_DIGESTS = "feeds/digests.json"  # every feed's address and fingerprint (docs/reach.md)


def newsletter_path(edition: str | None = None) -> str:
    """The archive of newsletter editions, and one edition's web version."""
    return "newsletter/" if edition is None else f"newsletter/{edition}/"


# --- events (docs/reach.md) ---
def event_path(event: "Event", site_language: str) -> str:
    """Where the event's page lives: `events/<slug>/`, `fr/events/<slug>/`."""
    return f"{lang_prefix(event.lang, site_language)}events/{event.slug}/"


def events_path(lang: str, site_language: str) -> str:
    return f"{lang_prefix(lang, site_language)}events/"


def calendar_path(lang: str, site_language: str) -> str:
    """The iCalendar feed: `events.ics` in the site's language, `fr/events.ics`."""
    return f"{lang_prefix(lang, site_language)}events.ics"


def accreditation_path(event: "Event", site_language: str) -> str:
    return f"{event_path(event, site_language)}accreditation/"



def output_file(path: str) -> str:
    """The file a path is written to."""
    return f"{path}index.html" if path == "" or path.endswith("/") else path


def relative_root(path: str) -> str:
    """The way back to the site root from a page at `path`."""
    depth = path.count("/") if path.endswith("/") else path.count("/")
    return "../" * depth


def absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + "/" + path


@dataclass
class PathRegistry:
    """Remembers who owns each output path; a second claimant is reported, not overwritten."""

    owners: dict[str, str] = field(default_factory=dict)

    def claim(self, path: str, owner: str) -> str | None:
        """Claim `path` for `owner`; returns the earlier owner when the path is taken."""
        key = path if path.endswith((".html", ".xml", ".json", ".txt", ".ics")) or "/.well-known/" in "/" + path else output_file(path)
        earlier = self.owners.get(key)
        if earlier is not None and earlier != owner:
            return earlier
        self.owners[key] = owner
        return None
