"""JSON Feed beside RSS and Atom, for every feed; the WebSub hub advertised in all three."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import jsonschema
import pytest
from bs4 import BeautifulSoup

from ..conftest import SETTINGS, Magazine
from .conftest import fill

SCHEMA = json.loads((Path(__file__).with_name("jsonfeed-1.1.schema.json")).read_text())
BASE = "https://gazette.example.org/"
HUB = "https://hub.example.net/websub"
LISTS = ["", "en/", "city/", "culture/", "ru/", "authors/anna/", "authors/ben/", "tags/river/", "tags/music/",
         "tags/bridges/"]
# The site's own language lives at the root (docs/theme.md, "Addresses"): en/ holds its language
# feeds but no page, so every list but that one is a page advertising its feeds.
PAGES = [p for p in LISTS if p != "en/"]

FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("uri")
def _uri(value: object) -> bool:
    return isinstance(value, str) and urlsplit(value).scheme in ("http", "https") and bool(urlsplit(value).netloc)


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    return isinstance(value, str) and "T" in value and datetime.fromisoformat(value).tzinfo is not None


def validate_json_feed(data: Any) -> None:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=FORMATS).validate(data)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once for the read-only checks of this module."""
    magazine = Magazine(tmp_path_factory.mktemp("feeds") / "mag")
    fill(magazine, hub=HUB)
    magazine.build()
    return magazine.root / "site"


def test_the_schema_rejects_what_the_spec_forbids() -> None:
    """The test's own schema must be able to fail: an item without content, a bad date, a wrong version."""
    good = {"version": "https://jsonfeed.org/version/1.1", "title": "t",
            "items": [{"id": "1", "content_text": "x", "date_published": "2026-11-10T09:00:00+01:00"}]}
    validate_json_feed(good)
    for bad in ({**good, "version": "https://jsonfeed.org/version/1"},
                {**good, "items": [{"id": "1"}]},
                {**good, "items": [{"id": "1", "content_text": "x", "date_published": "10 Nov 2026"}]},
                {**good, "hubs": [{"type": "WebSub"}]},
                {**good, "items": [{"id": "1", "content_text": "x", "author": {"name": "old 1.0 field"}}]}):
        with pytest.raises(jsonschema.ValidationError):
            validate_json_feed(bad)


def test_every_feed_comes_in_three_formats_that_agree(built: Path) -> None:
    for path in LISTS:
        rss = feedparser.parse((built / path / "rss.xml").read_bytes())
        atom = feedparser.parse((built / path / "atom.xml").read_bytes())
        data = json.loads((built / path / "feed.json").read_text(encoding="utf-8"))
        assert not rss.bozo and not atom.bozo, path
        validate_json_feed(data)
        assert data["feed_url"] == f"{BASE}{path}feed.json" and data["home_page_url"] == f"{BASE}{path}"
        ids = [i["id"] for i in data["items"]]
        assert ids == [e.id for e in atom.entries] == [e.id for e in rss.entries], path
        assert [i["title"] for i in data["items"]] == [e.title for e in atom.entries]
        assert "Not yet" not in [i["title"] for i in data["items"]]


def test_the_lists_hold_the_right_stories(built: Path) -> None:
    def titles(path: str) -> list[str]:
        return [i["title"] for i in json.loads((built / path / "feed.json").read_text())["items"]]

    assert titles("tags/river/") == ["Market days", "Новый мост", "The new bridge"]
    assert titles("tags/music/") == ["The choir"]
    assert titles("authors/ben/") == ["The choir", "Market days"]
    assert titles("ru/") == ["Новый мост"]
    entry = json.loads((built / "feed.json").read_text())["items"][0]
    assert entry["authors"] == [{"name": "Anna Petrova", "url": f"{BASE}authors/anna/"},
                                {"name": "Ben Okafor", "url": f"{BASE}authors/ben/"}]
    assert entry["tags"] == ["music"] and entry["language"] == "en"
    assert entry["date_published"] == "2026-11-14T09:00:00+01:00"


def test_json_feed_content_is_the_sanitised_html_of_the_other_feeds(built: Path) -> None:
    data = json.loads((built / "city/feed.json").read_text())
    bridge = next(i for i in data["items"] if i["title"] == "The new bridge")
    atom = feedparser.parse((built / "city/atom.xml").read_bytes())
    atom_bridge = next(e for e in atom.entries if e.title == "The new bridge")
    body = BeautifulSoup(bridge["content_html"], "html.parser")
    assert body.find("script") is None
    assert "The bridge opened." in body.get_text()
    for a in body.find_all("a"):
        assert not a.get("href", "").lower().startswith("javascript:") and not a.has_attr("onclick")
    assert body.find("a", string="this")["href"] == f"{BASE}city/bridge/x"  # made absolute, like the others
    assert bridge["content_html"].strip() == atom_bridge.content[0].value  # feedparser trims the last newline


def test_summary_feeds_carry_text_only(magazine: Magazine) -> None:
    fill(magazine)
    magazine.settings({**SETTINGS, "feed_content": "summary"})
    magazine.build()
    data = json.loads((magazine.root / "site/feed.json").read_text())
    validate_json_feed(data)
    assert all("content_html" not in i and i["content_text"] == "What it is about." for i in data["items"])


def test_the_hub_is_advertised_in_every_feed(built: Path) -> None:
    for path in LISTS:
        for name in ("rss.xml", "atom.xml"):
            parsed = feedparser.parse((built / path / name).read_bytes())
            rels = {link.rel: link.href for link in parsed.feed.links}
            assert rels.get("hub") == HUB, (path, name)
            assert rels.get("self") == f"{BASE}{path}{name}"
        assert feedparser.parse((built / path / "rss.xml").read_bytes()).feed.link == f"{BASE}{path}"
        data = json.loads((built / path / "feed.json").read_text())
        assert data["hubs"] == [{"type": "WebSub", "url": HUB}]


def test_no_hub_by_default(magazine: Magazine) -> None:
    fill(magazine)
    magazine.build()
    site = magazine.root / "site"
    for name in ("rss.xml", "atom.xml"):
        assert "hub" not in {link.rel for link in feedparser.parse((site / name).read_bytes()).feed.links}
    assert "hubs" not in json.loads((site / "feed.json").read_text())


def test_a_bad_hub_setting_names_the_field(magazine: Magazine) -> None:
    from masthead.cli import main

    fill(magazine, hub="ftp://hub.example.net/")
    assert main(["--root", str(magazine.root), "check"]) == 1


@pytest.mark.parametrize("path", PAGES)
def test_pages_advertise_their_json_feed(built: Path, path: str) -> None:
    html = BeautifulSoup((built / path / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = {link["type"]: link["href"] for link in html.select('head link[rel="alternate"][type]')}  # not hreflang
    assert links["application/feed+json"] == f"{BASE}{path}feed.json"
    assert links["application/rss+xml"] == f"{BASE}{path}rss.xml"
    footer = html.select_one("footer .feeds") or html.select_one(".feeds")
    labels = [a.select_one(".feed-kind").get_text() for a in footer.select("a")]
    assert "JSON Feed" in labels


def test_story_pages_advertise_their_sections_json_feed(built: Path) -> None:
    html = BeautifulSoup((built / "city/bridge/index.html").read_text(encoding="utf-8"), "html.parser")
    assert html.select_one('head link[rel="alternate"][type="application/feed+json"]')["href"] == f"{BASE}city/feed.json"


def test_the_feed_record_lists_every_feed(built: Path) -> None:
    record = json.loads((built / "feeds/digests.json").read_text())
    assert record["hub"] == HUB
    expected = {f"{BASE}{path}{name}" for path in LISTS for name in ("rss.xml", "atom.xml", "feed.json")}
    assert set(record["feeds"]) == expected
    assert set(record["feeds"]) == {f"{BASE}{p.relative_to(built).as_posix()}" for p in built.rglob("*")
                                    if p.name in ("rss.xml", "atom.xml", "feed.json")}


def test_only_the_site_section_and_language_feeds_carry_bodies(built: Path) -> None:
    """An author's or a tag's feed lists stories the other feeds carry in full: it carries
    summaries (they were nine tenths of a magazine's bytes with bodies; docs/reach.md)."""
    def items(path: str) -> list[dict[str, str]]:
        return list(json.loads((built / path / "feed.json").read_text())["items"])

    for path in ("", "city/", "ru/"):
        assert all("content_html" in i for i in items(path)), path
    for path in ("authors/ben/", "tags/river/"):
        shown = items(path)
        assert shown and all("content_html" not in i and i["content_text"] == i["summary"] for i in shown), path
        atom = feedparser.parse((built / path / "atom.xml").read_bytes())
        assert all(not e.get("content") for e in atom.entries), path
