"""The pure parts: summaries, the merge message, declines, the week's plan; and pr-summary's output."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from .editorial_helpers import NIGHT_BREAD, Magazine, story
from masthead.cli import main
from masthead.commands.pr_summary import code, md, render_markdown
from masthead.domain.contributors import Contributor
from masthead.domain.desk import Pending, describe_age, schedule, week_share
from masthead.domain.problems import Problem, Severity
from masthead.domain.promises import Promise
from masthead.domain.review import (MARKER, Author, Change, Decline, StorySummary, Summary, check_promise,
                                    merge_message, trailers)
from masthead.domain.site import Targets
from masthead.domain.stories import Story

UTC = timezone.utc


def a_story(source: str, authors: tuple[str, ...], when: datetime, draft: bool = False, promise: str = "") -> Story:
    return Story(source=source, slug=source.rsplit("/", 1)[-1][:-3], lang="en", title=source, authors=authors,
                 date=when, section="city", digest="x", draft=draft, promise=promise, words=440)


def person(handle: str, editor: bool = False) -> Contributor:
    return Contributor(handle, handle.title(), date(2024, 1, 1), ("editor",) if editor else ("author",),
                       f"contributors/{handle}.yml")


def summary_with(title: str, authors: tuple[Author, ...], problems: tuple[Problem, ...] = ()) -> Summary:
    s = StorySummary("content/city/x.md", "A", title, authors, 1234, 6, "City", "en",
                     datetime(2026, 11, 21, 7, tzinfo=UTC), False, True, None)
    errors = sum(p.severity is Severity.ERROR for p in problems)
    return Summary((s,), (), ("contributors/x.yml",), problems, 2, errors, len(problems) - errors)


def test_merge_message_names_the_editor_thanks_everyone_and_welcomes_first_timers() -> None:
    summary = summary_with("Night bread", (Author("lena", "Lena Fischer", True, True),
                                           Author("anna", "Anna Sokolova", False, False)))
    message = merge_message("submissions/x", summary, "hannah-reid", "Hannah Reid")
    assert message.splitlines()[0] == "Accept submissions/x: Night bread"
    assert "Accepted by Hannah Reid (@hannah-reid). Thank you, Lena Fischer, Anna Sokolova," in message
    assert "Welcome, Lena Fischer: this is your first piece with us." in message
    assert trailers(message) == {"Accepted-by": ["hannah-reid"], "Thanks": ["lena", "anna"]}


def test_a_decline_note_round_trips_with_a_multi_paragraph_reason() -> None:
    record = Decline("Not for us.\n\nTry the letters section: short and personal.", "hannah-reid", date(2026, 11, 21))
    assert Decline.from_note(record.to_note()) == record
    assert Decline.from_note("just a note someone wrote") is None


def test_promise_verdicts_as_if_landed_today() -> None:
    promise = Promise("night-buses", "night-buses", ("anna",), date(2026, 11, 1), date(2026, 11, 20),
                      "contributors/promises/night-buses.yml")
    mine = a_story("content/city/buses.md", ("anna",), datetime(2026, 11, 21, tzinfo=UTC), promise="night-buses")
    assert check_promise(mine, {"night-buses": promise}, date(2026, 11, 20)).verdict == "on time"  # type: ignore[union-attr]
    assert check_promise(mine, {"night-buses": promise}, date(2026, 11, 23)).verdict == "late by 3 days"  # type: ignore[union-attr]
    theirs = a_story("content/city/b.md", ("tom",), datetime(2026, 11, 21, tzinfo=UTC), promise="night-buses")
    assert check_promise(theirs, {"night-buses": promise}, date(2026, 11, 20)).verdict == "made by someone else: anna"  # type: ignore[union-attr]
    unknown = a_story("content/city/c.md", ("anna",), datetime(2026, 11, 21, tzinfo=UTC), promise="nope")
    assert check_promise(unknown, {"night-buses": promise}, date(2026, 11, 20)).verdict == "unknown promise"  # type: ignore[union-attr]
    assert check_promise(unknown, None, date(2026, 11, 20)).verdict == "promises are not loaded"  # type: ignore[union-attr]


def test_the_week_counts_scheduled_pieces_but_not_drafts_and_measures_the_share() -> None:
    def local_day(moment: datetime) -> date:
        return moment.date()

    monday = datetime(2026, 11, 16, 9, tzinfo=UTC)
    stories = [a_story("content/a.md", ("ed",), monday), a_story("content/b.md", ("anna",), monday + timedelta(days=5)),
               a_story("content/c.md", ("anna",), monday + timedelta(days=6)),  # Sunday, still to come
               a_story("content/d.md", ("anna",), monday + timedelta(days=5), draft=True),
               a_story("content/e.md", ("anna",), monday + timedelta(days=7))]  # next week
    plan = schedule(stories, date(2026, 11, 21), local_day, Targets(daily_pieces=2, community_share=0.6))
    assert [s.source for s in plan.on_today] == ["content/b.md"]
    assert plan.week_count == 3 and plan.week_target == 14
    assert plan.short_days == [date(2026, 11, 21), date(2026, 11, 22)]
    share = week_share(plan, {"ed": person("ed", editor=True), "anna": person("anna")},
                       Targets(daily_pieces=2, community_share=0.6))
    assert (share.community, share.editorial, share.met) == (2, 1, True)


def test_pending_status_and_age() -> None:
    since = datetime(2026, 11, 20, 9, tzinfo=UTC)
    assert Pending("b", "t", (), since).status == "passes"
    assert Pending("b", "t", (), since, warnings=2).status == "passes (2 warnings)"
    assert Pending("b", "t", (), since, errors=1).status == "fails (1 error)"
    assert Pending("b", "t", (), since, conflict=True).status == "conflicts with main"
    assert Pending("#4", "t", (), since, checks="pending").status == "checks pending"
    assert Pending("b", "t", (), since, declined="no").status == "declined"
    assert describe_age(timedelta(days=2, hours=3)) == "2 days"
    assert describe_age(timedelta(hours=5)) == "5 hours"
    assert describe_age(timedelta(minutes=5)) == "just now"


def test_changes_know_which_paths_are_stories() -> None:
    assert Change("A", "content/city/x.md").is_story
    assert not Change("A", "contributors/x.yml").is_story
    assert not Change("A", "content/city/boats.svg").is_story


@pytest.mark.parametrize("title", ["<script>alert(1)</script>", "a | b | c", "[click](javascript:alert(1))",
                                   "@everyone look", "**bold** `code` _it_"])
def test_contributed_text_is_inert_in_the_comment(title: str) -> None:
    bad = Problem("content/city/x|y.md", 3, "title", "something `odd` | here <b>", fix="@someone fix it")
    html = render_gfm_like(render_markdown(summary_with(title, (Author("lena", title, True, True),), (bad,))))
    assert "<script" not in html and "javascript:" not in str(BeautifulSoup(html, "html.parser").find_all("a"))
    assert md(title).count("|") == md(title).count("\\|")  # no raw pipe can split a table cell
    assert code("a`b|c") == "`a'b\\|c`"


def render_gfm_like(markdown: str) -> str:
    """Render with the GitHub-flavoured renderer masthead already depends on."""
    import cmarkgfm
    from cmarkgfm.cmark import Options

    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def test_the_comment_has_the_marker_a_table_and_the_problems() -> None:
    bad = Problem("content/city/x.md", 3, "cover_alt", "the cover has no alt text")
    text = render_markdown(summary_with("Night bread", (Author("lena", "Lena Fischer", True, True),), (bad,)))
    assert text.startswith(MARKER + "\n")
    soup = BeautifulSoup(render_gfm_like(text), "html.parser")
    row = [td.get_text(" ", strip=True) for td in soup.select("table tbody tr")[0].find_all("td")]
    assert row[0].replace(" ", "") == "Nightbread(new,content/city/x.md)"
    assert row[1] == "Lena Fischer ( lena ) (first piece: welcome!)"
    assert row[2:6] == ["1,234", "6 min", "City", "scheduled: 2026-11-21 07:00"]
    assert "fails: 1 error(s), 0 warning(s)" in soup.get_text()
    assert "content/city/x.md:3 error: field 'cover_alt': the cover has no alt text" in soup.get_text(" ", strip=True)
    assert "2 more problem(s) in files this submission does not touch" in soup.get_text()


def test_pr_summary_reads_the_checked_out_merge_against_the_base(magazine: Magazine, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """What CI does: the pull request's files are checked out; the base is a branch."""
    magazine.submit("submissions/bread", NIGHT_BREAD)
    magazine.git("checkout", "-q", "submissions/bread")
    out = tmp_path / "out" / "summary.json"
    assert main(["--root", str(magazine.root), "pr-summary", "--base", "main", "--format", "json",
                 "--output", str(out), "--now", "2026-11-20T12:00+01:00"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["passed"] is True and data["title"] == "Night bread"
    [s] = data["stories"]
    assert s["authors"] == [{"handle": "lena-fischer", "name": "Lena Fischer", "first_piece": True,
                             "registered_here": True}]
    assert (s["section"], s["scheduled"], s["date"]) == ("City", True, "2026-11-21T07:00:00+01:00")
    assert data["other_files"] == ["contributors/lena-fischer.yml"]

    magazine.git("checkout", "-q", "main")
    broken = story("Broken", "nobody-known", "2026-11-21 07:00")
    magazine.submit("submissions/broken", {"content/city/broken.md": broken})
    assert main(["--root", str(magazine.root), "pr-summary", "--base", "main",
                 "--head", "submissions/broken"]) == 0  # the summary reports; the check step fails the job
    text = capsys.readouterr().out
    assert "**Check:** fails: 1 error(s)" in text
    assert "content/city/broken.md:3` error: field 'authors': unknown contributor 'nobody-known'" in text
