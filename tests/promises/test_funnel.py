"""`masthead stats funnel`: the journey counted from the registry and Git history."""

from __future__ import annotations

import pytest

from .conftest import Mag


@pytest.fixture
def journeys(mag: Mag) -> Mag:
    """Eve only applied; Dan promised; Ben published once; Ana twice (regular); Cleo was an editor
    from the start; Fay published, then joined the editors on 10 October."""
    m = mag
    m.write("contributors/fay.yml", "name: Fay Lund\nroles: [author]\njoined: 2026-06-01\n")
    m.write("contributors/eve.yml", "name: Eve Sato\nroles: [author]\njoined: 2026-10-20\n")
    m.story("city/fay.md", "F", "fay", "2026-10-02 08:00")
    m.commit("2026-10-02T10:00:00+02:00")
    m.write("contributors/fay.yml", "name: Fay Lund\nroles: [editor, author]\njoined: 2026-06-01\n")
    m.commit("2026-10-10T10:00:00+02:00", "Fay joins the editors")
    for ident, who in (("a", "ana"), ("b", "ben"), ("d", "dan")):
        m.topic(ident, ident)
        m.promise(ident, ident, who, "2026-10-05", "2026-10-30")
    m.story("city/a1.md", "A1", "ana", "2026-10-19 08:00", promise="a")
    m.story("city/a2.md", "A2", "ana", "2026-10-25 08:00")
    m.story("city/b1.md", "B1", "ben", "2026-10-23 08:00", promise="b")
    m.story("city/later.md", "Later", "ben", "2026-12-01 08:00")  # not published by the day asked
    m.commit("2026-10-25T10:00:00+02:00")
    return m


def test_counts_and_median_days(journeys: Mag, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = journeys.run(capsys, "stats", "funnel", "--today", "2026-11-01")
    assert code == 0
    table = [line.split() for line in out.splitlines()[1:6]]
    assert table == [
        ["applicant", "1", "6"],
        ["first", "promise", "1", "3", "246", "(over", "3)"],
        ["first", "piece", "1", "3", "16", "(over", "2)"],
        ["regular", "1", "1", "6", "(over", "1)"],
        ["editor/organiser", "2", "2", "—"],
    ]


def test_people_and_days_at_their_step(journeys: Mag, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = journeys.run(capsys, "stats", "funnel", "--people", "--today", "2026-11-01")
    people = [line.split() for line in out.split("\n\n", 1)[1].splitlines()]
    assert people == [["eve", "applicant", "12", "days"], ["dan", "first", "promise", "27", "days"],
                      ["ben", "first", "piece", "9", "days"], ["ana", "regular", "7", "days"],
                      ["cleo", "editor/organiser", "300", "days"], ["fay", "editor/organiser", "22", "days"]]
