"""Events: the schema's problems (all at once, as data), the events pages, event pages
(h-event read by mf2py, schema.org JSON-LD), the iCalendar feeds read by icalendar's own
parser, and the front page's near events. docs/reach.md, "Events"."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import mf2py
import pytest
import yaml
from icalendar import Calendar

from ..conftest import NOW, SETTINGS, Magazine

CASES = yaml.safe_load((Path(__file__).parent / "event_cases.yml").read_text(encoding="utf-8"))


def event(magazine: Magazine, name: str, body: str = "What happens.", **fields: object) -> None:
    front = {"title": "River fair", "start": "2026-12-05 10:00 Europe/Paris", "end": "2026-12-05 18:00 Europe/Paris",
             "place": "Quai Saint-Antoine, Lyon", "organisers": ["anna"], "summary": "Stalls on the quay."}
    front.update(fields)
    magazine.write(f"content/events/{name}", "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
                   + "---\n\n" + body + "\n")


def fill(magazine: Magazine, **settings: object) -> None:
    magazine.settings({**SETTINGS, **settings})
    magazine.story("city/fair.md", "Come to the fair.", title="The fair is back", date="2026-11-20 09:00")
    magazine.story("city/fair.ru.md", "Приходите.", title="Ярмарка", date="2026-11-20 09:00", lang="ru",
                   translation_of="city/fair.md")
    magazine.story("city/fair.fr.md", "Venez.", title="La foire", date="2026-11-20 09:00", lang="fr",
                   translation_of="city/fair.md")
    event(magazine, "river-fair.md", press_release="city/fair.md", accreditation=True)
    event(magazine, "river-fair.ru.md", title="Речная ярмарка", translation_of="events/river-fair.md")
    event(magazine, "old-concert.md", title="Old concert", start="2026-05-01T20:00+02:00",
          end="2026-05-01T23:00+02:00", summary="It happened.")
    event(magazine, "far-festival.md", title="Far festival", start="2027-06-12 10:00 Asia/Seoul",
          end="2027-06-13 22:00 Asia/Seoul", summary="Next summer.")


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_bad_events_are_reported_with_line_field_and_fix(magazine: Magazine, case: dict[str, object]) -> None:
    from masthead.cli import main
    from masthead.sources.events import load_events
    from masthead.sources.load import load_settings

    front = case["front"]
    magazine.write(f"content/events/{case['file']}", "---\n" + yaml.safe_dump(front, sort_keys=False) + "---\n\nx\n")
    settings, _ = load_settings(magazine.root)
    _, problems = load_events(magazine.root, settings, ["anna", "ben"], [])
    found = sorted(f"{p.line} {p.field} {p.code}" for p in problems)
    assert found == sorted(case["expect"])  # type: ignore[arg-type]
    assert all(p.fix for p in problems if p.code.startswith("event-"))
    assert main(["--root", str(magazine.root), "check"]) == 1


def test_check_names_file_line_and_fix(magazine: Magazine, capsys: pytest.CaptureFixture[str]) -> None:
    from masthead.cli import main

    event(magazine, "fair.md", start="2026-12-05 10:00", organisers=["anya"])
    assert main(["--root", str(magazine.root), "check"]) == 1
    out = capsys.readouterr().out
    assert "content/events/fair.md:3: error: field 'start': the time zone is missing" in out
    assert "content/events/fair.md:6: error: field 'organisers': unknown contributor 'anya' (did you mean 'anna'?" in out


def test_calendar_is_read_by_icalendar_with_zones_uids_and_the_build_clock(magazine: Magazine) -> None:
    fill(magazine)
    magazine.build()
    cal = Calendar.from_ical((magazine.root / "site/events.ics").read_bytes())
    assert cal["VERSION"] == "2.0" and str(cal["PRODID"]).startswith("-//masthead")
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"river-fair@gazette.example.org", "old-concert@gazette.example.org",
                           "far-festival@gazette.example.org"}
    fair = events["river-fair@gazette.example.org"]
    assert fair.decoded("DTSTAMP") == NOW  # the build's clock, passed in
    start = fair.decoded("DTSTART")
    assert fair["DTSTART"].params["TZID"] == "Europe/Paris"
    assert start.utcoffset() == timedelta(hours=1) and start.hour == 10
    assert {str(z["TZID"]) for z in cal.walk("VTIMEZONE")} == {"Europe/Paris", "Asia/Seoul"}
    old = events["old-concert@gazette.example.org"]  # an offset: written in UTC, no VTIMEZONE needed
    assert old.decoded("DTSTART") == datetime(2026, 5, 1, 18, 0, tzinfo=timezone.utc)
    assert old.to_ical().decode().count("DTSTART:20260501T180000Z") == 1
    for e in events.values():  # what a calendar app needs of every event
        assert e.decoded("DTEND") > e.decoded("DTSTART") and e["SUMMARY"] and e["URL"].startswith("https://")
    # the Russian calendar: the same UID, in Russian
    ru = Calendar.from_ical((magazine.root / "site/ru/events.ics").read_bytes())
    ru_fair = next(e for e in ru.walk("VEVENT") if e["UID"] == "river-fair@gazette.example.org")
    assert str(ru_fair["SUMMARY"]) == "Речная ярмарка" and ru_fair["URL"].endswith("/ru/events/river-fair/")
    # UIDs stay, DTSTAMP follows the clock
    later = NOW + timedelta(days=1)  # a later day: the site is built again (site/freshness.py)
    magazine.build(now=later)
    again = Calendar.from_ical((magazine.root / "site/events.ics").read_bytes())
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == set(events)
    assert {e.decoded("DTSTAMP") for e in again.walk("VEVENT")} == {later}


def test_events_pages_split_upcoming_and_past_in_the_readers_language(magazine: Magazine) -> None:
    fill(magazine)
    magazine.build()
    soup = magazine.html("events/index.html")
    upcoming = soup.select_one("[aria-labelledby=events-upcoming]")
    past = soup.select_one("[aria-labelledby=events-past]")
    assert [a.get_text() for a in upcoming.select(".event-title a")] == ["River fair", "Far festival"]
    assert [a.get_text() for a in past.select(".event-title a")] == ["Old concert"]
    assert soup.select_one("link[type='text/calendar']")["href"] == "https://gazette.example.org/events.ics"
    ru = magazine.html("ru/events/index.html")
    assert ru.html["lang"] == "ru" and ru.select_one("h1").get_text() == "События"
    titles = [a.get_text() for a in ru.select("[aria-labelledby=events-upcoming] .event-title a")]
    assert titles == ["Речная ярмарка", "Far festival"]
    when = ru.select_one(".event-when time").get_text()
    assert "декабря 2026" in when and "10:00–18:00" in when  # Babel's Russian date, the event's own zone
    fr = magazine.html("fr/events/index.html")  # no French versions: the originals, marked as English
    assert fr.select_one(".event-item")["lang"] == "en" and "décembre" in fr.select_one(".event-when").get_text()
    parsed = mf2py.parse(doc=str(soup), url="https://gazette.example.org/events/")
    names = [i["properties"]["name"][0] for i in parsed["items"][0]["children"] if "h-event" in i["type"]]
    assert names == ["River fair", "Far festival", "Old concert"]


def test_event_page_has_h_event_json_ld_press_release_and_form(magazine: Magazine) -> None:
    fill(magazine)
    magazine.build()
    soup = magazine.html("events/river-fair/index.html")
    item = next(i for i in mf2py.parse(doc=str(soup), url="https://gazette.example.org/events/river-fair/")["items"]
                if "h-event" in i["type"])
    props = item["properties"]
    assert props["name"] == ["River fair"] and props["location"] == ["Quai Saint-Antoine, Lyon"]
    assert props["start"] == ["2026-12-05T10:00:00+0100"] and props["end"] == ["2026-12-05T18:00:00+0100"]  # mf2py normalises
    assert props["organizer"][0]["properties"]["name"] == ["Anna Petrova"]
    ld = json.loads(soup.select_one("script[type='application/ld+json']").string)
    assert ld["@type"] == "Event" and ld["startDate"] == "2026-12-05T10:00:00+01:00"
    assert ld["location"]["name"] == "Quai Saint-Antoine, Lyon" and ld["organizer"][0]["name"] == "Anna Petrova"
    links = {a.get_text(" ", strip=True): a["href"] for a in soup.select(".event-actions a")}
    assert links["Press release: The fair is back"] == "../../city/fair/"
    assert links["Ask for press accreditation"] == "../../events/river-fair/accreditation/"
    assert (magazine.root / "site/events/river-fair/accreditation/index.html").is_file()
    assert soup.select_one("link[hreflang=ru]")["href"].endswith("/ru/events/river-fair/")
    assert not (magazine.root / "site/events/old-concert/accreditation").exists()


def test_front_page_shows_events_within_the_setting(magazine: Magazine) -> None:
    fill(magazine, events={"home_days": 13})  # the fair starts 13 days after NOW
    magazine.build()
    home = magazine.html("index.html")
    assert [a.get_text() for a in home.select(".home-events .event-title a")] == ["River fair"]
    ru = magazine.html("ru/index.html")
    assert [a.get_text() for a in ru.select(".home-events .event-title a")] == ["Речная ярмарка"]
    magazine.settings({**SETTINGS, "events": {"home_days": 12}})
    magazine.build()
    assert magazine.html("index.html").select(".home-events") == []


def test_no_events_still_gives_an_events_page_and_an_empty_calendar(magazine: Magazine) -> None:
    magazine.build()
    soup = magazine.html("events/index.html")
    assert soup.select_one(".empty").get_text() == "No event is planned at the moment."
    cal = Calendar.from_ical((magazine.root / "site/events.ics").read_bytes())
    assert cal.walk("VEVENT") == []


def test_the_sample_festival_has_its_press_release_form_and_calendar(sample: Path, page) -> None:  # type: ignore[no-untyped-def]
    soup = page("events/boat-parade-2027/index.html")
    actions = {a.get_text(" ", strip=True): a["href"] for a in soup.select(".event-actions a")}
    assert actions["Ask for press accreditation"] == "../../events/boat-parade-2027/accreditation/"
    assert any(k.startswith("Press release:") for k in actions)
    form = page("fr/events/boat-parade-2027/accreditation/index.html")
    assert form.html["lang"] == "fr" and form.select_one("form")["action"].endswith("/accreditations")
    assert {i["name"] for i in form.select("form input, form select")} >= {"name", "outlet", "contact", "role", "consent"}
    story = page("city/boat-parade-2027/index.html")
    assert {a["href"] for a in story.select(".story-body a")} == {"../../events/boat-parade-2027/",
                                                                  "../../events/boat-parade-2027/accreditation/"}
    cal = Calendar.from_ical((sample / "fr/events.ics").read_bytes())
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["La parade des bateaux 2027"]
    assert [a.get_text() for a in page("index.html").select(".home-events .event-title a")] == ["The boat parade 2027"]
