"""Newsletter editions: what an edition carries, its e-mail (parsed with the standard `email`
package after a real SMTP server on 127.0.0.1 received it), and its web version."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from masthead.cli import main

from ..conftest import Magazine
from . import smtp_server
from .conftest import fill
from .smtp_server import PASSWORD, USER, Mailbox

# the server runs on 127.0.0.1 without TLS, so that the test can read what it got
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
NOW = "2026-11-22T12:00:00+00:00"
SUBSCRIBERS = ["ada@readers.example", "bo@readers.example", "cy@readers.example"]
NOTE = """---
title: The bridge issue
---
Dear readers, the bridge is open.

![pixel](https://tracker.example.com/open.gif) <img src="https://tracker.example.com/p.png" alt="">
<script>alert(1)</script>

Links: [see](javascript:alert(1)) and [our masthead](../../masthead/).
"""


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # the server's own log, verbose
    controller = smtp_server.start(box)
    box.port = controller.port  # type: ignore[attr-defined]
    yield box
    controller.stop()


@pytest.fixture
def smtp_env(mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("MASTHEAD_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MASTHEAD_SMTP_PORT", str(mailbox.port))  # type: ignore[attr-defined]
    monkeypatch.setenv("MASTHEAD_SMTP_SECURITY", "none")
    monkeypatch.setenv("MASTHEAD_SMTP_USER", USER)
    monkeypatch.setenv("MASTHEAD_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("MASTHEAD_SMTP_FROM", "Gazette <letters@gazette.example.org>")
    monkeypatch.setenv("MASTHEAD_NEWSLETTER_UNSUBSCRIBE", "https://gazette.example.org/unsubscribe")
    listing = tmp_path / "outside" / "subscribers.txt"
    listing.parent.mkdir()
    listing.write_text("# the list\n" + "\n".join(SUBSCRIBERS) + "\n")
    return listing


def newsletter(magazine: Magazine, *args: str) -> int:
    return main(["--root", str(magazine.root), "-v", "newsletter", "--now", NOW, *args])


def test_an_edition_carries_what_was_published_since_the_last(magazine: Magazine) -> None:
    from masthead.sources.newsletter import load_editions
    from masthead.sources.load import load_settings

    fill(magazine)
    magazine.write("content/newsletter/2026-11-22.md", NOTE)
    assert newsletter(magazine, "--out", str(magazine.root / "out")) == 0
    settings, _ = load_settings(magazine.root)
    (edition,), problems = load_editions(magazine.root, settings)
    assert problems == []
    # English only, published only (not the one dated December), newest first; the note kept
    assert edition.stories == ("culture/choir.md", "city/market.md", "city/bridge.md")
    assert edition.title == "The bridge issue" and edition.note.startswith("Dear readers, the bridge is open.")
    assert edition.made == datetime(2026, 11, 22, 12, tzinfo=timezone.utc)
    magazine.story("city/ferry.md", "A ferry.", title="The ferry", date="2026-11-25 09:00", authors=["ben"])
    magazine.story("city/old.md", "Old news.", title="Old news", date="2026-11-01 09:00", authors=["ben"])
    assert main(["--root", str(magazine.root), "newsletter", "--now", "2026-11-29T12:00:00+00:00",
                 "--out", str(magazine.root / "out")]) == 0
    editions, _ = load_editions(magazine.root, settings)
    assert [e.stories for e in editions][1] == ("city/ferry.md",)  # not the old one: before the last edition
    ru = main(["--root", str(magazine.root), "newsletter", "--lang", "ru", "--now", "2026-11-29T12:00:00+00:00",
               "--out", str(magazine.root / "out")])
    assert ru == 0
    editions, _ = load_editions(magazine.root, settings)
    assert [(e.source, e.stories) for e in editions if e.lang == "ru"] == [
        ("content/newsletter/2026-11-29.ru.md", ("city/bridge.ru.md",))]


def test_since_overrides_the_previous_edition(magazine: Magazine) -> None:
    from masthead.sources.newsletter import load_editions
    from masthead.sources.load import load_settings

    fill(magazine)
    assert newsletter(magazine, "--since", "2026-11-11", "--out", str(magazine.root / "out")) == 0
    (edition,), _ = load_editions(magazine.root, load_settings(magazine.root)[0])
    assert edition.stories == ("culture/choir.md", "city/market.md")


def test_nothing_new_and_no_note_makes_no_edition(magazine: Magazine, capsys: pytest.CaptureFixture[str]) -> None:
    fill(magazine)
    assert newsletter(magazine, "--lang", "fr") == 1
    assert "nothing published in 'fr'" in capsys.readouterr().out
    assert not (magazine.root / "content/newsletter").exists()
    assert newsletter(magazine, "--lang", "xx") == 2


def _sent(magazine: Magazine, smtp_env: Path, caplog: pytest.LogCaptureFixture,
          capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    fill(magazine)
    magazine.write("content/newsletter/2026-11-22.md", NOTE)
    with caplog.at_level(logging.DEBUG):
        code = newsletter(magazine, "--send", "--list", str(smtp_env), "--out", str(magazine.root / "out"))
    captured = capsys.readouterr()
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("masthead"))  # not the server's
    assert "sent to the recipient on line" in ours or code != 0  # masthead's log was captured
    return code, captured.out + captured.err + ours


def test_sending_over_smtp(magazine: Magazine, mailbox: Mailbox, smtp_env: Path, caplog: pytest.LogCaptureFixture,
                           capsys: pytest.CaptureFixture[str]) -> None:
    code, logs = _sent(magazine, smtp_env, caplog, capsys)
    assert code == 0, logs
    assert mailbox.logins == [USER]
    assert sorted(rcpt for rcpts, _ in mailbox.messages for rcpt in rcpts) == SUBSCRIBERS  # one message each
    for rcpts, msg in mailbox.messages:
        check_message(msg, rcpts)
    for secret in [PASSWORD, *SUBSCRIBERS]:
        assert secret not in logs
    assert "sent to 3 of 3 subscriber(s)" in logs


def check_message(msg: EmailMessage, rcpts: list[str]) -> None:
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert msg["To"] == rcpts[0] and len(rcpts) == 1  # nobody sees the others
    assert msg["List-Unsubscribe"] == "<https://gazette.example.org/unsubscribe>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Subject"] == "The Test Gazette · The bridge issue"
    assert msg["List-Id"] == "The Test Gazette <newsletter.gazette.example.org>"
    text = parts[0].get_content()
    assert "Dear readers, the bridge is open." in text and "https://gazette.example.org/city/bridge/" in text
    html = BeautifulSoup(parts[1].get_content(), "html.parser")
    assert html.find("img") is None and html.find("script") is None and html.find("style") is None
    assert html.find("link") is None
    links = [a.get("href", "") for a in html.find_all("a")]
    assert html.find("a", string="see").get("href") is None  # the javascript: link lost its target
    links.remove("")
    assert "https://gazette.example.org/city/bridge/" in links
    assert "https://gazette.example.org/newsletter/2026-11-22/" in links  # the web version
    assert "https://gazette.example.org/masthead/" in links  # the note's relative link made absolute
    for href in links:
        assert urlsplit(href).scheme == "https" and urlsplit(href).hostname == "gazette.example.org", href
    assert "tracker.example.com" not in parts[1].get_content()
    title = html.select_one("h1")
    assert title is not None and title.get_text() == "The bridge issue"
    assert "font-size" in title.get("style", "")  # the CSS is inlined


def test_a_refused_recipient_is_named_by_line_not_address(magazine: Magazine, mailbox: Mailbox, smtp_env: Path,
                                                          caplog: pytest.LogCaptureFixture,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    mailbox.refuse.add("bo@readers.example")
    code, logs = _sent(magazine, smtp_env, caplog, capsys)
    assert code == 1
    assert f"{smtp_env}:3: refused (550)" in logs
    assert sorted(r for rcpts, _ in mailbox.messages for r in rcpts) == ["ada@readers.example", "cy@readers.example"]
    for secret in [PASSWORD, *SUBSCRIBERS]:
        assert secret not in logs


def test_a_wrong_password_is_reported_without_it(magazine: Magazine, mailbox: Mailbox, smtp_env: Path,
                                                 monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MASTHEAD_SMTP_PASSWORD", "wrong-" + PASSWORD)
    code, logs = _sent(magazine, smtp_env, caplog, capsys)
    assert code == 2 and "refused the login of MASTHEAD_SMTP_USER" in logs
    assert PASSWORD not in logs and mailbox.messages == []


def test_the_list_must_live_outside_the_repository(magazine: Magazine, mailbox: Mailbox, smtp_env: Path,
                                                   caplog: pytest.LogCaptureFixture,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    inside = magazine.write("subscribers.txt", "\n".join(SUBSCRIBERS))
    code, logs = _sent(magazine, inside, caplog, capsys)
    assert code == 2 and "inside the repository" in logs and mailbox.messages == []
    for secret in SUBSCRIBERS:
        assert secret not in logs


def test_the_web_version_and_the_archive(magazine: Magazine) -> None:
    fill(magazine)
    magazine.write("content/newsletter/2026-11-22.md", NOTE)
    assert newsletter(magazine, "--out", str(magazine.root / "out")) == 0
    magazine.build()
    site = magazine.root / "site"
    page = BeautifulSoup((site / "newsletter/2026-11-22/index.html").read_text(), "html.parser")
    assert page.select_one("h1").get_text() == "The bridge issue"
    prose = page.select_one(".prose")
    assert "Dear readers, the bridge is open." in prose.get_text()
    assert prose.find("script") is None
    assert all(not a["href"].startswith("javascript:") for a in prose.find_all("a", href=True))
    titles = [a.get_text(strip=True) for a in page.select(".card-list h3 a")]
    assert titles == ["The choir", "Market days", "The new bridge"]
    archive = BeautifulSoup((site / "newsletter/index.html").read_text(), "html.parser")
    assert [a["href"] for a in archive.select("main a[hreflang]")] == ["../newsletter/2026-11-22/"]
    assert "https://gazette.example.org/newsletter/2026-11-22/" in (site / "sitemap.xml").read_text()


def test_a_bad_edition_stops_the_build_with_its_file_and_field(magazine: Magazine) -> None:
    from masthead.domain.problems import ContentError

    fill(magazine)
    magazine.write("content/newsletter/2026-11-22.md", "---\nmade: yesterday\nstories: [city/bridge.md]\n---\nHi\n")
    with pytest.raises(ContentError) as info:
        magazine.build()
    text = str(info.value)
    assert "content/newsletter/2026-11-22.md:2: error: field 'made'" in text and "is not a date" in text
    assert main(["--root", str(magazine.root), "check"]) == 1  # `masthead check` (CI) reports it too
    magazine.write("content/newsletter/22-11-2026.md", "---\n---\n")
    with pytest.raises(ContentError) as info:
        magazine.build()
    assert "22-11-2026.md" in str(info.value) and "YYYY-MM-DD" in str(info.value)
