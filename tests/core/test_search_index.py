"""The Pagefind bundles: one index per language split into shards, made in the staging tree,
re-made only for the shards whose story pages changed, by content what a clean build makes,
and a failure of Pagefind stops the build with the site as it was. (Queries run in headless
Chromium: tests/browser/test_search.py.)"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest

from masthead.domain.problems import ContentError
from masthead.site import search_index
from masthead.site.search_index import bundle, canonical, differing_bundles, shard_count, shard_of, split

from ..conftest import SETTINGS, Magazine
from .test_incremental import same_as_clean


def fill(magazine: Magazine) -> None:
    for n in range(3):
        magazine.story(f"city/s{n}.md", body=f"Boats on the river, part {n}.\n\n## Quays\n\nWords.\n",
                       title=f"River {n}", date=f"2026-10-{n + 10:02d} 09:00")
        magazine.story(f"city/r{n}.ru.md", body=f"На рынке продают рыбу, часть {n}.\n", title=f"Рынок {n}",
                       date=f"2026-10-{n + 10:02d} 10:00", lang="ru")
    magazine.story("city/f0.fr.md", body="Des lanternes sur la Saône.\n", title="Lanternes", lang="fr")
    magazine.story("city/later.md", body="Not yet searchable: zeppelin.\n", title="Later", date="2026-12-01 09:00")


def indexed_shards(caplog: pytest.LogCaptureFixture) -> set[str]:
    """The shards (`en/0`, ...) whose bundle the last build made (from its log)."""
    return {name for r in caplog.records if r.getMessage().startswith("search: ")
            for name in r.getMessage().split(" indexed")[0].split()[1:]}


def indexed(caplog: pytest.LogCaptureFixture) -> set[str]:
    """The languages of which the last build indexed a shard."""
    return {name.split("/")[0] for name in indexed_shards(caplog)}


def entry(site: Path, lang: str, shard: int = 0) -> dict:  # type: ignore[type-arg]
    return json.loads((site / "pagefind" / lang / str(shard) / "pagefind-entry.json").read_text())


def test_one_bundle_per_language_with_its_published_stories(magazine: Magazine) -> None:
    fill(magazine)
    magazine.build()
    site = magazine.root / "site"
    assert {p.name for p in (site / "pagefind").iterdir()} == {"en", "ru", "fr"}  # the languages with stories
    assert entry(site, "ru")["languages"]["ru"]["page_count"] == 3
    assert entry(site, "en")["languages"]["en"]["page_count"] == 3  # not the story due in December
    assert json.loads(bundle("ko", [])["pagefind-entry.json"])["languages"] == {}  # no stories: an empty index
    assert not (site / "pagefind/en/0/pagefind-component-ui.js").exists()  # only what readers load
    assert json.loads((site / "pagefind/en/shards.json").read_text()) == {"shards": ["0/"]}  # 3 stories: one shard
    fragments = b"".join(p.read_bytes() for p in (site / "pagefind/en/0/fragment").iterdir())
    assert fragments  # compressed; the words themselves are checked in the browser tests


def test_only_the_changed_language_is_indexed_again(magazine: Magazine, tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    fill(magazine)
    caplog.set_level(logging.INFO, logger="masthead.site.search_index")
    magazine.build()
    assert indexed(caplog) == {"en", "ru", "fr"}
    before = {lang: entry(magazine.root / "site", lang) for lang in ("en", "ru")}
    caplog.clear()
    magazine.story("city/r1.ru.md", body="На рынке продают сыр.\n", title="Рынок 1", date="2026-10-11 10:00", lang="ru")
    magazine.build()
    assert indexed(caplog) == {"ru"}
    same_as_clean(magazine, tmp_path)  # the rebuilt site is a clean build's (bundles by content)
    assert entry(magazine.root / "site", "en") == before["en"]
    assert entry(magazine.root / "site", "ru") != before["ru"]


def test_a_story_edit_that_changes_no_page_leaves_every_bundle(magazine: Magazine,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    fill(magazine)
    magazine.build()
    caplog.set_level(logging.INFO, logger="masthead.site.search_index")
    magazine.story("city/later.md", body="Still not yet.\n", title="Later", date="2026-12-01 09:00")
    report = magazine.build()
    assert indexed(caplog) == set() and report.removed == 0


def test_two_runs_make_the_same_bundle_by_content(tmp_path: Path) -> None:
    pages = [(f"s{n}/index.html", f'<html lang="en"><body><main data-pagefind-body><h1>T{n}</h1><p>word{n} river'
                                  f'</p><b data-pagefind-filter="author">Author {n % 7}</b></main></body></html>')
             for n in range(40)]
    runs = []
    for n in range(3):
        folder = tmp_path / f"run{n}"
        for rel, data in bundle("en", pages).items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_bytes(data)
        runs.append(folder)
    assert canonical(runs[0]) == canonical(runs[1]) == canonical(runs[2])
    assert differing_bundles(runs[0].parent, runs[1].parent) == []  # no pagefind/ folder: nothing to compare
    other = [(rel, html.replace("river", "rivers")) for rel, html in pages]
    for rel, data in bundle("en", other).items():
        (tmp_path / "changed" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "changed" / rel).write_bytes(data)
    assert canonical(tmp_path / "changed") != canonical(runs[0])


def test_a_pagefind_failure_stops_the_build_and_keeps_the_site(magazine: Magazine,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    fill(magazine)
    magazine.build()
    site = magazine.root / "site"
    old = (site / "city/r1/index.html").read_bytes() if (site / "city/r1/index.html").exists() else None
    published = sorted(p.relative_to(site).as_posix() for p in site.rglob("*"))
    magazine.story("city/s1.md", body="Changed words.\n", title="River 1", date="2026-10-11 09:00")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(magazine.root / "no-such-pagefind"))
    with pytest.raises(ContentError) as err:
        magazine.build()
    problem = err.value.problems[0]
    assert problem.path == "pagefind/" and "Pagefind could not be run" in problem.message
    assert "no-such-pagefind" in problem.message
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == published
    assert old is None or (site / "city/r1/index.html").read_bytes() == old
    assert "Changed words" not in (site / "city/s1/index.html").read_text(encoding="utf-8")


def test_the_shard_count_is_a_power_of_two_chosen_from_the_story_count() -> None:
    assert [shard_count(n, 500) for n in (0, 1, 500, 501, 1000, 1001, 2000, 10_000)] == [1, 1, 1, 2, 2, 4, 4, 32]
    paths = [f"city/s{n}/index.html" for n in range(4000)]
    sizes = [sum(1 for p in paths if shard_of(p, 8) == k) for k in range(8)]
    assert sum(sizes) == 4000 and min(sizes) > 400 and max(sizes) < 600  # about even
    # doubling the count splits each shard in two: a story of shard k goes to k or k + 8
    assert all(shard_of(p, 16) in (shard_of(p, 8), shard_of(p, 8) + 8) for p in paths)


def test_a_one_story_edit_indexes_exactly_one_shard(magazine: Magazine, tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    magazine.settings({**SETTINGS, "search_shard_stories": 3})
    for n in range(10):
        magazine.story(f"city/s{n}.md", body=f"Boats on the river, part {n}: word{n}.\n", title=f"River {n}",
                       date=f"2026-10-{n + 10:02d} 09:00")
    caplog.set_level(logging.INFO, logger="masthead.site.search_index")
    magazine.build()
    site = magazine.root / "site"
    parts = split([f"city/s{n}/index.html" for n in range(10)], 3)
    assert len(parts) == 4 and all(parts)  # 10 stories, at most 3 a shard: 4 shards, none empty
    assert json.loads((site / "pagefind/en/shards.json").read_text())["shards"] == ["0/", "1/", "2/", "3/"]
    assert indexed_shards(caplog) == {"en/0", "en/1", "en/2", "en/3"}
    counts = [entry(site, "en", k)["languages"]["en"]["page_count"] for k in range(4)]
    assert counts == [len(part) for part in parts]
    assert (site / "pagefind/en/0/pagefind.js").exists() and not (site / "pagefind/en/1/pagefind.js").exists()
    assert not list((site / "pagefind/en/1").glob("wasm.*"))  # merged shards use the first one's code
    runs: list[int] = []
    real = search_index.each_bundle

    def counted(jobs: dict, work: Path, inputs: Path | None = None, **options: Any) -> Any:  # type: ignore[type-arg]
        runs.append(sum(len(pages) for _, _, pages in jobs.values()))
        return real(jobs, work, inputs, **options)

    monkeypatch.setattr(search_index, "each_bundle", counted)
    caplog.clear()
    magazine.story("city/s4.md", body="Boats on the canal, part 4: changed.\n", title="River 4", date="2026-10-14 09:00")
    magazine.build()
    shard = shard_of("city/s4/index.html", 4)
    assert indexed_shards(caplog) == {f"en/{shard}"}
    assert runs == [counts[shard]]  # Pagefind was given that shard's pages only
    same_as_clean(magazine, tmp_path)
    caplog.clear()
    for n in range(10, 25):  # 25 stories: more than 8 x 3, so 16 shards (fewer if one would be empty)
        magazine.story(f"city/s{n}.md", body=f"More boats {n}.\n", title=f"River {n}", date="2026-10-25 09:00")
    magazine.build()
    count = len(split([f"city/s{n}/index.html" for n in range(25)], 3))
    assert count > 4 and len(indexed_shards(caplog)) == count  # all made again
    assert not (site / f"pagefind/en/{count}").exists()
    same_as_clean(magazine, tmp_path)


def test_a_build_runs_one_pagefind_at_a_time(magazine: Magazine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each Pagefind run holds a shard's whole index: a build (at its largest by then) starts
    the next one only once the last has ended."""
    magazine.settings({**SETTINGS, "search_shard_stories": 3})
    for n in range(10):
        magazine.story(f"city/s{n}.md", body=f"Boats, part {n}.\n", title=f"River {n}", date=f"2026-10-{n + 10:02d} 09:00")
    real = search_index.subprocess.Popen
    started: list[Any] = []
    alongside: list[int] = []

    def popen(*args: Any, **kwargs: Any) -> Any:
        alongside.append(sum(1 for p in started if p.poll() is None))
        started.append(real(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(search_index.subprocess, "Popen", popen)
    monkeypatch.setattr(search_index.os, "cpu_count", lambda: 4)  # as many at once as processors, elsewhere
    magazine.build()
    assert len(started) == 4 and alongside == [0, 0, 0, 0]


def test_a_retitled_story_leaves_the_shards_of_the_pages_linking_to_it(magazine: Magazine, tmp_path: Path,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    """A story's new title shows on its neighbours' pages (previous/next) and in related
    stories, outside the article Pagefind reads: only the story's own shard is indexed again."""
    magazine.settings({**SETTINGS, "search_shard_stories": 3})
    for n in range(10):
        magazine.story(f"city/s{n}.md", body=f"Boats on the river, part {n}: word{n}.\n", title=f"River {n}",
                       date=f"2026-10-{n + 10:02d} 09:00", tags=["river"])
    magazine.build()
    site = magazine.root / "site"
    count = len(split([f"city/s{n}/index.html" for n in range(10)], 3))
    def shard(n: int) -> int:
        return shard_of(f"city/s{n}/index.html", count)

    # a story with a neighbour (previous or next, by date) in another shard
    story = next(n for n in range(1, 9) if shard(n - 1) != shard(n) or shard(n + 1) != shard(n))
    neighbours = [n for n in (story - 1, story + 1) if shard(n) != shard(story)]
    before = {n: (site / f"city/s{n}/index.html").read_bytes() for n in neighbours}
    caplog.set_level(logging.INFO, logger="masthead.site.search_index")
    caplog.clear()
    magazine.story(f"city/s{story}.md", body=f"Boats on the river, part {story}: word{story}.\n",
                   title="River renamed", date=f"2026-10-{story + 10:02d} 09:00", tags=["river"])
    magazine.build()
    assert all((site / f"city/s{n}/index.html").read_bytes() != before[n] for n in neighbours)  # they show it
    assert all("River renamed" in (site / f"city/s{n}/index.html").read_text() for n in neighbours)
    assert indexed_shards(caplog) == {f"en/{shard(story)}"}
    same_as_clean(magazine, tmp_path)


def test_no_shard_is_left_empty() -> None:
    paths = [f"s{n}/index.html" for n in range(5)]
    parts = split(paths, 1)  # 8 shards for 5 stories would leave some empty
    assert all(parts) and sorted(p for part in parts for p in part) == paths
    assert split([], 500) == [[]]  # no story: one empty shard (an empty index)


def test_pages_published_first_and_search_refreshed_after(magazine: Magazine, tmp_path: Path,
                                                           caplog: pytest.LogCaptureFixture,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """What `masthead serve` may do: publish an edit without its search step, then
    `refresh_published` indexes the stale shard and publishes it; the site is a clean build's."""
    from masthead.site.freshness import records_of

    fill(magazine)
    magazine.build()
    site = magazine.root / "site"
    before = entry(site, "ru")
    seen: list[object] = []
    real = search_index.add_to_site

    def pages_only(views, files, written, publisher, refresh=True):  # type: ignore[no-untyped-def]
        seen.append(views)
        return real(views, files, written, publisher, refresh=False)

    monkeypatch.setattr(search_index, "add_to_site", pages_only)
    magazine.story("city/r1.ru.md", body="На рынке продают сыр.\n", title="Рынок 1", date="2026-10-11 10:00", lang="ru")
    magazine.build()
    monkeypatch.setattr(search_index, "add_to_site", real)
    assert any("продают сыр" in p.read_text(encoding="utf-8") for p in site.rglob("index.html"))  # the page is out
    assert entry(site, "ru") == before  # the search is the old one for now
    caplog.set_level(logging.INFO, logger="masthead.site.search_index")
    assert search_index.refresh_published(seen[0], site, records_of(magazine.root.resolve(), site)) == 1  # type: ignore[arg-type]
    assert indexed(caplog) == {"ru"}
    assert entry(site, "ru") != before
    assert search_index.refresh_published(seen[0], site, records_of(magazine.root.resolve(), site)) == 0  # type: ignore[arg-type]
    caplog.clear()
    magazine.build()
    assert indexed(caplog) == set()  # the next build finds the search up to date
    same_as_clean(magazine, tmp_path)


def test_kept_input_folders_hold_exactly_the_pages_given(tmp_path: Path) -> None:
    """A shard's folder of links, kept between builds: a page replaced is linked again, a
    page gone is removed, the site's files are never written through a link, and a folder
    whose record is missing (a build stopped while it changed) is made anew."""
    from masthead.site.search_index import INPUT_RECORD, keep_inputs

    site, folder = tmp_path / "site", tmp_path / "inputs" / "en-0"
    for name in ("a", "b", "c"):
        (site / name).mkdir(parents=True)
        (site / name / "index.html").write_text(f"<p>{name} one</p>")
    pages = [(f"{n}/index.html", site / n / "index.html") for n in ("a", "b", "c")]
    keep_inputs(folder, pages)
    assert (folder / "a/index.html").stat().st_ino == (site / "a/index.html").stat().st_ino  # a link, not a copy
    replaced = site / "b/index.html.new"
    replaced.write_text("<p>b two</p>")
    os.replace(replaced, site / "b/index.html")  # as a build publishes: a new file in its place
    keep_inputs(folder, pages[:2])
    assert (folder / "b/index.html").read_text() == "<p>b two</p>"
    assert not (folder / "c/index.html").exists()
    assert (site / "c/index.html").read_text() == "<p>c one</p>"  # the site's own file stays
    (folder / INPUT_RECORD).unlink()
    (folder / "stray.html").write_text("<p>left over</p>")
    keep_inputs(folder, pages[:1])
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        INPUT_RECORD, "a/index.html"]
    assert [(site / n / "index.html").read_text() for n in ("a", "b")] == ["<p>a one</p>", "<p>b two</p>"]


def test_the_part_pagefind_reads_is_the_article_unless_a_mark_is_outside_it() -> None:
    from masthead.site.search_index import indexed_part

    page = (b'<html><nav><a href="x/">Next: a title</a></nav><article class="story" data-pagefind-body>'
            b'<h1 data-pagefind-meta="title">T</h1><p>Words</p></article><aside>Related</aside></html>')
    assert indexed_part(page) == page[page.index(b"<article"):page.index(b"</article>")]
    assert indexed_part(page.replace(b"<aside>", b'<aside data-pagefind-filter="x">')) == page.replace(
        b"<aside>", b'<aside data-pagefind-filter="x">')  # a mark outside: the whole page counts
    nested = page.replace(b"<p>Words</p>", b"<article><p>Words</p></article>")
    assert indexed_part(nested) == nested
    assert indexed_part(b"<html><main data-pagefind-body>x</main></html>") == b"<html><main data-pagefind-body>x</main></html>"
