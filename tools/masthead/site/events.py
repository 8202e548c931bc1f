"""Events out: `events/` per language (upcoming and past), a page per event (h-event and
schema.org Event), its accreditation form, the iCalendar feeds, and the front page's block
of near events. A build provider (site/pages.py); docs/reach.md.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from babel import UnknownLocaleError
from babel.dates import format_date, format_datetime, format_time
from markupsafe import Markup

from masthead.domain import events as ev
from masthead.domain import urls
from masthead.domain.events import Event
from masthead.domain.problems import Problem

from .calendar import CalendarItem, render_calendar
from .markdown import render_markdown
from .plan import Job, Planner, key_of
from .specs import page_spec
from .views import View

TEMPLATES = ("events.html", "event.html", "accreditation.html")


def magazine_events(plan: Planner) -> tuple[list[Event], list[Problem]]:
    """Every event and its problems, from the config cache while no event's file changed."""
    from masthead.sources.events import cached_events

    magazine = plan.views.magazine
    return cached_events(plan.root, plan.settings, magazine.people, [s.content_path for s in magazine.stories])


def plan_events(plan: Planner) -> None:
    """`events/` in every language, each event's page, form and the calendars."""
    events, problems = magazine_events(plan)
    plan.problems += problems
    missing = [f"theme/templates/{n}" for n in TEMPLATES if not (plan.theme.folder / "templates" / n).is_file()]
    if missing:
        plan.problems.append(Problem(events[0].source if events else "theme/templates", 0, "",
                                     f"the theme has no {missing[0]}",
                                     fix="copy it from masthead's sample theme (theme/templates/)", code="event-template"))
        return
    by_content = {e.content_path: e for e in events}
    for e in events:
        plan_event(plan, e, events, by_content)
    for lang in plan.views.languages:
        plan_list(plan, lang, events)
        plan_calendar(plan, lang, events, by_content)


# --- views ------------------------------------------------------------------------------------

def when_text(e: Event, locale: str, t: Any) -> str:
    """The start and end in the event's own zone, as readers of `locale` write them."""
    start, end = e.start, e.end
    try:
        day = partial(format_date, format="full", locale=locale)
        hour = partial(format_time, format="short", locale=locale)
        if start.date() == end.date():
            return str(t("events.same_day", date=day(start), start=hour(start, tzinfo=start.tzinfo),
                     end=hour(end, tzinfo=end.tzinfo)))
        return str(t("events.span", start=f"{day(start)} {hour(start, tzinfo=start.tzinfo)}",
                     end=f"{day(end)} {hour(end, tzinfo=end.tzinfo)}"))
    except (UnknownLocaleError, ValueError):
        return f"{start.isoformat()} – {end.isoformat()}"


def zone_text(e: Event, locale: str) -> str:
    """The zone's name in the reader's language ('heure d’été d’Europe centrale'), or the offset."""
    try:
        return format_datetime(e.start, "zzzz", tzinfo=e.start.tzinfo, locale=locale)
    except (UnknownLocaleError, ValueError, LookupError):
        return e.start.strftime("UTC%z")


def event_view(plan: Planner, e: Event, lang: str) -> View:
    """What a list or the front page shows of an event, in the page's language `lang`."""
    locale, t = plan.theme.locale(lang), plan.theme.translator(lang)
    site_lang = plan.settings.language
    return {"title": e.title, "lang": e.lang, "url": urls.event_path(e, site_lang), "place": e.place,
            "summary": e.summary, "start_iso": e.start.isoformat(), "end_iso": e.end.isoformat(),
            "when_text": when_text(e, locale, t), "zone_text": zone_text(e, locale),
            "key": key_of("event", e.digest, e.source, lang, plan.theme.digest)}


def plan_event(plan: Planner, e: Event, events: list[Event], by_content: dict[str, Event]) -> None:
    settings, views = plan.settings, plan.views
    site_lang = settings.language
    path = urls.event_path(e, site_lang)
    t = plan.theme.translator(e.lang)
    versions = ev.groups(events)[ev.group_key(e)]
    alternates = plan.alternates(path, e.lang, {v.lang: urls.event_path(v, site_lang) for v in versions if v is not e})
    view = dict(event_view(plan, e, e.lang))
    view.pop("key")
    press = views.by_content.get(e.press_release) if e.press_release else None
    form = urls.accreditation_path(e, site_lang) if e.accreditation and settings.send_form else None
    view.update({
        "body": Markup(render_markdown(e.body, trusted=settings.trust_raw_html)) if e.body.strip() else "",
        "organisers": [views.author_link(h, e.lang) for h in e.organisers],
        "links": [{"label": x.label, "url": x.url} for x in e.links],
        "press_release": views.card(press) if press is not None and views.story_url(e.press_release) else None,
        "accreditation_url": form,
        "calendar_url": urls.calendar_path(e.lang, site_lang),
        "upcoming": ev.is_upcoming(e, views.magazine.local_day(views.now), settings.timezone),
        "versions": [{"lang": v.lang, "title": v.title, "url": urls.event_path(v, site_lang)}
                     for v in versions if v is not e],
    })
    plan.add_page(page_spec(path, "event.html", e.source, title=e.title, lang=e.lang, kind="event", description=e.summary,
              jsonld=event_ld(plan, e, view), alternates=alternates, own={"event": view},
              feeds=calendar_feeds(plan, e.lang), lastmod=None))
    if form is not None:
        from masthead.submissions.accreditation_page import form_view

        plan.add_page(page_spec(form, "accreditation.html", e.source, title=t("accreditation.title", event=e.title), lang=e.lang,
                  kind="accreditation", description=t("accreditation.intro", event=e.title),
                  alternates=plan.alternates(form, e.lang, {v.lang: urls.accreditation_path(v, site_lang)
                                                            for v in versions if v is not e and v.accreditation}),
                  own={"event": view, "form": form_view(plan.root, settings, e, by_content, e.lang, t)}))


def event_ld(plan: Planner, e: Event, view: View) -> dict[str, Any]:
    """schema.org Event: what search engines and link previews read."""
    settings = plan.settings
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Event", "name": e.title, "description": e.summary,
        "startDate": e.start.isoformat(), "endDate": e.end.isoformat(), "inLanguage": e.lang,
        "url": urls.absolute(settings.url, view["url"]),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": {"@type": "Place", "name": e.place, "address": e.place},
        "organizer": [{"@type": "Person", "name": o["name"], "url": urls.absolute(settings.url, o["url"])}
                      for o in view["organisers"]],
    }
    return data


def calendar_feeds(plan: Planner, lang: str) -> list[View]:
    """The calendar, for `<link rel="alternate" type="text/calendar">` (autodiscovery)."""
    t = plan.theme.translator(lang)
    path = urls.calendar_path(lang, plan.settings.language)
    return [{"title": f"{plan.settings.title} · {t('events.heading')}", "type": "text/calendar",
             "url": urls.absolute(plan.settings.url, path), "key": path}]


def plan_list(plan: Planner, lang: str, events: list[Event]) -> None:
    site_lang = plan.settings.language
    today = plan.views.magazine.local_day(plan.views.now)
    upcoming, past = ev.split_upcoming(ev.for_reader(events, lang, site_lang), today, plan.settings.timezone)
    t = plan.theme.translator(lang)
    path = urls.events_path(lang, site_lang)
    plan.add_page(page_spec(path, "events.html", "content/events", title=t("events.heading"), lang=lang, kind="events",
              description=t("events.intro", title=plan.settings.title), feeds=calendar_feeds(plan, lang),
              alternates=plan.counterparts(path, lang),
              own={"upcoming": [event_view(plan, e, lang) for e in upcoming],
                     "past": [event_view(plan, e, lang) for e in past],
                     "calendar_url": urls.calendar_path(lang, site_lang)}))


def plan_calendar(plan: Planner, lang: str, events: list[Event], by_content: dict[str, Event]) -> None:
    settings = plan.settings
    host = urlsplit(settings.url).hostname or "masthead.invalid"
    chosen = ev.for_reader(events, lang, settings.language)
    items = [CalendarItem(e, ev.uid(e, by_content, host), urls.absolute(settings.url, urls.event_path(e, settings.language)))
             for e in chosen]
    t = plan.theme.translator(lang)
    name = f"{settings.title} · {t('events.heading')}"
    stamp: datetime = plan.views.now
    path = urls.calendar_path(lang, settings.language)
    key = key_of("ics", name, [(i.event.digest, i.uid, i.url) for i in items], stamp.isoformat())
    plan.add(Job(path, key, partial(render_calendar, name, items, stamp)), "content/events")


def home_events(plan: Planner, lang: str) -> list[View]:
    """The front page's events: under way, or starting within `events.home_days` days."""
    events = magazine_events(plan)[0]  # its problems are plan_events' to report
    if not events:
        return []
    settings = plan.settings
    chosen = ev.for_reader(events, lang, settings.language)
    today = plan.views.magazine.local_day(plan.views.now)
    return [event_view(plan, e, lang) for e in ev.near(chosen, today, settings.timezone, settings.event_home_days)]
