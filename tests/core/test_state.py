"""The build state (masthead/state.py): outside the work tree, plain data, never code (issue 10).

A branch that carries the cache files older versions kept in the tree, each a pickle whose
payload writes a marker file, is reviewed, checked and built: nothing runs.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from masthead import codec, state
from masthead.domain.problems import Problem, Severity
from masthead.domain.stories import Story

from ..conftest import NOW, Magazine

OLD_CACHE_FILES = (".masthead-cache/config-v1.pickle", ".masthead-cache/records-v4.pickle",
                   ".masthead-cache/records-v4.delta.pickle", ".masthead-cache/cards-v1.pickle",
                   ".masthead-cache/related.pickle", ".masthead-cache/search-rows.pickle",
                   ".site.masthead/manifest.pickle", ".site.masthead/plan.pickle",
                   ".site.masthead/plan.delta.pickle")


class Payload:
    """Unpickling this writes the marker file: what an attacker's cache file would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (open, (str(self.marker), "w"))


def cli(root: Path, *argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "masthead.cli", "--root", str(root), *argv],
                          capture_output=True, text=True, cwd=cwd or root, env={**os.environ, "MASTHEAD_WORKERS": "1"})


def git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Ed", "GIT_AUTHOR_EMAIL": "ed@example.invalid",
           "GIT_COMMITTER_NAME": "Ed", "GIT_COMMITTER_EMAIL": "ed@example.invalid"}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def test_a_branch_carrying_pickled_caches_runs_nothing(magazine: Magazine, tmp_path: Path) -> None:
    root = magazine.root
    marker = tmp_path / "owned"
    magazine.story("city/a.md", title="On main", date="2026-11-01 09:00")
    magazine.write(".gitignore", "site/\n.masthead-cache/\n.site.masthead/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "main")
    git(root, "checkout", "-q", "-b", "submissions/evil")
    magazine.story("city/b.md", title="A submission", date="2026-11-02 09:00")
    for rel in OLD_CACHE_FILES:
        magazine.write(rel, pickle.dumps(("any signature", Payload(marker))))
    git(root, "add", "-f", "-A")
    git(root, "commit", "-q", "-m", "a story, and a surprise")
    git(root, "checkout", "-q", "main")
    done = cli(root, "review", "submissions/evil", "--now", "2026-11-22")
    assert done.returncode == 0, done.stderr
    assert "preview:" in done.stdout and not marker.exists()
    git(root, "checkout", "-q", "submissions/evil")  # an editor checks the branch out
    for argv in (("check",), ("build", "--now", "2026-11-22"), ("build", "--now", "2026-11-23")):
        done = cli(root, *argv)
        assert done.returncode == 0, done.stderr
        assert not marker.exists(), argv
    assert (root / "site/city/b/index.html").is_file()


def test_the_state_folder_is_per_repository_and_can_be_chosen(magazine: Magazine, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Path(os.environ["XDG_CACHE_HOME"])
    default = state.state_dir(magazine.root)
    assert cache / "masthead" in default.parents
    assert state.state_dir(tmp_path / "other") != default
    monkeypatch.setenv(state.ENV, str(tmp_path / "ci-state"))
    assert state.state_dir(magazine.root) == tmp_path / "ci-state"
    monkeypatch.delenv(state.ENV)
    magazine.story("city/a.md")
    done = cli(magazine.root, "build", "--now", "2026-11-22", "--state-dir", str(tmp_path / "chosen"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "chosen" / state.DB).is_file() and not default.exists()


def test_the_codec_keeps_domain_values_and_refuses_everything_else() -> None:
    story = Story(source="content/city/a.md", slug="a", lang="en", title="A", authors=("anna",),
                  date=datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("Europe/Paris")), section="city", digest="d",
                  tags=("x",), lines={"title": 2})
    value = {("key", 2): [story, Problem("a.md", 3, "title", "bad", severity=Severity.WARNING)],
             "when": datetime(2026, 1, 1, tzinfo=timezone.utc), "set": frozenset({"a"})}
    back = codec.loads(codec.dumps(value))
    assert back == value and repr(back) == repr(value)
    assert back[("key", 2)][0].date.tzinfo == ZoneInfo("Europe/Paris")
    for bad in ('{"c":["os:system",{}]}', '{"c":["builtins:object",{}]}', '{"e":["os:environ","x"]}',
                '{"x":1}', '{"t":1,"d":2}', "[" * 100_000, "not json",
                '{"c":["masthead.domain.stories:Story",{"source":"x"}]}'):
        with pytest.raises(codec.BadState):
            codec.loads(bad)
    with pytest.raises(codec.Unencodable):
        codec.dumps(Payload(Path("x")))


def test_an_embargoed_story_goes_when_the_clock_goes_back(magazine: Magazine) -> None:
    """`build --now` two months ahead, then a plain build: the future story is gone (it used
    to stay, the build saying 'up to date')."""
    magazine.story("city/now.md", title="Now", date="2026-11-01 09:00")
    magazine.story("city/later.md", title="Later", date="2027-01-10 09:00")
    page = magazine.root / "site/city/later/index.html"
    done = cli(magazine.root, "build", "--now", "2027-01-21")
    assert done.returncode == 0, done.stderr
    assert page.is_file()
    done = cli(magazine.root, "build", "--now", NOW.isoformat())
    assert done.returncode == 0, done.stderr
    assert "up to date" not in done.stdout and not page.exists()
    assert "Later" not in (magazine.root / "site/rss.xml").read_text()


def test_build_verify_reports_a_difference(magazine: Magazine) -> None:
    magazine.story("city/a.md", title="A")
    done = cli(magazine.root, "build", "--now", "2026-11-22", "--verify")
    assert done.returncode == 0, done.stderr
    assert "verified" in done.stdout
    # The published site and the manifest agree, but the file differs from what the code makes:
    # only a clean build can tell.
    page = magazine.root / "site/city/a/index.html"
    records = state.for_root(magazine.root).site_folder(magazine.root / "site")
    manifest = next(records.glob("manifest-*.json"))
    import json

    data = json.loads(manifest.read_text())
    page.write_text("tampered")
    import hashlib

    st = page.stat()
    data["files"]["city/a/index.html"][1:] = [hashlib.blake2b(b"tampered", digest_size=16).hexdigest(),
                                              st.st_size, st.st_mtime_ns]
    manifest.write_text(json.dumps(data))
    done = cli(magazine.root, "build", "--now", "2026-11-22", "--verify")
    assert done.returncode == 1
    assert "city/a/index.html" in done.stderr and "1 file(s) differ" in done.stderr
    assert not list(magazine.root.glob(".site.masthead-verify-*"))  # the clean build is gone


def test_the_state_of_a_site_folder_that_is_gone_is_dropped(magazine: Magazine, tmp_path: Path) -> None:
    """`masthead serve` previews in temporary folders: their records and plan memo do not pile up."""
    import shutil
    import sqlite3

    magazine.story("city/a.md")
    magazine.build(site_dir=tmp_path / "preview-1")
    own = state.for_root(magazine.root)
    first = own.site_folder(tmp_path / "preview-1")
    assert first.is_dir()
    shutil.rmtree(tmp_path / "preview-1")
    magazine.build(site_dir=tmp_path / "preview-2")
    assert not first.exists() and own.site_folder(tmp_path / "preview-2").is_dir()
    db = sqlite3.connect(own.folder / state.DB)
    tables = {row[0] for row in db.execute("SELECT DISTINCT tab FROM rows WHERE tab LIKE 'plan:%'")}
    db.close()
    assert tables == {f"plan:{own.site_folder(tmp_path / 'preview-2').name}"}


def test_a_new_site_url_from_the_environment_is_not_up_to_date(magazine: Magazine) -> None:
    """`site_url: !ENV [SITE_URL, ...]` in mkdocs.yml: the quick freshness check covers the
    variable, so a build with another SITE_URL writes the new addresses."""
    mkdocs = magazine.root / "site_config/mkdocs.yml"
    mkdocs.write_text(mkdocs.read_text().replace("site_url: https://gazette.example.org/",
                                                 "site_url: !ENV [SITE_URL, 'https://gazette.example.org/']"))
    magazine.story("city/a.md", title="A")

    def build(url: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "masthead.cli", "--root", str(magazine.root), "build",
                               "--now", NOW.isoformat()], capture_output=True, text=True, cwd=magazine.root,
                              env={**os.environ, "MASTHEAD_WORKERS": "1", "SITE_URL": url})

    assert build("https://one.example.org/").returncode == 0
    page = magazine.root / "site/city/a/index.html"
    assert 'href="https://one.example.org/city/a/"' in page.read_text()
    done = build("https://two.example.org/")
    assert done.returncode == 0, done.stderr
    assert "up to date" not in done.stdout
    assert 'href="https://two.example.org/city/a/"' in page.read_text()
    assert "up to date" in build("https://two.example.org/").stdout


def test_review_runs_a_branchs_templates_in_the_sandbox(magazine: Magazine, tmp_path: Path) -> None:
    """A branch may change the theme; `masthead review` renders its templates in Jinja's
    sandbox, so a template reaching for Python's globals runs nothing (the preview fails with
    the template named), while the same template in a plain build would run its payload."""
    root = magazine.root
    marker = tmp_path / "owned"
    magazine.story("city/a.md", title="On main", date="2026-11-01 09:00")
    magazine.write(".gitignore", "site/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "main")
    git(root, "checkout", "-q", "-b", "submissions/evil")
    magazine.story("city/b.md", title="A submission", date="2026-11-02 09:00")
    story = root / "theme/templates/story.html"
    payload = "{{ cycler.__init__.__globals__.os.system('touch " + str(marker) + "') }}"
    story.write_text(story.read_text().replace("{% block content %}", "{% block content %}" + payload, 1))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "a story, and a template")
    git(root, "checkout", "-q", "main")
    done = cli(root, "review", "submissions/evil", "--now", "2026-11-22")
    assert not marker.exists()
    assert done.returncode == 1 and "SecurityError" in done.stderr, done.stderr
    git(root, "checkout", "-q", "submissions/evil")  # the same template, trusted: the payload runs
    assert cli(root, "build", "--now", "2026-11-22").returncode == 0 and marker.exists()
