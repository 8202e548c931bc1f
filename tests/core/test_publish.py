"""Publication (site/publish.py): only a folder masthead made is ever replaced, a failed
`--clean` leaves the old site, and a build killed at any point of publication leaves the old
site or the new one whole, never a mix (issue 10)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from masthead.domain.problems import ContentError, UsageError
from masthead.site.publish import CRASH_ENV, MARK

from ..conftest import NOW, Magazine
from .test_build import tree


def test_a_symlinked_site_folder_is_refused_and_left_alone(magazine: Magazine, tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    (magazine.root / "site").symlink_to(precious)
    magazine.story("city/a.md")
    with pytest.raises(UsageError, match="symbolic link") as err:
        magazine.build()
    assert str(magazine.root / "site") in str(err.value) and "--site-dir" in str(err.value)
    assert (precious / "thesis.txt").read_text() == "years of work" and len(list(precious.iterdir())) == 1
    done = subprocess.run([sys.executable, "-m", "masthead.cli", "--root", str(magazine.root), "build"],
                          capture_output=True, text=True)
    assert done.returncode != 0 and "symbolic link" in done.stderr and "Traceback" not in done.stderr
    assert (precious / "thesis.txt").exists()


def test_a_foreign_site_dir_is_refused_and_left_alone(magazine: Magazine, tmp_path: Path) -> None:
    foreign = tmp_path / "home"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    magazine.story("city/a.md")
    with pytest.raises(UsageError, match="not made by masthead"):
        magazine.build(site_dir=foreign)
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    magazine.build(site_dir=empty)  # an empty folder is fine, and is then marked
    assert (empty / MARK).is_file() and (empty / "index.html").is_file()
    magazine.build(site_dir=empty, now=NOW.replace(day=23))  # and replaced by the next build


def test_clean_with_a_broken_story_keeps_the_previous_site(magazine: Magazine) -> None:
    magazine.story("city/a.md", title="First")
    magazine.build()
    before = tree(magazine.root / "site")
    magazine.story("city/b.md", authors=["nobody"])
    with pytest.raises(ContentError):
        magazine.build(clean=True)
    assert tree(magazine.root / "site") == before
    (magazine.root / "content/city/b.md").unlink()
    magazine.story("city/a.md", title="Second")
    report = magazine.build(clean=True)
    assert report.rendered == report.files and "Second" in (magazine.root / "site/city/a/index.html").read_text()


def build_in_child(magazine: Magazine, crash_at: str | None, now: str) -> int:
    env = {**os.environ, "MASTHEAD_WORKERS": "1"}
    if crash_at:
        env[CRASH_ENV] = crash_at
    done = subprocess.run([sys.executable, "-m", "masthead.cli", "--root", str(magazine.root), "build",
                           "--now", now], capture_output=True, text=True, env=env)
    return done.returncode


def new_version(magazine: Magazine) -> None:
    magazine.story("city/s1.md", title="Story one, corrected", date="2026-11-02 09:00")
    magazine.story("city/s9.md", title="Story nine", date="2026-11-09 09:00")
    (magazine.root / "content/city/s2.md").unlink()


@pytest.mark.parametrize("point", ["after-stage", "after-manifest", "after-swap"])
def test_a_build_killed_while_publishing_leaves_one_whole_site(magazine: Magazine, tmp_path: Path,
                                                               point: str) -> None:
    for n in range(4):
        magazine.story(f"city/s{n}.md", title=f"Story {n}", date=f"2026-11-0{n + 1} 09:00")
    assert build_in_child(magazine, None, "2026-11-22") == 0
    old = tree(magazine.root / "site")
    new_version(magazine)
    shutil.copytree(magazine.root, tmp_path / "ref", ignore=shutil.ignore_patterns("site"))
    assert build_in_child(_at(tmp_path / "ref"), None, "2026-11-22") == 0
    new = tree(tmp_path / "ref/site")
    assert new != old
    assert build_in_child(magazine, point, "2026-11-22") == -9  # SIGKILL
    seen = tree(magazine.root / "site")
    assert seen == (new if point == "after-swap" else old)  # whole, one or the other
    assert build_in_child(magazine, None, "2026-11-22") == 0
    assert tree(magazine.root / "site") == new
    assert (magazine.root / ".site.masthead-stage" / MARK).is_file()  # the old tree, kept for the next build


def _at(root: Path) -> Magazine:
    m = Magazine.__new__(Magazine)
    m.root = root
    return m


def test_the_quick_check_sees_every_file_as_published_and_only_then(magazine: Magazine) -> None:
    """`unchanged` (the "nothing changed" answer: a stat of each file against one digest)
    holds after a build, and fails for a file removed, rewritten or only touched, or for a
    stamps file that is not one; the build then asks the manifest, and a touched file is
    still no reason to rebuild."""
    from masthead.site.freshness import records_of
    from masthead.site.publish import _inode, quick_path, unchanged

    magazine.story("city/a.md", title="First")
    magazine.story("city/b.md", title="Second")
    magazine.build()
    site = magazine.root / "site"
    records = records_of(magazine.root, site)
    assert unchanged(records, site)
    page = site / "city/a/index.html"
    st = page.stat()
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # touched: same bytes
    assert not unchanged(records, site)
    assert magazine.build().fresh  # the manifest's digest tells it is the same file
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert unchanged(records, site)
    stamps = quick_path(records, _inode(site))
    saved = stamps.read_bytes()
    stamps.write_text('{"site": 1}')
    assert not unchanged(records, site) and magazine.build().fresh
    stamps.write_bytes(saved)
    (site / "city/b/index.html").unlink()
    assert not unchanged(records, site)
    report = magazine.build()
    assert not report.fresh and report.rendered == 1 and unchanged(records, site)
    page.write_text("defaced")
    assert not unchanged(records, site)
    assert not magazine.build().fresh and "defaced" not in page.read_text()


def test_library_versions_are_those_importlib_metadata_gives() -> None:
    from importlib import metadata

    from masthead import state

    for name, version in state.library_versions():
        try:
            expected = metadata.version(name)
        except metadata.PackageNotFoundError:
            expected = ""
        assert version == expected, name
    assert dict(state.library_versions())["nh3"]  # installed: a version was read
