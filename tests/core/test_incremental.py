"""Incremental builds: the plan memo, the record cache's delta and the card cache must never
make a rebuild differ from a clean build of the same tree (issue 6)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

import pytest

from masthead.sources import record_cache
from masthead.sources.load import load_settings
from masthead.sources.resolve import resolution_key
from masthead.site import build as build_module, cards

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
    shutil.copytree(magazine.root, copy, ignore=shutil.ignore_patterns("site", ".site.masthead", ".masthead-cache"))
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


def test_a_memo_out_of_step_with_the_site_is_not_trusted(magazine: Magazine, tmp_path: Path) -> None:
    fill(magazine)
    magazine.build()
    home = magazine.root / ".site.masthead"
    old = {path.name: path.read_bytes() for path in home.glob("plan*.pickle")}
    assert "plan.pickle" in old
    EDITS[1][1](magazine)
    magazine.build()
    for path in home.glob("plan*.pickle"):
        path.unlink()
    for name, data in old.items():  # as if the build had stopped before saving its memo
        (home / name).write_bytes(data)
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
    assert (magazine.root / ".masthead-cache/cards-v1.pickle").is_file()
    assert not (magazine.root / ".site.masthead/bodies.pack").exists()  # bodies shared during a build only
    for _, edit in (EDITS[1], EDITS[3], EDITS[-1]):  # a card's story, an author's name, the card template
        edit(magazine)
        same_as_clean(magazine, tmp_path)


def test_the_record_cache_writes_a_delta_then_compacts(magazine: Magazine, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(record_cache, "DELTA_LIMIT", 2)
    fill(magazine)
    magazine.build()
    folder = magazine.root / ".masthead-cache"
    whole = (folder / record_cache.RECORDS_CACHE).stat().st_mtime_ns
    EDITS[0][1](magazine)
    same_as_clean(magazine, tmp_path)
    assert (folder / record_cache.DELTA).is_file()
    assert (folder / record_cache.RECORDS_CACHE).stat().st_mtime_ns == whole  # only the delta was written
    settings, _ = load_settings(magazine.root)
    assert settings is not None
    cache = record_cache.RecordCache.open(magazine.root, resolution_key(settings))
    assert "New words" not in repr(cache.entries)  # records hold what the body says of itself, not the body
    record = cache.entries["content/city/s4.md"][1]
    assert record.words == 4 and record.story.title == "City story 4"  # kept resolved
    assert record_cache.RecordCache.open(magazine.root, "other settings").entries == {}
    for edit in (EDITS[1][1], EDITS[2][1]):  # two more changed records: past the limit
        edit(magazine)
        same_as_clean(magazine, tmp_path)
    assert not (folder / record_cache.DELTA).exists()
    assert (folder / record_cache.RECORDS_CACHE).stat().st_mtime_ns != whole


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
    others = [p for p in changed if p not in ("city/s5/index.html", "leaderboard/index.html")]
    assert others and all(p.endswith(("rss.xml", "atom.xml", "feed.json")) or p == "feeds/digests.json"
                          for p in others)  # its feeds show bodies (and their record: docs/reach.md)
