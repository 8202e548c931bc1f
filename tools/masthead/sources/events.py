"""Events in: `content/events/<slug>[.<lang>].md` to `Event`s, every problem collected.

Each file is validated against `schemas.EventFields` (every field's problem at once, with its
line), then its times are read with their zone, and its cross-references are checked: the
organisers against contributors/, `press_release` against the stories, `translation_of`
against the other events.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from masthead.domain.events import FOLDER, NAME_RE, Event, EventLink, problems_of, split_when
from masthead.domain.problems import Problem
from masthead.domain.site import Settings

from .config_cache import ConfigCache
from .frontmatter import parse_story

MAX_BYTES = 200_000


def cached_events(root: Path, settings: Settings, people: Iterable[str],
                  stories: Iterable[str]) -> tuple[list[Event], list[Problem]]:
    """`load_events`, or its result from the config cache while no event's file changed."""
    names = _names(root)
    if not names:
        return [], []
    cache = ConfigCache(root)
    extra = (repr(settings), tuple(sorted(people)), tuple(sorted(stories)))
    result = cache.get("events", [f"{FOLDER}/{n}" for n in names], extra,
                       lambda: load_events(root, settings, people, stories))
    cache.save()
    return result


def _names(root: Path) -> list[str]:
    try:
        return sorted(e.name for e in os.scandir(root / FOLDER) if e.name.endswith(".md") and not e.name.startswith("."))
    except (FileNotFoundError, NotADirectoryError):
        return []


def load_events(root: Path, settings: Settings, people: Iterable[str],
                stories: Iterable[str]) -> tuple[list[Event], list[Problem]]:
    """Every event, by file name, and every problem with any of them."""
    events: list[Event] = []
    problems: list[Problem] = []
    lines: dict[str, dict[str, int]] = {}
    people, stories = set(people), set(stories)
    for name in _names(root):
        rel = f"{FOLDER}/{name}"
        path = root / rel
        if path.is_symlink() or not path.is_file():
            problems.append(Problem(rel, 0, "", "an event must be a plain file, not a link",
                                    fix="copy the file into content/events/", code="event-link"))
            continue
        event, more, lines[rel] = load_event(root, rel, settings, people, stories)
        problems += more
        if event is not None:
            events.append(event)
    problems += cross_problems(events, lines, settings)
    return events, problems


def load_event(root: Path, rel: str, settings: Settings, people: set[str] = frozenset(),  # type: ignore[assignment]
               stories: set[str] = frozenset()) -> tuple[Event | None, list[Problem], dict[str, int]]:  # type: ignore[assignment]
    from .schemas import EventFields, validate  # pydantic: only when an event is read again

    name = rel.rsplit("/", 1)[-1]
    m = NAME_RE.match(name)
    if m is None:
        return None, [Problem(rel, 0, "", "not an event's file name", expected="<slug>.md or <slug>.<lang>.md",
                              found=repr(name), fix="use lower-case letters, digits and hyphens, e.g. "
                              "river-festival-2027.md", code="event-name")], {}
    raw = (root / rel).read_bytes()
    parsed = parse_story(rel, raw, MAX_BYTES)
    if parsed.data is None:
        return None, parsed.problems, {}
    model, problems = validate(EventFields, parsed.data, rel, parsed.lines)
    problems = parsed.problems + problems
    lines = parsed.lines
    lang = model.lang if model is not None and model.lang else (m.group(2) or settings.language)
    if lang not in settings.languages:
        problems.append(Problem(rel, lines.get("lang", 1), "lang", f"language '{lang}' is not one of the magazine's",
                                expected=", ".join(settings.languages),
                                fix="add it to languages in site_config/magazine.yml", code="event-lang"))
    if model is None:
        return None, problems, lines
    problems += reference_problems(rel, lines, model.organisers, model.press_release, people, stories)
    start, zone, more = read_when(rel, lines, "start", model.start)
    end, end_zone, more2 = read_when(rel, lines, "end", model.end)
    problems += more + more2
    if start is None or end is None or lang not in settings.languages:
        return None, problems, lines
    event = Event(source=rel, slug=m.group(1), lang=lang, title=model.title, start=start, end=end,
                  zone=zone or end_zone, place=model.place, organisers=tuple(model.organisers),
                  links=tuple(EventLink(x.label, x.url) for x in model.links), summary=model.summary,
                  body=parsed.body.strip("\n"), translation_of=model.translation_of,
                  press_release=model.press_release, accreditation=model.accreditation,
                  digest=hashlib.blake2b(raw, digest_size=16).hexdigest())
    problems += [Problem(rel, lines.get(f, 1), f, msg, fix=fix, code="event-time") for f, msg, fix in problems_of(event)]
    return event, problems, lines


def read_when(rel: str, lines: dict[str, int], field: str, text: str) -> tuple[datetime | None, str, list[Problem]]:
    """A start or end with its zone: `2027-06-12 10:00 Europe/Paris` or `2027-06-12T10:00+02:00`."""
    line = lines.get(field, 1)
    parts = split_when(text)
    example = "2027-06-12 10:00 Europe/Paris, or 2027-06-12T10:00+02:00"
    if parts is None:
        return None, "", [Problem(rel, line, field, "not a date and time", expected=example, found=repr(text),
                                  fix="write the date, the time and the time zone", code="event-time")]
    if not parts.zone:
        return None, "", [Problem(rel, line, field, "the time zone is missing", expected=example, found=repr(text),
                                  fix="add the zone where the event happens (an IANA name such as Europe/Paris, "
                                  "or an offset such as +02:00)", code="event-zone")]
    try:
        local = datetime.fromisoformat(parts.local.replace(" ", "T"))
    except ValueError:
        return None, "", [Problem(rel, line, field, "not a real date or time", found=repr(parts.local),
                                  fix="check the day, month and hour", code="event-time")]
    zone = _zone(parts.zone)
    if zone is None:
        return None, "", [Problem(rel, line, field, "unknown time zone", expected="an IANA name such as Europe/Paris",
                                  found=repr(parts.zone), fix=_zone_fix(parts.zone), code="event-zone")]
    named = parts.zone if isinstance(zone, ZoneInfo) else ""
    return local.replace(tzinfo=zone), named, []


def _zone(text: str) -> tzinfo | None:
    if text == "Z":
        return timezone.utc
    if text[0] in "+-":
        digits = text[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 14 or minutes > 59:
            return None
        sign = 1 if text[0] == "+" else -1
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _zone_fix(text: str) -> str:
    from zoneinfo import available_timezones

    near = difflib.get_close_matches(text, sorted(available_timezones()), n=1)
    return f"did you mean '{near[0]}'?" if near else "use a name from the IANA time zone database"


def reference_problems(rel: str, lines: dict[str, int], organisers: list[str], press_release: str,
                       people: set[str], stories: set[str]) -> list[Problem]:
    """Organisers and the press release that point at nothing."""
    out: list[Problem] = []
    for handle in organisers:
        if handle not in people:
            near = difflib.get_close_matches(handle, sorted(people), n=1)
            fix = f"did you mean '{near[0]}'? " if near else ""
            out.append(Problem(rel, lines.get("organisers", 1), "organisers", f"unknown contributor '{handle}'",
                               fix=f"{fix}register them in contributors/{handle}.yml", code="event-organiser"))
    if press_release and press_release not in stories:
        out.append(Problem(rel, lines.get("press_release", 1), "press_release", f"no story '{press_release}'",
                           expected="a path below content/, e.g. city/festival.md", fix=_near(press_release, stories),
                           code="event-press-release"))
    return out


def cross_problems(events: list[Event], lines: dict[str, dict[str, int]], settings: Settings) -> list[Problem]:
    """Translations that point at nothing, duplicates, a form without the service."""
    out: list[Problem] = []
    by_content = {e.content_path: e for e in events}
    for e in events:
        at = lines.get(e.source, {})
        if e.translation_of:
            original = by_content.get(e.translation_of)
            if original is None:
                out.append(Problem(e.source, at.get("translation_of", 1), "translation_of",
                                   f"no event '{e.translation_of}'", expected="a path below content/, e.g. events/x.md",
                                   fix=_near(e.translation_of, set(by_content)), code="event-translation"))
            elif original.translation_of:
                out.append(Problem(e.source, at.get("translation_of", 1), "translation_of",
                                   f"'{e.translation_of}' is itself a translation",
                                   fix=f"point at the original, '{original.translation_of}'", code="event-translation"))
        if e.accreditation and not settings.send_form:
            out.append(Problem(e.source, at.get("accreditation", 1), "accreditation",
                               "the accreditation form needs the send-text service, and send_form is off",
                               fix="set send_form: true in site_config/magazine.yml, or remove accreditation",
                               code="event-accreditation"))
    out += _duplicates(events, lines)
    return out


def _duplicates(events: list[Event], lines: dict[str, dict[str, int]]) -> list[Problem]:
    seen: dict[tuple[str, str], str] = {}
    out = []
    for e in events:
        key = (e.slug, e.lang)
        if key in seen:
            out.append(Problem(e.source, lines.get(e.source, {}).get("lang", 1), "lang",
                               f"{seen[key]} is already the '{e.lang}' version of '{e.slug}'",
                               fix="give one of them another language or name", code="event-duplicate"))
        seen[key] = e.source
    return out


def _near(name: str, known: set[str]) -> str:
    near = difflib.get_close_matches(name, sorted(known), n=1)
    return f"did you mean '{near[0]}'?" if near else "check the path"
