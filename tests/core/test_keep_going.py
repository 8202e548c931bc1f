"""`masthead build --keep-going`: a real magazine with broken stories publishes the rest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from masthead.domain.problems import ContentError

from ..conftest import Magazine


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "masthead.cli", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def broken(magazine: Magazine) -> Magazine:
    """Good stories, a broken one, stories pointing at it, and a broken contributor."""
    magazine.story("city/good.md", "Fine words.\n", title="Good one")
    magazine.story("city/broken.md", "Lost.\n", title="Broken one", section="nowhere")
    magazine.story("city/broken.ru.md", "Перевод.\n", title="Перевод", lang="ru", translation_of="city/broken.md")
    magazine.story("city/linker.md", "See [the broken one](broken.md).\n", title="Linker")
    magazine.story("city/draft.md", "Not yet.\n", title="A draft", draft=True)
    magazine.story("city/future.md", "Later.\n", title="Future", date="2030-01-01 09:00")
    magazine.write("contributors/zed.yml", "name: Zed\nroles: [author]\njoined: 2025-01-01\nfavourite: tea\n")
    magazine.story("culture/by-zed.md", "Zed's words.\n", title="By Zed", authors=["zed"], section="culture")
    return magazine


def test_keep_going_publishes_the_valid_stories_and_reports_like_check(broken: Magazine) -> None:
    check = cli(broken.root, "check")
    built = cli(broken.root, "build", "--keep-going", "--now", "2026-11-22T12:00:00+00:00")
    assert check.returncode == 1 and built.returncode == 1, built.stderr
    for line in check.stdout.splitlines()[:-1]:  # every line `check` prints, but its summary
        assert line in built.stderr
    assert "content/city/broken.md:6: error: field 'section': unknown section 'nowhere'" in built.stderr
    assert "contributors/zed.yml" in built.stderr and "favourite" in built.stderr
    assert "left out of the site" in built.stderr and "  content/city/broken.md" in built.stderr
    assert "  content/culture/by-zed.md" in built.stderr  # its only author was left out
    site = broken.root / "site"
    assert (site / "city/good/index.html").is_file() and (site / "city/linker/index.html").is_file()
    assert not (site / "city/broken").exists() and not (site / "culture/by-zed").exists()
    assert not (site / "authors/zed").exists()
    # the translation of a left-out story stands alone, with a warning; nothing links to the story
    ru = BeautifulSoup((site / "ru/city/broken/index.html").read_text(), "html.parser")
    assert ru.select_one("article.story") is not None
    assert "content/city/broken.ru.md:" in built.stderr and "a translation of city/broken.md" in built.stderr
    assert "content/city/linker.md:" in built.stderr and "a link to city/broken.md" in built.stderr
    # the publication rule is the same as without --keep-going
    assert not (site / "city/draft").exists() and not (site / "city/future").exists()
    home = (site / "index.html").read_text()
    assert "Good one" in home and "Broken one" not in home and "By Zed" not in home
    feed = (site / "feed.json").read_text() if (site / "feed.json").exists() else ""
    assert "Broken one" not in feed


def test_keep_going_never_claims_up_to_date_while_stories_are_left_out(broken: Magazine) -> None:
    first = cli(broken.root, "build", "--keep-going")
    again = cli(broken.root, "build", "--keep-going")
    assert first.returncode == again.returncode == 1
    assert "up to date" not in again.stdout and "left out of the site" in again.stderr


def test_without_keep_going_nothing_changes(broken: Magazine) -> None:
    """The build still stops on errors and leaves the previous site as it was (atomic)."""
    (broken.root / "content/city/broken.md").unlink()
    (broken.root / "content/city/broken.ru.md").unlink()
    (broken.root / "content/city/linker.md").unlink()
    (broken.root / "content/culture/by-zed.md").unlink()
    (broken.root / "contributors/zed.yml").unlink()
    broken.build()
    before = (broken.root / "site/index.html").read_bytes()
    broken.story("city/broken.md", "Lost.\n", title="Broken one", section="nowhere")
    with pytest.raises(ContentError):
        broken.build()
    assert (broken.root / "site/index.html").read_bytes() == before
    report = broken.build(keep_going=True)
    assert report.left_out == ["content/city/broken.md"]
    assert any(p.path == "content/city/broken.md" and p.field == "section" for p in report.problems)


def test_errors_outside_stories_still_stop_the_build(broken: Magazine) -> None:
    broken.write("site_config/pages/about.md", "---\ntitle: [unclosed\n---\nAbout.\n")
    done = cli(broken.root, "build", "--keep-going")
    assert done.returncode == 1 and "site_config/pages/about.md" in done.stderr
    assert "stopped; the previous site is unchanged" in done.stderr
    assert not (broken.root / "site").exists()


def test_keep_going_on_a_valid_magazine_is_a_plain_build(magazine: Magazine) -> None:
    magazine.story("city/good.md", "Fine.\n")
    done = cli(magazine.root, "build", "--keep-going")
    assert done.returncode == 0, done.stderr
    again = cli(magazine.root, "build", "--keep-going")
    assert again.returncode == 0 and "up to date" in again.stdout


def test_a_left_out_story_delivers_no_promise(magazine: Magazine) -> None:
    magazine.write("contributors/topics/river.yml", "title: The river\nsection: city\n")
    magazine.write("contributors/promises/river-anna.yml", "topic: river\nby: [anna]\nmade: 2026-10-01\n"
                                                          "due: 2026-12-01\n")
    magazine.story("city/good.md", "Fine.\n", title="Good one")
    magazine.story("city/delivery.md", "Here.\n", title="Delivery", promise="river-anna", section="nowhere")
    done = cli(magazine.root, "build", "--keep-going", "--now", "2026-11-22T12:00:00+00:00")
    assert done.returncode == 1 and "  content/city/delivery.md" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    board = BeautifulSoup((magazine.root / "site/board/index.html").read_text(), "html.parser")
    assert "The river" in board.get_text() and "Delivery" not in board.get_text()
    assert not (magazine.root / "site/city/delivery").exists()
