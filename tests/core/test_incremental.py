"""Incremental builds: the plan memo, the record cache, the card cache and the manifest of the
published site must never make a rebuild differ from a clean build of the same tree (issues 6
and 10): edits to the magazine, to masthead's code, to library versions, to `--now`, to the
published files, to Git history, and to the build state itself."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

import pytest

from masthead import state
from masthead.sources import record_cache, records
from masthead.sources.load import load_settings
from masthead.sources.resolve import resolution_key
from masthead.site import build as build_module, cards
from masthead.site.freshness import records_of

from ..conftest import NOW, SETTINGS, Magazine
from .test_build import tree

BODY = "First paragraph.\n\nSee [the other one](../culture/c1.md).\n"


def fill(magazine: Magazine) -> None:
    """Enough stories for several pages per list, tags, places, translations and links."""
    for n in range(12):
        magazine.story(f"city/s{n}.md", body=BODY if n % 3 == 0 else "Plain words.", title=f"City story {n}",
                       date=f"2026-10-{n + 10:02d} 09:00", tags=["river", f"t{n % 3}"], places=["Lyon"],
                       authors=["anna"] if n % 2 else ["ben"])
    for n in range(4):
        magazine.story(f"culture/c{n}.md", title=f"Culture {n}", date=f"2026-09-{n + 10:02d} 09:00",
                       section="culture", tags=["river"], authors=["ben"])
    magazine.story("city/s0.fr.md", title="Histoire zéro", date="2026-10-10 10:00", lang="fr",
                   translation_of="city/s0.md")
    magazine.story("city/later.md", title="Not yet", date="2026-12-01 09:00", tags=["river"])


def reference(magazine: Magazine, tmp_path: Path, **kwargs: Any) -> dict[str, bytes]:
    """A clean build of a copy of the same tree: no caches, no memo, no earlier site."""
    copy = tmp_path / f"ref-{len(list(tmp_path.iterdir()))}"
    # its own build state (another path); the site and the staging tree beside it are outputs
    shutil.copytree(magazine.root, copy, ignore=shutil.ignore_patterns("site", ".site.masthead-stage"))
    from masthead.site.build import build_site

    kwargs.setdefault("now", NOW)
    build_site(copy, progress=False, **kwargs)
    return tree(copy / "site")


def same_as_clean(magazine: Magazine, tmp_path: Path, **kwargs: Any) -> Any:
    report = magazine.build(**kwargs)
    built, clean = tree(magazine.root / "site"), reference(magazine, tmp_path, **kwargs)
    assert sorted(built) == sorted(clean)
    assert [path for path in built if built[path] != clean[path]] == []
    return report


EDITS: list[tuple[str, Callable[[Magazine], None]]] = [
    ("body edited", lambda m: m.story("city/s4.md", body="New words, longer ones.", title="City story 4",
                                       date="2026-10-14 09:00", tags=["river", "t1"], places=["Lyon"])),
    ("title of a related story", lambda m: m.story("culture/c1.md", title="Culture one, renamed",
                                                   date="2026-09-11 09:00", section="culture", tags=["river"],
                                                   authors=["ben"])),
    ("tags changed", lambda m: m.story("city/s7.md", title="City story 7", date="2026-10-17 09:00",
                                       tags=["bridges"], places=["Lyon"], authors=["anna"])),
    ("author renamed", lambda m: m.person("ben", {"name": "Ben O. Okafor", "roles": ["author"],
                                                  "joined": "2025-03-01"})),
    ("story added on top", lambda m: m.story("city/new.md", title="Newest", date="2026-11-20 09:00",
                                             tags=["river", "t0"], places=["Lyon"])),
    ("story removed", lambda m: (m.root / "content/city/s2.md").unlink()),
    ("link target unpublished", lambda m: m.story("culture/c1.md", title="Culture one, later",
                                                  date="2026-12-15 09:00", section="culture", tags=["river"],
                                                  authors=["ben"])),
    ("link removed", lambda m: m.story("city/s3.md", body="No link now.", title="City story 3",
                                       date="2026-10-13 09:00", tags=["river", "t0"], places=["Lyon"])),
    ("translation added", lambda m: m.story("city/s3.ru.md", title="Третья история", date="2026-10-13 11:00",
                                            lang="ru", translation_of="city/s3.md")),
    ("settings changed", lambda m: m.settings({**SETTINGS, "per_page": 3, "tagline": {"en": "New tagline"}})),
    ("time zone changed", lambda m: m.settings({**SETTINGS, "per_page": 3, "timezone": "Asia/Seoul"})),
    ("page added", lambda m: m.write("site_config/pages/about.md", "---\ntitle: About us\n---\n\nWho we are.\n")),
    ("contributor added", lambda m: m.person("cleo", {"name": "Cleo Marsh", "roles": ["author"],
                                                    "joined": "2026-01-05"})),
    ("catalog edited", lambda m: m.write("theme/locale/en/LC_MESSAGES/messages.po",  # kept compiled in the state
                                         (m.root / "theme/locale/en/LC_MESSAGES/messages.po").read_text()
                                         .replace('msgid "nav.archive"\nmsgstr "Archive"',
                                                  'msgid "nav.archive"\nmsgstr "Back issues"', 1))),
    ("template changed", lambda m: m.write("theme/templates/partials/card.html",
                                           (m.root / "theme/templates/partials/card.html").read_text()
                                           .replace("</article>", "<!-- edited --></article>", 1))),
]


def test_every_kind_of_edit_rebuilds_as_a_clean_build_would(magazine: Magazine, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASTHEAD_WORKERS", "2")  # edited stories are parsed by a worker while the cache is read
    fill(magazine)
    first = magazine.build()
    assert first.kept == 0
    for what, edit in EDITS:
        edit(magazine)
        report = same_as_clean(magazine, tmp_path)
        assert report.rendered > 0, what


def test_unchanged_parts_are_not_planned_again(magazine: Magazine, tmp_path: Path) -> None:
    fill(magazine)
    magazine.build()
    EDITS[0][1](magazine)
    report = same_as_clean(magazine, tmp_path)
    assert report.kept >= 10  # most story pages were taken over from the memo (lists here hold every story)
    assert 0 < report.rendered < report.files // 2


def test_time_passing_publishes_a_scheduled_story(magazine: Magazine, tmp_path: Path) -> None:
    fill(magazine)
    magazine.build()
    later = NOW + timedelta(days=10)  # city/later.md is due on 1 December
    same_as_clean(magazine, tmp_path, now=later)
    assert (magazine.root / "site/city/later/index.html").is_file()


def plan_rows(magazine: Magazine) -> list[tuple[str, str, str]]:
    db = sqlite3.connect(state.for_root(magazine.root).folder / state.DB)
    rows = db.execute("SELECT tab, key, value FROM rows WHERE tab LIKE 'plan:%'").fetchall()
    db.close()
    return rows


def test_a_memo_out_of_step_with_the_site_is_not_trusted(magazine: Magazine, tmp_path: Path) -> None:
    fill(magazine)
    magazine.build()
    old = plan_rows(magazine)
    assert old
    EDITS[1][1](magazine)
    magazine.build()
    db = sqlite3.connect(state.for_root(magazine.root).folder / state.DB)
    with db:  # as if the build had stopped before saving its memo
        db.execute("DELETE FROM rows WHERE tab LIKE 'plan:%'")
        db.executemany("INSERT INTO rows VALUES (?, ?, ?)", old)
    db.close()
    magazine.story("culture/c1.md", title="Culture 1", date="2026-09-11 09:00", section="culture",
                   tags=["river"], authors=["ben"])  # the edit undone: the old memo's inputs again
    same_as_clean(magazine, tmp_path)


def test_cards_kept_between_builds_are_only_reused_when_current(magazine: Magazine, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "CARDS_FROM", 0)  # every build renders cards ahead and keeps them
    monkeypatch.setattr(cards, "PARALLEL_FROM", 0)  # in a pool of workers, as large builds do
    monkeypatch.setenv("MASTHEAD_WORKERS", "2")
    fill(magazine)
    magazine.build()
    theme = build_module.Theme(magazine.root / "theme")
    cards.load(theme, magazine.root)
    assert theme.cards  # kept in the build state
    assert not (records_of(magazine.root, magazine.root / "site") / cards.PACK).exists()  # during a build only
    for _, edit in (EDITS[1], EDITS[3], EDITS[-1]):  # a card's story, an author's name, the card template
        edit(magazine)
        same_as_clean(magazine, tmp_path)


def test_the_record_cache_keeps_records_resolved_per_settings(magazine: Magazine, tmp_path: Path) -> None:
    fill(magazine)
    magazine.build()
    EDITS[0][1](magazine)
    same_as_clean(magazine, tmp_path)
    settings, _ = load_settings(magazine.root)
    assert settings is not None
    cache = record_cache.RecordCache.open(magazine.root, resolution_key(settings))
    assert "New words" not in repr(cache.entries)  # records hold what the body says of itself, not the body
    record = cache.entries["content/city/s4.md"][1]
    assert record.words == 4 and record.story.title == "City story 4"  # kept resolved
    assert record_cache.RecordCache.open(magazine.root, "other settings").entries == {}


def test_the_build_state_is_outside_the_work_tree(magazine: Magazine) -> None:
    fill(magazine)
    magazine.build()
    folder = state.for_root(magazine.root).folder
    assert (folder / state.DB).is_file() and magazine.root not in folder.parents
    inside = sorted(p.relative_to(magazine.root).as_posix() for p in magazine.root.iterdir())
    assert inside == ["content", "contributors", "site", "site_config", "theme"]  # nothing else in the tree
    magazine.story("city/s1.md", title="Again")
    magazine.build()  # the tree replaced is kept beside the site, to be the next build's staging tree
    assert (magazine.root / ".site.masthead-stage/.masthead-site").is_file()
    assert not [p for p in (magazine.root / ".site.masthead-stage").rglob("*.json") if "manifest" in p.name]


# --- changes that are not edits of the magazine (issue 10) ---------------------------------

def test_a_change_of_masthead_code_rebuilds_what_it_changes(magazine: Magazine, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Word counting changes (a new masthead): records and pages made by the old code go."""
    monkeypatch.setenv("MASTHEAD_WORKERS", "1")
    fill(magazine)
    magazine.build()
    counted = records.count_words
    monkeypatch.setattr(records, "count_words", lambda text: counted(text) + 100)
    monkeypatch.setattr(state, "code_digest", lambda: "the next version of masthead")
    report = same_as_clean(magazine, tmp_path)
    assert report.rendered > 0 and report.kept == 0
    assert '"wordCount":102' in (magazine.root / "site/city/s1/index.html").read_text()


def test_a_new_library_version_rebuilds_everything(magazine: Magazine, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    fill(magazine)
    magazine.build()
    versions = dict(state.library_versions())
    monkeypatch.setattr(state, "library_versions", lambda: tuple({**versions, "nh3": "99.0"}.items()))
    report = same_as_clean(magazine, tmp_path)
    assert not report.fresh and report.kept == 0  # nothing planned by the old libraries is taken over


def test_moving_now_forward_and_back(magazine: Magazine, tmp_path: Path) -> None:
    fill(magazine)
    magazine.build()
    story = magazine.root / "site/city/later/index.html"
    same_as_clean(magazine, tmp_path, now=NOW + timedelta(days=60))
    assert story.is_file()
    report = same_as_clean(magazine, tmp_path, now=NOW)  # back: the embargoed story goes again
    assert not report.fresh and not story.exists()
    same_as_clean(magazine, tmp_path, now=NOW + timedelta(hours=1))


def test_deleted_and_edited_output_files_are_made_again(magazine: Magazine, tmp_path: Path) -> None:
    fill(magazine)
    magazine.build()
    site = magazine.root / "site"
    (site / "city/s1/index.html").unlink()
    (site / "index.html").write_text("defaced")
    feed = site / "rss.xml"
    os.utime(feed, ns=(1, 1))  # touched, not changed: stays
    (site / "stray.html").write_text("left by hand")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("not the site's")
    (site / "city/link").symlink_to(elsewhere)
    report = same_as_clean(magazine, tmp_path)  # the stray file and link are gone too
    assert report.rendered == 2
    magazine.story("city/s5.md", body="Plain words, fixed.", title="City story 5", date="2026-10-15 09:00",
                   tags=["river", "t2"], places=["Lyon"], authors=["anna"])
    same_as_clean(magazine, tmp_path)  # now built in the tree that held them: still gone
    assert (elsewhere / "keep.txt").is_file()  # a link was removed, not followed
    again = magazine.build()
    assert again.fresh


def test_a_folder_of_the_site_replaced_by_a_link_is_never_written_through(magazine: Magazine, tmp_path: Path) -> None:
    """The published tree becomes the staging tree of the build after next: a folder of it
    replaced by a link to elsewhere makes the build start a new staging tree instead."""
    fill(magazine)
    magazine.build()
    magazine.story("city/s5.md", body="Plain words, once.", title="City story 5", date="2026-10-15 09:00",
                   tags=["river", "t2"], places=["Lyon"], authors=["anna"])
    magazine.build()  # the first build's tree is the staging tree now; the site is the second's
    site = magazine.root / "site"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "index.html").write_text("not the site's")
    shutil.rmtree(site / "culture")
    (site / "culture").symlink_to(elsewhere)
    magazine.story("city/s5.md", body="Plain words, twice.", title="City story 5", date="2026-10-15 09:00",
                   tags=["river", "t2"], places=["Lyon"], authors=["anna"])
    same_as_clean(magazine, tmp_path)  # into the first build's tree
    magazine.story("city/s5.md", body="Plain words, three times.", title="City story 5", date="2026-10-15 09:00",
                   tags=["river", "t2"], places=["Lyon"], authors=["anna"])
    same_as_clean(magazine, tmp_path)  # into the tree holding the link
    assert sorted(p.name for p in elsewhere.iterdir()) == ["index.html"]
    assert (elsewhere / "index.html").read_text() == "not the site's"
    assert not (site / "culture").is_symlink()


def test_a_tampered_build_state_is_ignored_and_rebuilt(magazine: Magazine, tmp_path: Path,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    fill(magazine)
    magazine.build()
    folder = state.for_root(magazine.root).folder
    db = sqlite3.connect(folder / state.DB)
    with db:
        db.execute("UPDATE rows SET value = ? WHERE tab = 'records'",
                   ('{"c":["os:system",{"command":"touch owned"}]}',))
        db.execute("UPDATE rows SET value = 'not json' WHERE tab = 'config'")
    db.close()
    EDITS[0][1](magazine)
    with caplog.at_level("WARNING", logger="masthead.state"):
        same_as_clean(magazine, tmp_path)
    assert "ignoring the build state" in caplog.text
    assert not (magazine.root / "owned").exists()
    state.close_all()
    (folder / state.DB).write_bytes(b"this is not a database" * 100)  # the whole file broken
    for name in ("-wal", "-shm"):
        Path(str(folder / state.DB) + name).unlink(missing_ok=True)
    EDITS[2][1](magazine)
    same_as_clean(magazine, tmp_path)
    for manifest in (folder / "sites").glob("*/manifest-*.json"):
        manifest.write_text("{broken")
    EDITS[1][1](magazine)
    same_as_clean(magazine, tmp_path)


def test_a_promise_delivered_in_git_history_shows_on_the_next_build(tmp_path: Path) -> None:
    """Committing a story changes no file of the tree, but the board reads history."""
    from tests.promises.conftest import THEME, make_mag, story

    m = make_mag(tmp_path / "mag")
    shutil.copytree(THEME, m.root / "theme")
    m.write(".gitignore", "site/\n")
    m.topic("bridges", "Bridges")
    m.promise("bridges", "bridges", "ana", "2026-10-05", "2026-10-20")
    m.commit("2026-10-05T10:00:00+02:00", "promise")
    m.story("city/a.md", "Bridges at night", "[ana]", "2026-10-19 08:00", promise="bridges")
    now = NOW.replace(year=2026, month=10, day=25)
    from masthead.site.build import build_site

    build_site(m.root, now=now, progress=False)
    before = tree(m.root / "site")
    m.commit("2026-10-19T18:00:00+02:00", "the story")  # delivered on time, by history
    report = build_site(m.root, now=now, progress=False)
    assert not report.fresh
    after = tree(m.root / "site")
    assert before["board/index.html"] != after["board/index.html"]
    copy = tmp_path / "clean"
    shutil.copytree(m.root, copy, ignore=shutil.ignore_patterns("site", ".site.masthead-stage"))
    build_site(copy, now=now, progress=False)
    assert after == tree(copy / "site")


def build_elsewhere(magazine: Magazine, days: int) -> bool:
    """Build in a fresh process `days` after NOW; whether it imported pydantic (the schemas)."""
    now = NOW + timedelta(days=days)
    code = ("import sys; from datetime import datetime; from pathlib import Path; "
            "from masthead.site.build import build_site; "
            f"build_site(Path({str(magazine.root)!r}), now=datetime.fromisoformat({now.isoformat()!r}), "
            "progress=False); print('pydantic' in sys.modules)")
    env = {**os.environ, "MASTHEAD_WORKERS": "1"}  # all parsing in this process (else a worker parses)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return done.stdout.strip() == "True"


def test_a_rebuild_validates_only_what_changed(magazine: Magazine) -> None:
    """Settings, contributors, pages and records come from caches while their files are
    unchanged: a rebuild after a day has passed imports no schema library at all."""
    fill(magazine)
    magazine.build()
    assert build_elsewhere(magazine, 1) is False
    magazine.write("contributors/ben.yml", (magazine.root / "contributors/ben.yml").read_text() + "\n")
    assert build_elsewhere(magazine, 2) is True  # a contributor's file changed: validated again
    assert build_elsewhere(magazine, 3) is False
    EDITS[0][1](magazine)
    assert build_elsewhere(magazine, 4) is True  # a story changed: its record is validated again


def test_a_body_edit_touches_only_the_story_and_its_feeds(magazine: Magazine, tmp_path: Path) -> None:
    """Cards show no body: lists, related stories and the search index stay as they were (the
    leaderboard counts words, so it may change)."""
    fill(magazine)
    magazine.build()
    before = tree(magazine.root / "site")
    magazine.story("city/s5.md", body="Plain words, fixed.", title="City story 5", date="2026-10-15 09:00",
                   tags=["river", "t2"], places=["Lyon"], authors=["anna"])  # reading time unchanged
    same_as_clean(magazine, tmp_path)
    after = tree(magazine.root / "site")
    changed = sorted(path for path in after if before.get(path) != after[path])
    assert "city/s5/index.html" in changed
    others = [p for p in changed if p != "city/s5/index.html" and not p.endswith("leaderboard/index.html")]  # one per language
    assert others and all(p.endswith(("rss.xml", "atom.xml", "feed.json")) or p == "feeds/digests.json"
                          or p == "pagefind/en/0" for p in others)  # its feeds (and their record: docs/reach.md), one search shard


def test_the_manifest_records_the_files_each_tree_holds(magazine: Magazine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file taken over from the reused staging tree is that tree's file (its own mtime): the
    manifest says so, and a rebuild finds nothing changed in the site by stat alone. (The
    manifest used to keep the replaced site's stat, so every later build found every file
    changed and read it whole to compare digests.)"""
    from masthead.site import publish

    fill(magazine)
    site = magazine.root / "site"
    records = records_of(magazine.root, site)
    magazine.build()
    magazine.build(now=NOW + timedelta(seconds=1))  # a first staging tree to reuse
    monkeypatch.setattr(state, "code_digest", lambda: "the next version of masthead")
    magazine.build()  # every file written again: the two trees now hold equal files, not links
    for n in range(3):  # each publication reuses the site before as its staging tree
        magazine.story("city/s5.md", body=f"Plain words, edit {n}.", title="City story 5", date="2026-10-15 09:00",
                       tags=["river", "t2"], places=["Lyon"], authors=["anna"])
        magazine.build()
        files = publish.read_manifest(records, site)
        assert files is not None
        moved = [rel for rel, (_, _, size, mtime) in files.items()
                 if (site / rel).stat().st_size != size or (site / rel).stat().st_mtime_ns != mtime]
        assert moved == [], (n, moved[:5])
