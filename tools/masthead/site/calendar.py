"""The iCalendar feed (RFC 5545): the one module that imports icalendar.

Calendar apps subscribe to `events.ics` (and `<lang>/events.ics`). Every event has a UID
that stays the same across builds and languages (`domain.events.uid`), a DTSTAMP from the
build's clock (passed in), and its start and end in the zone it was written in: with a
TZID and the zone's VTIMEZONE when it was an IANA name, in UTC when it was an offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from icalendar import Calendar, Event as VEvent

from masthead.domain.events import Event

PRODID = "-//masthead//events//EN"


@dataclass(frozen=True)
class CalendarItem:
    """One VEVENT: the event in the calendar's language, with its UID and page address."""

    event: Event
    uid: str
    url: str


def render_calendar(name: str, items: list[CalendarItem], stamp: datetime) -> bytes:
    """The whole .ics file; byte for byte the same for the same events and `stamp`."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("name", name)  # RFC 7986
    stamp_utc = stamp.astimezone(timezone.utc).replace(microsecond=0)
    for item in sorted(items, key=lambda i: (i.event.start, i.uid)):
        cal.add_component(_vevent(item, stamp_utc))
    if items:
        first = min(i.event.start for i in items).date()
        last = max(i.event.end for i in items).date()
        # VTIMEZONEs for the named zones, with their rules only over the years the events span
        cal.add_missing_timezones(first_date=date(first.year - 1, 1, 1), last_date=date(last.year + 2, 1, 1))
    return bytes(cal.to_ical())


def _vevent(item: CalendarItem, stamp: datetime) -> VEvent:
    e = item.event
    ev = VEvent()
    ev.add("uid", item.uid)
    ev.add("dtstamp", stamp)
    ev.add("dtstart", _moment(e, e.start))
    ev.add("dtend", _moment(e, e.end))
    ev.add("summary", e.title)
    ev.add("location", e.place)
    ev.add("url", item.url)
    description = "\n\n".join(x for x in (e.summary, item.url) if x)
    ev.add("description", description)
    ev.add("status", "CONFIRMED")
    ev.add("transp", "OPAQUE")
    return ev


def _moment(event: Event, moment: datetime) -> datetime:
    """Kept in its IANA zone (written with TZID); a fixed offset becomes UTC, which every
    calendar app reads without a VTIMEZONE."""
    return moment if event.zone else moment.astimezone(timezone.utc)
