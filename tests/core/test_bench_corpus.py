"""The benchmark's corpus with pictures (benchmarks/corpus.py, issue 15): local photographs in
place of the remote image, covers with alt text and credit, and a corpus `check` accepts."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
STORY = ('---\ntitle: "A story"\nauthors: ["ana"]\ndate: 2023-05-01 10:00:00\nsection: news\nlang: en\n---\n\n'
         "First words.\n\n![Boats at dawn](https://media.example.org/masthead/photos/{k:05d}.jpg)\n\n## More\n\nText.\n")


def corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "benchmarks" / "corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_corpus", module)
    spec.loader.exec_module(module)
    return module


def test_the_remote_image_becomes_a_local_photograph_and_most_stories_get_a_cover() -> None:
    c = corpus()
    names = c.photo_names()
    covered = 0
    for k in range(80):
        text = c.with_pictures(STORY.format(k=k), c.MASTHEAD_COVER)
        head, body = c.split_front_matter(text)
        assert "media.example.org" not in body
        assert f"]({names[k % len(names)]})" in body
        if "\ncover: " in head:
            covered += 1
            assert "\ncover_alt: " in head and "\ncover_credit: " in head
    assert 60 <= covered < 80  # seven in eight
    lead = c.with_pictures(STORY.format(k=7 * 5 + 0), c.MASTHEAD_COVER, force_cover=True)  # (k // 5) % 8 == 7
    assert "\ncover: " in c.split_front_matter(lead)[0]
    plain = "---\ntitle: x\n---\n\nNo picture.\n"
    assert c.with_pictures(plain, c.MASTHEAD_COVER) == plain


def test_both_tools_get_the_same_pictures_on_the_same_story() -> None:
    c = corpus()
    for k in (3, 41, 999):
        ours = c.split_front_matter(c.with_pictures(STORY.format(k=k), c.MASTHEAD_COVER))
        hugo = c.split_front_matter(c.with_pictures(STORY.format(k=k), c.HUGO_COVER))
        assert ours[1] == hugo[1]
        cover = [ln for ln in ours[0].splitlines() if ln.startswith("cover: ")]
        assert cover == [ln for ln in hugo[0].splitlines() if ln.startswith("cover: ")]


def shared() -> Path | None:
    for candidate in (os.environ.get("MASTHEAD_BENCH_SHARED"), str(ROOT.parent / "shared" / "bench")):
        if candidate and (Path(candidate) / "gen_corpus.py").is_file():
            return Path(candidate)
    return None


@pytest.mark.skipif(shared() is None, reason="shared/bench/gen_corpus.py (the corpus generator) is not on this machine")
def test_a_small_pictures_corpus_passes_check_without_warnings(tmp_path: Path) -> None:
    c = corpus()
    out = tmp_path / "mag"
    c.make_corpus("masthead", 24, c.DEFAULT_SEED, out, shared(), pictures=True)
    c.install_project_files(out)
    done = subprocess.run([sys.executable, "-m", "masthead.cli", "--root", str(out), "check", "--format", "json"],
                          capture_output=True, text=True)
    report = json.loads(done.stdout)
    assert report["errors"] == 0 and report["warnings"] == 0, report["problems"][:3]
    stories = list((out / "content").rglob("*.md"))
    with_cover = [p for p in stories if "\ncover: " in p.read_text(encoding="utf-8")]
    assert len(with_cover) >= len(stories) // 2
    tracked = subprocess.run(["git", "-C", str(out), "ls-files", "content"], capture_output=True, text=True).stdout
    assert ".jpg" in tracked  # the photographs are committed with the settings
