"""The sample magazine shows what reach adds: its newsletter edition on the web, and JSON feeds."""

from __future__ import annotations

import json
import re
import posixpath
from pathlib import Path
from typing import Callable

from bs4 import BeautifulSoup

from .test_feeds import validate_json_feed


def test_the_sample_edition_is_on_the_site(sample: Path, page: Callable[[str], BeautifulSoup]) -> None:
    archive = page("newsletter/index.html")
    assert archive.select_one("h1").get_text() == "Newsletter"
    edition = page("newsletter/2026-11-22/index.html")
    assert edition.select_one("h1.story-title").get_text() == "The river issue"
    assert edition.select_one("html")["lang"] == "en"
    assert "Dear readers," in edition.select_one(".prose").get_text()
    cards = edition.select(".card-list article")
    assert len(cards) == 7
    for soup, path in ((archive, "newsletter/"), (edition, "newsletter/2026-11-22/")):
        text = soup.select_one("main").get_text(" ")
        assert not re.search(r"newsletter\.[a-z_]+", text) and "{%" not in text  # no raw key or template syntax
        for a in soup.select("main a[href]"):
            href = a["href"]
            if "://" in href or href.startswith("#"):
                continue
            target = posixpath.normpath(posixpath.join(path, href.split("#")[0]))
            assert (sample / target / "index.html").is_file() or (sample / target).is_file(), href


def test_the_sample_json_feeds_are_valid(sample: Path) -> None:
    feeds = sorted(sample.rglob("feed.json"))
    assert len(feeds) > 10
    for path in feeds:
        validate_json_feed(json.loads(path.read_text(encoding="utf-8")))
