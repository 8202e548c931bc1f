"""review, accept, decline and desk against a real repository."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pytest

from .editorial_helpers import ADVERT, NIGHT_BREAD, Magazine, story
from masthead import gitrepo
from masthead.cli import main
from masthead.domain.problems import UsageError
from masthead.domain.review import trailers
from masthead.editorial import NotAccepted, accept, build_desk, decline, review_branch

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)
BREAD = "submissions/2026-11-20-night-bread-a1b2"
SHOES = "submissions/2026-11-20-shoes-c3d4"


def run_cli(root: Path, *args: str) -> int:
    return main(["--root", str(root), *args])


def test_review_sums_up_the_branch_as_it_would_land(magazine: Magazine) -> None:
    magazine.submit(BREAD, NIGHT_BREAD)
    summary, conflicts = review_branch(magazine.root, BREAD, "main", NOW)
    assert conflicts == []
    assert summary.passed
    [s] = summary.stories
    assert (s.title, s.status, s.section, s.path) == ("Night bread", "A", "City", "content/city/night-bread.md")
    [author] = s.authors
    assert (author.name, author.first_piece, author.registered_here) == ("Lena Fischer", True, True)
    assert s.words > 300 and s.minutes == 2
    assert summary.other_files == ("contributors/lena-fischer.yml",)


def test_review_builds_a_preview_and_prints_where(magazine: Magazine, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    magazine.submit(BREAD, NIGHT_BREAD)
    site = tmp_path / "preview"
    assert run_cli(magazine.root, "review", "2026-11-20-night-bread-a1b2", "--site-dir", str(site),
                   "--now", "2026-11-20T12:00+01:00") == 0
    out = capsys.readouterr().out
    assert f"preview: {site / 'index.html'}" in out
    assert (site / "city" / "night-bread" / "index.html").is_file()  # a future story shows in a preview
    assert magazine.git("status", "--porcelain") == ""


def test_review_of_a_failing_branch_exits_1_and_builds_nothing(magazine: Magazine, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    magazine.submit("submissions/bad", {"content/city/bad.md": story("Bad", "nobody-known", "2026-11-21 07:00")})
    assert run_cli(magazine.root, "review", "submissions/bad", "--site-dir", str(tmp_path / "p")) == 1
    out = capsys.readouterr().out
    assert "content/city/bad.md:3: error: field 'authors': unknown contributor 'nobody-known'" in out
    assert not (tmp_path / "p").exists()


def test_accept_merges_with_a_commit_naming_the_editor_and_the_thanks(magazine: Magazine) -> None:
    tip = magazine.submit(BREAD, NIGHT_BREAD)
    before = magazine.head()
    done = accept(magazine.root, BREAD, "hannah-reid", "main", NOW)
    assert magazine.head() == done.commit
    parents = magazine.git("show", "-s", "--format=%P", done.commit).split()
    assert parents == [before, tip]  # a merge commit, never a fast-forward
    message = magazine.git("show", "-s", "--format=%B", done.commit)
    assert trailers(message) == {"Accepted-by": ["hannah-reid"], "Thanks": ["lena-fischer"]}
    assert "Welcome, Lena Fischer: this is your first piece with us." in message
    assert magazine.git("show", "-s", "--format=%an", done.commit) == "Hannah Reid"
    # main is checked out here: its files moved forward with it, and nothing is left dirty
    assert (magazine.root / "content/city/night-bread.md").is_file()
    assert magazine.git("status", "--porcelain") == ""


def test_accept_works_while_another_branch_is_checked_out(magazine: Magazine) -> None:
    magazine.submit(BREAD, NIGHT_BREAD)
    magazine.git("checkout", "-q", "-b", "drafts")
    (magazine.root / "notes.txt").write_text("work in progress\n")  # untracked, and untouched
    done = accept(magazine.root, BREAD, "hannah-reid", "main", NOW)
    assert magazine.head("main") == done.commit
    assert magazine.git("rev-parse", "--abbrev-ref", "HEAD") == "drafts"
    assert not (magazine.root / "content/city/night-bread.md").exists()
    assert (magazine.root / "notes.txt").read_text() == "work in progress\n"


def test_accept_refuses_a_dirty_main_work_tree(magazine: Magazine) -> None:
    magazine.submit(BREAD, NIGHT_BREAD)
    before = magazine.head()
    with (magazine.root / "content/city/quay-market.md").open("a") as fh:
        fh.write("\nAn edit not committed yet.\n")
    with pytest.raises(NotAccepted, match=r"uncommitted changes to content/city/quay-market.md; commit or stash"):
        accept(magazine.root, BREAD, "hannah-reid", "main", NOW)
    assert magazine.head() == before


def test_accept_refuses_when_the_check_fails(magazine: Magazine) -> None:
    magazine.submit("submissions/bad", {"content/city/bad.md": story("Bad", "nobody-known", "2026-11-21 07:00")})
    before = magazine.head()
    with pytest.raises(NotAccepted) as refused:
        accept(magazine.root, "submissions/bad", "hannah-reid", "main", NOW)
    assert "unknown contributor 'nobody-known'" in str(refused.value)
    assert "masthead review submissions/bad" in str(refused.value)
    assert magazine.head() == before


def test_accept_refuses_warnings_only_when_strict(magazine: Magazine) -> None:
    no_summary = story("No summary", "anna-sokolova", "2026-11-21 07:00").replace('summary: "About no summary."\n', "")
    magazine.submit("submissions/plain", {"content/city/plain.md": no_summary})
    with pytest.raises(NotAccepted, match="warning|summary"):
        accept(magazine.root, "submissions/plain", "hannah-reid", "main", NOW, strict=True)
    accept(magazine.root, "submissions/plain", "hannah-reid", "main", NOW)


def test_accept_refuses_a_conflict_and_anyone_but_an_editor(magazine: Magazine) -> None:
    magazine.submit(BREAD, NIGHT_BREAD)
    with pytest.raises(UsageError, match="'anna-sokolova' is not an editor"):
        accept(magazine.root, BREAD, "anna-sokolova", "main", NOW)
    changed = story("Morning at the quay market", "anna-sokolova", "2026-11-16 08:00", body="Another text.")
    magazine.submit("submissions/edit-1", {"content/city/quay-market.md": changed})
    magazine.submit("submissions/edit-2", {"content/city/quay-market.md": changed.replace("Another", "A third")})
    accept(magazine.root, "submissions/edit-1", "hannah-reid", "main", NOW)
    with pytest.raises(NotAccepted, match="conflicts with 'main' in content/city/quay-market.md"):
        accept(magazine.root, "submissions/edit-2", "hannah-reid", "main", NOW)


def test_decline_keeps_the_branch_and_records_the_reason(magazine: Magazine) -> None:
    tip = magazine.submit(SHOES, ADVERT)
    branch, record = decline(magazine.root, SHOES, "We publish reporting, not adverts.", "hannah-reid", "main")
    assert branch == SHOES and record.editor == "hannah-reid"
    assert magazine.head(SHOES) == tip
    assert gitrepo.decline_reason(magazine.root, SHOES) == "We publish reporting, not adverts."
    assert "Declined-by: hannah-reid" in magazine.git("notes", "--ref", "masthead", "show", tip)
    # A new commit from the author reopens the submission.
    magazine.git("checkout", "-q", SHOES)
    (magazine.root / "content/city/cheap-shoes.md").write_text(story("Shoes and the people who mend them",
                                                                     "anna-sokolova", "2026-11-21 09:00"))
    magazine.git("commit", "-q", "-am", "Rewritten as reporting")
    magazine.git("checkout", "-q", "main")
    assert gitrepo.decline_reason(magazine.root, SHOES) is None


def test_decline_refuses_without_a_reason_or_once_merged(magazine: Magazine) -> None:
    magazine.submit(BREAD, NIGHT_BREAD)
    with pytest.raises(UsageError, match="give the author a reason"):
        decline(magazine.root, BREAD, "  ", "hannah-reid", "main")
    accept(magazine.root, BREAD, "hannah-reid", "main", NOW)
    with pytest.raises(UsageError, match="already merged"):
        decline(magazine.root, BREAD, "Too late", "hannah-reid", "main")
    assert gitrepo.decline_reason(magazine.root, "submissions/no-such-branch") is None


def test_desk_lists_waiting_and_declined_with_status_and_age(magazine: Magazine) -> None:
    magazine.submit(BREAD, NIGHT_BREAD, date="2026-11-18T21:00:00+01:00")
    magazine.submit(SHOES, ADVERT, date="2026-11-20T09:00:00+01:00")
    magazine.submit("submissions/bad", {"content/city/bad.md": story("Bad", "nobody-known", "2026-11-21 07:00")},
                    date="2026-11-20T10:00:00+01:00")
    decline(magazine.root, SHOES, "Not for us.", "hannah-reid", "main")
    desk = build_desk(magazine.root, "main", now=datetime(2026, 11, 21, 21, 0, tzinfo=timezone.utc))
    assert [(p.ref, p.status) for p in desk.pending] == [(BREAD, "passes"), ("submissions/bad", "fails (1 error)")]
    assert desk.pending[0].age(desk.now).days == 3
    assert [(p.ref, p.declined) for p in desk.declined] == [(SHOES, "Not for us.")]


def test_desk_schedule_and_share_this_week(magazine: Magazine, capsys: pytest.CaptureFixture[str]) -> None:
    magazine.submit(BREAD, NIGHT_BREAD)
    accept(magazine.root, BREAD, "hannah-reid", "main", NOW)
    assert run_cli(magazine.root, "desk", "--today", "2026-11-21", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["today"] == "2026-11-21"
    assert data["schedule"]["today"] == ["content/city/night-bread.md"]
    assert data["schedule"]["week_count"] == 3  # Monday's market, Wednesday's copy desk, today's bread
    assert data["schedule"]["week_target"] == 35
    assert data["schedule"]["short_days"] == ["2026-11-21", "2026-11-22"]
    assert data["share"] == {"community": 2, "editorial": 1, "community_share": pytest.approx(2 / 3),
                             "target": 0.5, "met": True}
    assert data["pending"] == [] and data["declined"] == []
    assert run_cli(magazine.root, "desk", "--today", "2026-11-21") == 0
    text = capsys.readouterr().out
    assert "today: 1 of 5 a day (short)" in text
    assert "Night bread (Lena Fischer)" in text
    assert "Community share this week: 2 community, 1 editorial (67%); target 50%: met" in text


PROMISES = {
    "contributors/topics/night-buses.yml": "title: The night buses\nsection: city\n",
    "contributors/topics/river-school.yml": "title: The school on the river\nsection: city\n",
    "contributors/promises/night-buses.yml": "topic: night-buses\nby: anna-sokolova\nmade: 2026-11-01\n"
                                             "due: 2026-11-25\n",
    "contributors/promises/river-school.yml": "topic: river-school\nby: mathieu-roux\nmade: 2026-10-01\n"
                                              "due: 2026-11-10\n",
}


def test_desk_shows_promises_and_the_summary_judges_delivery(magazine: Magazine,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from .editorial_helpers import write

    write(magazine.root, PROMISES)
    magazine.git("add", "-A")
    magazine.git("commit", "-q", "-m", "Promises")
    assert run_cli(magazine.root, "desk", "--today", "2026-11-21") == 0
    text = capsys.readouterr().out
    assert "Promises: 1 overdue, 1 due soon" in text
    assert "  river-school: Mathieu Roux, overdue by 11 days (due 2026-11-10)" in text
    assert "  night-buses: Anna Sokolova, due in 4 days (due 2026-11-25)" in text

    buses = story("The night buses", "anna-sokolova", "2026-11-24 07:00", extra="promise: night-buses\n")
    magazine.submit("submissions/buses", {"content/city/night-buses.md": buses})
    summary, _ = review_branch(magazine.root, "submissions/buses", "main", NOW)
    [s] = summary.stories
    assert s.promise is not None and (s.promise.id, s.promise.verdict) == ("night-buses", "on time")
    late, _ = review_branch(magazine.root, "submissions/buses", "main", datetime(2026, 11, 27, 12, tzinfo=timezone.utc))
    assert late.stories[0].promise.verdict == "late by 2 days"  # type: ignore[union-attr]


def test_review_serves_on_a_free_port_and_stops_cleanly(magazine: Magazine) -> None:
    magazine.submit(BREAD, NIGHT_BREAD)
    with socket.socket() as busy:  # the demo's form service holds 8001 while an editor reviews
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        refused = subprocess.run([sys.executable, "-m", "masthead.cli", "--root", str(magazine.root), "review", BREAD,
                                  "--now", "2026-11-20T12:00+01:00", "--serve", "--port", str(taken)],
                                 capture_output=True, text=True, timeout=120)
        assert refused.returncode == 2 and "Traceback" not in refused.stderr
        assert f"cannot serve the preview on port {taken}" in refused.stderr and "leave out --port" in refused.stderr
        proc = subprocess.Popen([sys.executable, "-m", "masthead.cli", "review", BREAD, "--root", str(magazine.root),
                                 "--now", "2026-11-20T12:00+01:00", "--serve"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None
            served = next(line for line in proc.stdout if line.startswith("serving the preview on "))
            url = served.split()[4]
            assert int(url.rsplit(":", 1)[1].strip("/")) not in (taken, 8000, 8001)
            with urllib.request.urlopen(url + "city/night-bread/") as page:
                assert page.status == 200 and b"Night bread" in page.read()
            with pytest.raises(urllib.error.HTTPError) as missing:
                urllib.request.urlopen(url + "no/such/page/")
            assert missing.value.code == 404 and b'class="kind-404"' in missing.value.read()  # the designed page
        finally:
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Traceback" not in err
