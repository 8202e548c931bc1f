"""Delivery read from real Git history: commits at chosen dates, merges, renames, shallow clones."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from masthead.domain.promises import State
from masthead.sources.magazine import load_magazine
from masthead.sources.promise_history import deliveries
from masthead.sources.promises import load_windows

from .conftest import Mag

D = date.fromisoformat


def judge(root: Path, today: str, deepen: bool = True) -> tuple[dict[str, tuple[State, int]], str]:
    magazine, problems = load_magazine(root, use_cache=False)
    assert magazine is not None and not [p for p in problems if p.severity.value == "error"], problems
    rows, landing = deliveries(root, magazine, load_windows(root), D(today), deepen=deepen)
    return {d.promise.id: (d.state, d.days) for d in rows}, landing.note


@pytest.fixture
def promised(mag: Mag) -> Mag:
    """Five promises made on 5 October, due on 20 October."""
    for ident, who in (("on-time", "ana"), ("late", "ben"), ("extended", "ana"), ("released", "dan"),
                       ("never", "cleo")):
        mag.topic(ident, ident.title())
        mag.promise(ident, ident, who, "2026-10-05", "2026-10-20")
    mag.commit("2026-10-05T10:00:00+02:00", "promises")
    return mag


def test_the_whole_cycle(promised: Mag, capsys: pytest.CaptureFixture[str]) -> None:
    m = promised
    m.story("city/a.md", "A", "ana", "2026-10-19 08:00", promise="on-time")
    m.commit("2026-10-19T18:00:00+02:00")
    code, out, _ = m.run(capsys, "promise", "extend", "extended", "--due", "2026-10-30", "--reason", "ill",
                         "--today", "2026-10-18")
    assert code == 0 and "first promised for 2026-10-20" in out
    code, out, _ = m.run(capsys, "promise", "release", "released", "--today", "2026-10-12")
    assert code == 0 and "free for someone else" in out
    m.commit("2026-10-18T12:00:00+02:00")
    m.story("city/b.md", "B", "ben", "2026-10-23 08:00", promise="late")
    m.commit("2026-10-23T09:00:00+02:00")
    m.story("city/c.md", "C", "ana", "2026-10-28 08:00", promise="extended")
    m.commit("2026-10-28T09:00:00+02:00")
    states, note = judge(m.root, "2026-11-01")
    assert note == ""
    assert states == {"on-time": (State.ON_TIME, 1), "late": (State.LATE, 3), "extended": (State.ON_TIME, 2),
                      "released": (State.RELEASED, 0), "never": (State.OVERDUE, 12)}
    code, out, _ = m.run(capsys, "promise", "list", "--all", "--today", "2026-11-01")
    assert "delivered late by 3 days" in out and "overdue by 12 days" in out
    code, out, _ = m.run(capsys, "promise", "list", "--overdue", "--today", "2026-11-01")
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["never"]


def test_a_merge_delivers_on_the_day_it_lands(promised: Mag) -> None:
    m = promised
    m.git("checkout", "-q", "-b", "story")
    m.story("city/a.md", "A", "ana", "2026-10-10 08:00", promise="on-time")
    m.commit("2026-10-10T09:00:00+02:00", "written early")
    states, _ = judge(m.root, "2026-10-25")
    assert states["on-time"] == (State.OVERDUE, 5)  # on a branch it delivers nothing
    m.git("checkout", "-q", "main")
    m.git("merge", "-q", "--no-ff", "story", "-m", "merge", when="2026-10-21T10:00:00+02:00")
    states, _ = judge(m.root, "2026-10-25")
    assert states["on-time"] == (State.LATE, 1)


def test_the_day_is_the_site_time_zones(promised: Mag) -> None:
    m = promised
    m.story("city/a.md", "A", "ana", "2026-10-19 08:00", promise="on-time")
    m.commit("2026-10-20T21:30:00+00:00")  # 23:30 in Paris: still the 20th
    m.story("city/b.md", "B", "ben", "2026-10-19 08:00", promise="late")
    m.commit("2026-10-20T22:30:00+00:00")  # 00:30 on the 21st in Paris
    states, _ = judge(m.root, "2026-10-25")
    assert (states["on-time"], states["late"]) == ((State.ON_TIME, 0), (State.LATE, 1))


def test_moving_a_story_keeps_its_first_day(promised: Mag) -> None:
    m = promised
    m.story("city/a.md", "A", "ana", "2026-10-19 08:00", promise="on-time")
    m.commit("2026-10-19T10:00:00+02:00")
    m.git("mv", "content/city/a.md", "content/city/moved.md")
    m.commit("2026-10-28T10:00:00+02:00", "moved")
    states, _ = judge(m.root, "2026-10-30")
    assert states["on-time"] == (State.ON_TIME, 1)


def _shallow_clone(m: Mag, tmp_path: Path) -> Path:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--no-local", f"file://{m.root}", str(clone)], check=True)
    return clone


def test_a_shallow_clone_is_deepened(promised: Mag, tmp_path: Path) -> None:
    m = promised
    m.story("city/a.md", "A", "ana", "2026-10-19 08:00", promise="on-time")
    m.commit("2026-10-19T10:00:00+02:00")
    m.write("contributors/topics/later.yml", "title: Later\n")
    m.commit("2026-10-25T10:00:00+02:00", "a later commit, so the clone's one commit is not the story's")
    clone = _shallow_clone(m, tmp_path)
    states, note = judge(clone, "2026-10-30")
    assert note == "" and states["on-time"] == (State.ON_TIME, 1)
    assert subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=clone, capture_output=True,
                          text=True).stdout.strip() == "false"


def test_a_shallow_clone_that_cannot_be_deepened_says_so(promised: Mag, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    m = promised
    m.story("city/a.md", "A", "ana", "2026-10-19 08:00", promise="on-time")
    m.commit("2026-10-19T10:00:00+02:00")
    m.write("contributors/topics/later.yml", "title: Later\n")
    m.commit("2026-10-25T10:00:00+02:00")
    clone = _shallow_clone(m, tmp_path)
    subprocess.run(["git", "remote", "set-url", "origin", str(tmp_path / "gone")], cwd=clone, check=True)
    states, note = judge(clone, "2026-10-30")
    assert states["on-time"] == (State.UNKNOWN, 0) and states["late"] == (State.OVERDUE, 10)
    assert "shallow clone" in note and "fetch-depth: 0" in note
    code, out, err = Mag(clone).run(capsys, "promise", "list", "--all", "--today", "2026-10-30")
    assert "shallow clone" in err and "the date is not in this clone's history" in out
    _, note = judge(clone, "2026-10-30", deepen=False)
    assert "deepening was not asked for" in note


def test_a_repository_without_commits_has_delivered_nothing(tmp_path: Path, mag: Mag) -> None:
    fresh = Mag(tmp_path / "fresh")
    subprocess.run(["cp", "-r", str(mag.root), str(fresh.root)], check=True)
    subprocess.run(["rm", "-rf", str(fresh.root / ".git")], check=True)
    fresh.git("init", "-q", "-b", "main")
    fresh.topic("t", "T")
    fresh.promise("t", "t", "ana", "2026-10-05", "2026-10-20")
    fresh.story("city/a.md", "A", "ana", "2026-10-19 08:00", promise="t")
    states, note = judge(fresh.root, "2026-10-25")
    assert states["t"] == (State.OVERDUE, 5) and note == ""
