"""A whole editorial day in a temporary repository, ending in the built site.

Two submissions arrive, the desk shows them, the editor reviews both, accepts one and
declines the other; the site shows the accepted story and not the declined one. A story
dated in the future stays out of every page, feed, the sitemap, tag and author pages until
the build's date reaches it.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

from .editorial_helpers import ADVERT, NIGHT_BREAD, Magazine
from masthead import gitrepo
from masthead.editorial import accept, build_desk, decline, review_branch
from masthead.site.build import build_site

BREAD = "submissions/2026-11-20-night-bread-a1b2"
SHOES = "submissions/2026-11-20-shoes-c3d4"
MORNING = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)
SOLSTICE = "culture/solstice-choir/"


def page(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path / "index.html").read_text(encoding="utf-8"), "html.parser")


def links(site: Path, path: str) -> set[str]:
    """Every site-relative page a page links to (its relative links resolved)."""
    out = set()
    for a in page(site, path).select("a[href]"):
        href = str(a["href"]).split("#")[0]
        if not href or "://" in href or href.startswith(("mailto:", "/")):
            continue
        target = posixpath.normpath(posixpath.join(path or ".", href))
        out.add("" if target == "." else target.rstrip("/") + "/")
    return out


def feed_titles(site: Path, path: str) -> set[str]:
    parsed = feedparser.parse((site / path).read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    return {e.title for e in parsed.entries}


def sitemap(site: Path) -> set[str]:
    root = ET.fromstring((site / "sitemap.xml").read_bytes())
    return {el.text or "" for el in root.iter() if el.tag.endswith("loc")}


def build(magazine: Magazine, site: Path, now: datetime) -> Path:
    build_site(magazine.root, site_dir=site, now=now, progress=False)
    return site


def test_an_editorial_day(magazine: Magazine, tmp_path: Path) -> None:
    # Morning: two submissions arrive as branches.
    magazine.submit(BREAD, NIGHT_BREAD, message="Night bread", author="Lena Fischer")
    magazine.submit(SHOES, ADVERT, message="Shoes", author="Anna Sokolova")

    # The desk shows both, checked, oldest first.
    desk = build_desk(magazine.root, "main", now=MORNING)
    assert [(p.ref, p.status, p.title) for p in desk.pending] == [
        (BREAD, "passes", "Night bread"), (SHOES, "passes", "Cheap shoes on the quay")]
    assert desk.pending[0].authors == ("Lena Fischer",)

    # Review: both pass the check; the bread is Lena's first piece.
    bread, conflicts = review_branch(magazine.root, BREAD, "main", MORNING)
    assert conflicts == [] and bread.passed and bread.authors[0].first_piece
    shoes, _ = review_branch(magazine.root, SHOES, "main", MORNING)
    assert shoes.passed and not shoes.authors[0].first_piece

    # Decisions: accept the bread, decline the shoes.
    done = accept(magazine.root, BREAD, "hannah-reid", "main", MORNING)
    decline(magazine.root, SHOES, "We publish reporting, not adverts.", "hannah-reid", "main")
    assert "Accepted-by: hannah-reid" in magazine.git("show", "-s", "--format=%B", done.commit)
    assert gitrepo.decline_reason(magazine.root, SHOES) == "We publish reporting, not adverts."
    desk = build_desk(magazine.root, "main", now=MORNING)
    assert desk.pending == () and [p.ref for p in desk.declined] == [SHOES]

    # The site of the day: the accepted story is there, the declined one nowhere.
    site = build(magazine, tmp_path / "site", datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc))
    story = page(site, "city/night-bread/")
    assert story.select_one("h1").get_text(strip=True) == "Night bread"
    assert "city/night-bread/" in links(site, "")
    assert "city/night-bread/" in links(site, "authors/lena-fischer/")
    assert "city/night-bread/" in links(site, "tags/bread/")
    assert "Night bread" in feed_titles(site, "rss.xml")
    assert not (site / "city" / "cheap-shoes").exists()
    assert not any("cheap-shoes" in p for p in links(site, "") | links(site, "city/"))
    assert "Cheap shoes on the quay" not in feed_titles(site, "rss.xml") | feed_titles(site, "atom.xml")
    assert not any("cheap-shoes" in loc for loc in sitemap(site))


def test_a_future_story_appears_only_when_the_build_date_reaches_it(magazine: Magazine, tmp_path: Path) -> None:
    # The solstice choir is dated 2026-12-21 18:00 in Europe/Paris, that is 17:00 UTC:
    # a build one minute before must not show it anywhere.
    early = build(magazine, tmp_path / "early", datetime(2026, 12, 21, 16, 59, tzinfo=timezone.utc))
    assert not (early / SOLSTICE / "index.html").exists()
    everywhere = links(early, "") | links(early, "culture/") | links(early, "archive/")
    assert SOLSTICE not in everywhere
    assert not (early / "authors" / "mathieu-roux" / "index.html").exists() or \
        SOLSTICE not in links(early, "authors/mathieu-roux/")
    assert not (early / "tags" / "winter" / "index.html").exists() or SOLSTICE not in links(early, "tags/winter/")
    for feed in ("rss.xml", "atom.xml", "culture/rss.xml", "culture/atom.xml"):
        if (early / feed).exists():
            assert "The solstice choir" not in feed_titles(early, feed), feed
    assert not any("solstice" in loc for loc in sitemap(early))
    assert "solstice" not in (early / "search" / "index.json").read_text(encoding="utf-8").lower()
    assert "authors/mathieu-roux/" not in links(early, "leaderboard/")  # no piece published yet

    on_the_day = build(magazine, tmp_path / "day", datetime(2026, 12, 21, 17, 0, tzinfo=timezone.utc))
    assert page(on_the_day, SOLSTICE).select_one("h1").get_text(strip=True) == "The solstice choir"
    assert SOLSTICE in links(on_the_day, "")
    assert SOLSTICE in links(on_the_day, "authors/mathieu-roux/")
    assert SOLSTICE in links(on_the_day, "tags/winter/")
    assert "The solstice choir" in feed_titles(on_the_day, "rss.xml")
    assert "The solstice choir" in feed_titles(on_the_day, "culture/atom.xml")
    assert any(loc.endswith(SOLSTICE) for loc in sitemap(on_the_day))
    assert "authors/mathieu-roux/" in links(on_the_day, "leaderboard/")


def test_a_preview_shows_the_future_story_under_a_banner(magazine: Magazine, tmp_path: Path) -> None:
    site = tmp_path / "preview"
    build_site(magazine.root, site_dir=site, now=MORNING, preview=True, progress=False)
    story = page(site, SOLSTICE)
    assert story.select_one("h1").get_text(strip=True) == "The solstice choir"
    banner_text = " ".join(el.get_text(" ", strip=True).lower()
                           for el in story.select("[class*=banner], [role=status], [role=note], .unpublished"))
    assert "not published yet" in banner_text


def test_a_form_submission_reaches_the_desk_and_its_receipt_shows_the_decline(magazine: Magazine,
                                                                              tmp_path: Path) -> None:
    """The second way in: the send-text service's local backend makes the branch."""
    delivery = pytest.importorskip("masthead.submissions.delivery",
                                   reason="the send-text service (tools/masthead/submissions) is not here")
    backends = pytest.importorskip("masthead.submissions.backends")
    store_mod = pytest.importorskip("masthead.submissions.store")
    from masthead.domain.submissions import Submission

    store = store_mod.Store(tmp_path / "data")
    received = datetime(2026, 11, 21, 8, 30, tzinfo=timezone.utc)
    store.add("f00dfeed" * 4, Submission(name="Pierre Lambert", title="The lock keeper's cat", section="city",
                                         lang="en", text="The cat has opened the lock every morning for years."),
              received)
    record = store.get("f00dfeed" * 4)
    backend = backends.LocalBackend(magazine.root, "main")
    outcome = delivery.deliver(record, backend, "en", timezone.utc)
    assert magazine.git("status", "--porcelain") == ""

    desk = build_desk(magazine.root, "main", now=MORNING)
    [pending] = desk.pending
    assert (pending.ref, pending.title, pending.status) == (outcome.branch, "The lock keeper\u2019s cat", "passes")  # typeset, as on the site

    decline(magazine.root, outcome.branch, "A lovely cat, but we need the keeper's own words.", "hannah-reid", "main")
    store.mark_delivered(record.id, branch=outcome.branch, story_path=outcome.story_path,
                         site_path=outcome.site_path, commit_sha=outcome.commit)
    # What the author's receipt reads: the backend's view of the branch.
    assert backend.state(store.get(record.id)) == (store_mod.DECLINED,
                                                   "A lovely cat, but we need the keeper's own words.")
