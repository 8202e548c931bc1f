"""`build_site` on tiny magazines: publication rule, preview, sanitising, pagination,
incremental builds identical to clean ones, atomic failure, and the MkDocs plugin."""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import feedparser
import pytest

from masthead.domain.problems import ContentError
from masthead.site.search_index import canonical, is_bundle

from ..conftest import NOW, PNG_1PX


def tree(folder: Path) -> dict[str, bytes]:
    """Every file's bytes; a search bundle as one entry, by content (Pagefind writes a filter's
    values in a random order: masthead/site/search_index.py)."""
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
             if p.is_file() and not is_bundle(p.relative_to(folder).as_posix())}
    for part in sorted((folder / "pagefind").glob("*/*")):  # each shard, and each language's shards.json
        rel = part.relative_to(folder).as_posix()
        files[rel] = repr(canonical(part)).encode() if part.is_dir() else part.read_bytes()
    return files


def test_publication_rule_follows_the_build_date(magazine: Any) -> None:
    magazine.story("city/today.md", title="Today", date="2026-11-22 09:00")
    magazine.story("city/tomorrow.md", title="Tomorrow", date="2026-11-23 09:00", tags=["later"], authors=["ben"])
    magazine.story("city/draft.md", title="Draft", draft=True)
    magazine.build()
    site = magazine.root / "site"
    assert (site / "city/today/index.html").exists()
    assert not (site / "city/tomorrow/index.html").exists() and not (site / "city/draft/index.html").exists()
    assert not (site / "tags/later").exists()
    assert "Tomorrow" not in (site / "rss.xml").read_text() and "Tomorrow" not in (site / "sitemap.xml").read_text()
    assert "Ben Okafor" not in magazine.html("leaderboard/index.html").get_text()  # his only story is not out
    magazine.build(now=datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))  # 10:00 in Paris: it is out
    assert (site / "city/tomorrow/index.html").exists() and (site / "tags/later/index.html").exists()
    entries = feedparser.parse((site / "atom.xml").read_bytes()).entries
    assert entries[0].title == "Tomorrow"
    assert "Ben Okafor" in magazine.html("leaderboard/index.html").get_text()


def test_naive_dates_are_in_the_site_time_zone(magazine: Any) -> None:
    magazine.story("city/early.md", title="Early", date="2026-11-22 12:30")  # 11:30 UTC
    magazine.build(now=datetime(2026, 11, 22, 11, 0, tzinfo=timezone.utc))
    assert not (magazine.root / "site/city/early/index.html").exists()
    magazine.build(now=datetime(2026, 11, 22, 11, 31, tzinfo=timezone.utc))
    assert (magazine.root / "site/city/early/index.html").exists()


def test_preview_shows_unpublished_under_a_banner(magazine: Any) -> None:
    magazine.story("city/draft.md", title="Draft", draft=True)
    magazine.story("city/out.md", title="Out")
    magazine.build(preview=True, site_dir=magazine.root / "preview")
    doc = magazine.html("city/draft/index.html", site="preview")
    banner = doc.select_one("main [role=status]")
    assert banner is not None and "Not published yet" in banner.get_text()
    assert doc.find("meta", attrs={"name": "robots"})["content"].startswith("noindex")
    feed = feedparser.parse((magazine.root / "preview/rss.xml").read_bytes())  # previews have feeds, without drafts
    assert not feed.bozo and feed.feed.title
    assert [e.title for e in feed.entries] == ["Out"]


def test_raw_html_is_sanitised_unless_trusted(magazine: Any) -> None:
    body = ('<script>alert(1)</script>\n\n<img src="x.png" onerror="alert(2)">\n\n'
            '[click](javascript:alert(3)) <a href="javascript:alert(4)">x</a>\n')
    magazine.write("content/city/x.png", PNG_1PX)
    magazine.story("city/evil.md", body=body)
    magazine.build()
    html = (magazine.root / "site/city/evil/index.html").read_text()
    story = html[html.index("story-body"):]
    assert "<script>alert" not in story and "onerror" not in story and "javascript:" not in story
    rss = (magazine.root / "site/rss.xml").read_text()
    assert "onerror" not in rss and "javascript:" not in rss


def test_trusted_raw_html_is_kept(magazine: Any) -> None:
    from tests.conftest import SETTINGS

    magazine.settings(dict(SETTINGS, trust_raw_html=True))
    magazine.story("city/embed.md", body='<div class="chart" data-x="1">chart</div>\n')
    magazine.build()
    assert magazine.html("city/embed/index.html").select_one(".story-body div.chart[data-x]") is not None


def test_lists_paginate(magazine: Any) -> None:
    for n in range(5):
        magazine.story(f"city/s{n}.md", title=f"Story {n}", date=f"2026-11-0{n + 1} 09:00")
    magazine.build()
    site = magazine.root / "site"
    assert (site / "city/page/3/index.html").exists() and not (site / "city/page/4").exists()
    first = [a.get_text(strip=True) for a in magazine.html("city/index.html").select("main article h2 a")]
    assert first == ["Story 4", "Story 3"]
    last = magazine.html("city/page/3/index.html")
    assert [a.get_text(strip=True) for a in last.select("main article h2 a")] == ["Story 0"]
    assert last.find("link", rel="canonical")["href"].endswith("/city/page/3/")


def test_incremental_build_equals_a_clean_build(magazine: Any, tmp_path: Path) -> None:
    for n in range(6):
        magazine.story(f"city/s{n}.md", title=f"Story {n}", date=f"2026-11-0{n + 1} 09:00", tags=["t"])
    magazine.build()
    magazine.story("city/s2.md", title="Story two, corrected", date="2026-11-03 09:00", tags=["t", "u"])
    magazine.story("culture/new.md", title="New one", date="2026-11-20 09:00", section="culture")
    (magazine.root / "content/city/s0.md").unlink()
    report = magazine.build()
    assert 0 < report.rendered < report.files
    magazine.build(site_dir=tmp_path / "clean", clean=False)
    incremental, clean = tree(magazine.root / "site"), tree(tmp_path / "clean")
    assert sorted(incremental) == sorted(clean)
    assert [k for k in incremental if incremental[k] != clean[k]] == []


def test_nothing_changed_means_nothing_written(magazine: Any) -> None:
    magazine.story("city/a.md")
    magazine.build()
    again = magazine.build()
    assert again.fresh and again.rendered == 0


def test_failed_build_leaves_the_site_as_it_was(magazine: Any) -> None:
    magazine.story("city/a.md", title="First")
    magazine.build()
    before = tree(magazine.root / "site")
    magazine.story("city/b.md", authors=["nobody"])
    with pytest.raises(ContentError) as err:
        magazine.build()
    assert "unknown contributor 'nobody'" in str(err.value)
    assert tree(magazine.root / "site") == before


def test_a_crash_while_rendering_keeps_the_old_site(magazine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    magazine.story("city/a.md", title="First")
    magazine.build()
    before = tree(magazine.root / "site")
    magazine.story("city/a.md", title="Second")
    from masthead.site import render

    def broken(self: Any, template: str, context: dict[str, Any]) -> str:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(render.Theme, "render", broken)
    monkeypatch.setenv("MASTHEAD_WORKERS", "1")
    with pytest.raises(ContentError, match="disk on fire"):
        magazine.build()
    assert tree(magazine.root / "site") == before
    monkeypatch.undo()
    magazine.build()
    assert "Second" in (magazine.root / "site/city/a/index.html").read_text()


def test_images_next_to_a_story_are_copied(magazine: Any) -> None:
    magazine.write("content/city/pic.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
    magazine.story("city/pics.md", body="![A drawing](pic.svg)\n", cover="pic.svg", cover_alt="A drawing")
    magazine.build()
    assert (magazine.root / "site/city/pics/pic.svg").exists()
    doc = magazine.html("city/pics/index.html")
    # shared pages show the story's social card, drawn from its cover (docs/images.md)
    assert doc.find("meta", property="og:image")["content"] == "https://gazette.example.org/city/pics/social-card.jpg"
    assert (magazine.root / "site/city/pics/social-card.jpg").exists()


def test_mkdocs_build_runs_the_whole_pipeline(magazine: Any) -> None:
    magazine.story("city/a.md", title="Through MkDocs", date=(NOW - timedelta(days=400)).strftime("%Y-%m-%d"))
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", "site_config/mkdocs.yml",
                           "-d", str(magazine.root / "out")], cwd=magazine.root, capture_output=True, text=True,
                          env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    assert done.returncode == 0, done.stderr
    assert "Through MkDocs" in (magazine.root / "out/city/a/index.html").read_text()
    assert (magazine.root / "out/sitemap.xml").exists() and not (magazine.root / "out/sitemap.xml.gz").exists()
    assert (magazine.root / "out/pagefind/en/shards.json").read_text() == '{"shards": ["0/"]}'  # search too
    assert (magazine.root / "out/pagefind/en/0/pagefind.js").exists()


def test_mkdocs_build_reports_content_errors(magazine: Any) -> None:
    magazine.story("city/a.md", authors=["nobody"])
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", "site_config/mkdocs.yml"],
                          cwd=magazine.root, capture_output=True, text=True)
    assert done.returncode != 0 and "unknown contributor 'nobody'" in done.stderr


def test_cli_build_prints_a_summary(magazine: Any) -> None:
    magazine.story("city/a.md")
    done = subprocess.run([sys.executable, "-m", "masthead.cli", "--root", str(magazine.root), "build",
                           "--now", "2026-11-22"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "pages" in done.stdout and "feeds" in done.stdout
    assert filecmp.cmp(magazine.root / "site/assets/site.css", magazine.root / "theme/assets/site.css", shallow=False)
