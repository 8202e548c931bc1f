"""The board of promises, the author's record and the leaderboard, as built HTML."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from masthead.site.build import build_site

from .conftest import THEME, make_mag

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once: delivered on time and late, released, overdue, due soon, and a free topic."""
    m = make_mag(tmp_path_factory.mktemp("board") / "mag")
    for ident, who, due in (("on-time", "ana", "2026-10-20"), ("late", "ben", "2026-10-20"),
                            ("released", "dan", "2026-10-20"), ("never", "cleo", "2026-10-20"),
                            ("soon", "ana", "2026-11-05")):
        m.topic(ident, f"Topic {ident}")
        m.promise(ident, ident, who, "2026-10-05", due)
    m.topic("free", "A free topic")
    m.write("contributors/promises/released.yml",
            "topic: released\nby: dan\nmade: 2026-10-05\ndue: 2026-10-20\nstatus: released\nclosed: 2026-10-12\n"
            "reason: moving house\n")
    m.topic("given-late", "Given back late")
    m.write("contributors/promises/given-late.yml",
            "topic: given-late\nby: dan\nmade: 2026-10-01\ndue: 2026-10-10\nstatus: released\nclosed: 2026-10-15\n")
    m.commit("2026-10-05T10:00:00+02:00", "promises")
    m.story("city/a.md", "Ana's piece", "ana", "2026-10-19 08:00", promise="on-time")
    m.commit("2026-10-19T10:00:00+02:00")
    m.story("city/b.md", "Ben's piece", "ben", "2026-10-23 08:00", promise="late")
    with open(m.root / "content/city/b.md", "a", encoding="utf-8") as fh:
        fh.write("Many more words, so that Ben would lead on words alone.\n")
    m.commit("2026-10-23T10:00:00+02:00")
    build_site(m.root, site_dir=m.root / "site", now=NOW, progress=False, theme_dir=THEME)
    return m.root / "site"


def page(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path / "index.html").read_text("utf-8"), "html.parser")


def test_open_promises_show_who_what_and_days(site: Path) -> None:
    board = page(site, "board")
    rows = board.select("#board-open ~ .table-wrap tbody tr")
    assert [(r["id"], r["data-state"]) for r in rows] == [("promise-never", "overdue"), ("promise-soon", "due")]
    never = rows[0]
    assert never.th.get_text(" ", strip=True).startswith("Topic never")
    assert never.select_one("td a").get_text() == "Cleo Vance"
    assert never.select_one("time")["datetime"] == "2026-10-20"
    assert never.select_one(".promise-state").get_text() == "12 days overdue"  # plural forms (theme/locale)
    assert rows[1].select_one(".promise-state").get_text() == "4 days left"


def test_delivered_promises_link_their_story(site: Path) -> None:
    rows = page(site, "board").select("#board-delivered ~ .table-wrap tbody tr")
    assert [(r["id"], r.select_one(".promise-state").get_text()) for r in rows] == [
        ("promise-late", "3 days late"), ("promise-on-time", "On time")]
    assert rows[1].select_one("th a")["href"] == "../city/a/"
    assert rows[1].select_one("time")["datetime"] == "2026-10-19"


def test_released_and_free_topics_and_how_to_take_one(site: Path) -> None:
    board = page(site, "board")
    released = board.select("#board-released ~ .promise-list li")
    assert [li["id"] for li in released] == ["promise-given-late", "promise-released"]
    assert "(after its due date, so it counts as missed)" in released[0].get_text()
    assert "moving house" in released[1].q.get_text() and "counts as missed" not in released[1].get_text()
    assert [li["id"] for li in board.select(".topic-list li")] == ["topic-free", "topic-given-late",
                                                                    "topic-released"]
    take = board.select_one("#take-a-topic")
    assert take.select_one("a")["href"] == "../send/"
    assert take.code is None and "masthead" not in take.get_text()  # readers get the form, not a command
    assert len(board.select("#board-rules ~ ul li")) == 3


def test_the_author_page_shows_the_record(site: Path) -> None:
    author = page(site, "authors/ana")
    section = author.select_one(".author-promises")
    facts = {dt.get_text(): dd.get_text() for dt, dd in zip(section.select("dt"), section.select("dd"))}
    assert facts == {"Kept on time": "1", "Delivered late": "0", "Missed": "0", "Open": "1",
                     "Given back in time": "0", "On-time rate": "100%"}
    assert [a["href"] for a in section.select(".promise-list a")] == ["../../board/#promise-soon",
                                                                     "../../board/#promise-on-time"]


def test_the_leaderboard_adds_kept_promises_as_a_tie_breaker(site: Path) -> None:
    board = page(site, "leaderboard")
    table = board.select_one(".board-window table")
    heads = [th.get_text() for th in table.select("thead th")]
    assert heads[-2:] == ["Kept on time", "On-time rate"]
    rows = [[c.get_text(strip=True) for c in tr.select("th, td")] for tr in table.select("tbody tr")]
    # One piece each and Ben has more words, but Ana kept her promise and Ben was late.
    assert [(r[0], r[1], r[-2], r[-1]) for r in rows] == [("1", "Ana Lima", "1", "100%"), ("2", "Ben Ode", "0", "0%")]
    rules = [li.get_text() for li in board.select(".rules li")]
    assert any("promises kept on time minus promises missed" in r for r in rules)


def test_a_story_links_the_promise_it_keeps(site: Path) -> None:
    link = page(site, "city/a").select_one(".story-promise a")
    assert (link["href"], link.get_text()) == ("../../board/#promise-on-time", "Keeps a promise: Topic on-time")


def test_topic_titles_in_the_readers_language_and_no_ids_or_commands(tmp_path: Path) -> None:
    """A Korean story's promise box shows the Korean title; a language without one gets the
    site language's, marked with its lang; the board shows readers no id and no command."""
    from .conftest import MAGAZINE

    m = make_mag(tmp_path / "mag")
    m.write("site_config/magazine.yml", MAGAZINE.replace("language: en\n", "language: en\nlanguages: [en, ko, ru]\n"))
    m.write("site_config/pages/contribute.md", "---\ntitle: How to contribute\nlang: en\n---\nWrite to us.\n")
    m.write("contributors/topics/pansori.yml", "title:\n  en: Pansori at the library\n  ko: 도서관의 판소리\nsection: city\n")
    m.topic("free-one", "A free topic")
    m.promise("pansori", "pansori", "ana", "2026-10-05", "2026-11-20")
    m.commit("2026-10-05T10:00:00+02:00", "promises")
    m.write("content/city/pansori.ko.md", "---\ntitle: 판소리\nauthors: ana\ndate: 2026-10-19 08:00\nsection: city\n"
            "lang: ko\nsummary: 판소리 이야기.\npromise: pansori\n---\n\n도서관에서.\n")
    m.write("content/city/most.ru.md", "---\ntitle: Мост\nauthors: ben\ndate: 2026-10-18 08:00\nsection: city\n"
            "lang: ru\nsummary: О мосте.\n---\n\nСлова.\n")  # the magazine publishes in Russian too
    m.commit("2026-10-19T10:00:00+02:00")
    build_site(m.root, site_dir=m.root / "site", now=NOW, progress=False, theme_dir=THEME)
    site = m.root / "site"
    box = page(site, "ko/city/pansori").select_one(".story-promise")
    assert "도서관의 판소리" in box.get_text() and "Pansori" not in box.get_text()
    assert box.select("[lang]") == []  # in the page's own language: nothing to mark
    ru = page(site, "ru/board")
    [title] = [s for s in ru.select("main [lang]") if "Pansori" in s.get_text()]
    assert (title["lang"], title.get_text()) == ("en", "Pansori at the library")
    assert page(site, "ko/board").select_one("#promise-pansori th").get_text(strip=True).startswith("도서관의 판소리")
    for lang in ("", "ko/", "ru/"):
        board = page(site, lang + "board")
        text = board.select_one("main").get_text()
        assert "masthead " not in text and "free-one" not in text and "pansori" not in text.lower().replace(
            "pansori at the library", "")
        assert not board.select("main code")
        guide = board.select_one(".board-take a[href$='contribute/']")
        assert guide is not None and guide.get_text() == "How to contribute"
        footer = {a["href"].split("/")[-2] for a in board.select(".footer-nav a")}
        assert {"board", "contribute"} <= footer  # the board and the pages: in every footer
