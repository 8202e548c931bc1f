"""Events, as the domain sees them: `content/events/<slug>[.<lang>].md`.

An event has a start and an end with their time zone (an IANA name, or a fixed offset), a
place, organisers (contributor handles), links, and optionally a press release (a story) and
an accreditation form for journalists. Versions in other languages point at the original
with `translation_of`, like stories; a group of versions is one event with one UID.

Pure: `now` and `today` are parameters. Whether an event is upcoming is decided by the day
in the magazine's time zone (it stays upcoming through the day it ends), so a page that lists
events is right until local midnight, which is when builds already expire (site/freshness.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo


FOLDER = "content/events"
NAME_RE = re.compile(r"^([a-z0-9]+(?:-[a-z0-9]+)*)(?:\.([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?))?\.md$")
# `2027-06-12 10:00 Europe/Paris`, `2027-06-12T10:00+02:00`, `2027-06-12 10:00Z`
WHEN_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?)\s*(Z|[+-]\d{2}:?\d{2}|\s[A-Za-z_]+(?:/[A-Za-z0-9_+-]+)*)?$")
HOME_DAYS = 30  # default of `events.home_days`


@dataclass(frozen=True)
class EventLink:
    label: str
    url: str


@dataclass(frozen=True)
class Event:
    source: str  # content/events/river-festival-2027.fr.md
    slug: str  # river-festival-2027
    lang: str
    title: str
    start: datetime  # aware, in the event's own zone
    end: datetime
    zone: str  # the IANA name when one was written ("" for a fixed offset)
    place: str
    organisers: tuple[str, ...] = ()
    links: tuple[EventLink, ...] = ()
    summary: str = ""
    body: str = ""  # Markdown, untrusted: rendered through the sanitiser
    translation_of: str = ""  # path below content/ of the original version
    press_release: str = ""  # path below content/ of the story that announces it
    accreditation: bool = False
    digest: str = ""

    @property
    def content_path(self) -> str:
        return self.source.split("/", 1)[1]


@dataclass(frozen=True)
class WhenText:
    """A start or end as written, split: the local time and its zone (name or offset)."""

    local: str
    zone: str  # "" (none written), "Z", "+02:00", or an IANA name


def split_when(text: str) -> WhenText | None:
    """`2027-06-12 10:00 Europe/Paris` -> ('2027-06-12 10:00', 'Europe/Paris'); None when unreadable."""
    m = WHEN_RE.match(text.strip())
    if m is None:
        return None
    return WhenText(m.group(1), (m.group(2) or "").strip())


def group_key(event: Event) -> str:
    """The path of the original version: what every version of one event shares."""
    return event.translation_of or event.content_path


def uid(event: Event, by_content: dict[str, Event], host: str) -> str:
    """A UID that stays the same across builds, languages and edits: the original's slug at
    the magazine's host (RFC 5545 asks for a globally unique, persistent identifier)."""
    original = by_content.get(group_key(event), event)
    return f"{original.slug}@{host}"


def groups(events: list[Event]) -> dict[str, list[Event]]:
    """Events by the original they are versions of."""
    out: dict[str, list[Event]] = {}
    for e in sorted(events, key=lambda e: e.source):
        out.setdefault(group_key(e), []).append(e)
    return out


def in_language(versions: list[Event], lang: str, site_language: str) -> Event:
    """The version a reader of `lang` gets: theirs, else the site language's, else the original."""
    for wanted in (lang, site_language):
        for e in versions:
            if e.lang == wanted:
                return e
    return min(versions, key=lambda e: (bool(e.translation_of), e.source))


def for_reader(events: list[Event], lang: str, site_language: str) -> list[Event]:
    """One version of every event, in the reader's language where there is one."""
    return [in_language(v, lang, site_language) for v in groups(events).values()]


def local_day(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def is_upcoming(event: Event, today: date, zone: tzinfo) -> bool:
    """Upcoming (or under way) through the local day it ends."""
    return local_day(event.end, zone) >= today


def split_upcoming(events: list[Event], today: date, zone: tzinfo) -> tuple[list[Event], list[Event]]:
    """Upcoming events soonest first, past events latest first."""
    upcoming = sorted((e for e in events if is_upcoming(e, today, zone)), key=lambda e: (e.start, e.source))
    past = sorted((e for e in events if not is_upcoming(e, today, zone)), key=lambda e: (e.start, e.source),
                  reverse=True)
    return upcoming, past


def near(events: list[Event], today: date, zone: tzinfo, days: int) -> list[Event]:
    """What the front page shows: events under way, or starting within `days` days."""
    horizon = today + timedelta(days=days)
    return [e for e in split_upcoming(events, today, zone)[0] if local_day(e.start, zone) <= horizon]


def problems_of(event: Event) -> list[tuple[str, str, str]]:
    """Rules on one event alone, as (field, message, fix)."""
    out = []
    if event.end < event.start:
        out.append(("end", "the event ends before it starts", "put the end after the start"))
    if event.end - event.start > timedelta(days=366):
        out.append(("end", "the event lasts more than a year", "check the year of the end"))
    return out
