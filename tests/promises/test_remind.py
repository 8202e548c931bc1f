"""`masthead remind`: the digest for a fixed day, and one GitHub issue that is never duplicated."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.submissions.github_standin import GitHubStandIn

from .conftest import Mag

REPO = "mag/confluence"


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> Iterator[GitHubStandIn]:
    """The shared GitHub stand-in, with the magazine's repository, and the environment Actions sets."""
    server = GitHubStandIn().start()
    server.add_repo(REPO, {"README.md": "Confluence\n"})
    monkeypatch.setenv("GITHUB_TOKEN", server.token)
    monkeypatch.setenv("GITHUB_API_URL", server.url)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    yield server
    server.stop()


def issue_posts(server: GitHubStandIn) -> int:
    return sum(1 for method, path, _ in server.requests if method == "POST" and path.endswith(f"{REPO}/issues"))


@pytest.fixture
def promised(mag: Mag) -> Mag:
    mag.topic("buses", "Night buses")
    mag.topic("bakery", "The bakery")
    mag.topic("pilots", "River pilots")
    mag.promise("buses-ana", "buses", "ana", "2026-10-05", "2026-10-20")
    mag.promise("bakery-ben", "bakery", "ben", "2026-10-05", "2026-10-24")
    mag.promise("pilots-dan", "pilots", "dan", "2026-10-08", "2026-11-30")
    mag.commit("2026-10-05T10:00:00+02:00", "promises")
    return mag


def test_the_digest_for_a_fixed_day(promised: Mag, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = promised.run(capsys, "remind", "--today", "2026-10-22")
    assert code == 0
    assert out.split("\n\nNeed more time?")[0] == (
        "# Promise reminders, 2026-10-22\n\n"
        "## Overdue\n\n"
        "- **Night buses** (`buses-ana`), Ana Lima: due 2026-10-20, overdue by 2 days\n\n"
        "## Due in the next 7 days\n\n"
        "- **The bakery** (`bakery-ben`), Ben Ode: due 2026-10-24, due in 2 days\n\n"
        "## Quiet for 14 days or more\n\n"
        "- **River pilots** (`pilots-dan`), Dan Ruiz: due 2026-11-30, no sign of work for 14 days")


def test_a_draft_on_main_is_a_sign_of_work(promised: Mag, capsys: pytest.CaptureFixture[str]) -> None:
    promised.story("city/pilots.md", "Pilots", "dan", "2026-11-29 08:00", promise="pilots-dan", draft=True)
    promised.commit("2026-10-15T10:00:00+02:00", "a first draft")
    _, out, _ = promised.run(capsys, "remind", "--today", "2026-10-22")
    assert "pilots-dan" not in out
    _, out, _ = promised.run(capsys, "remind", "--today", "2026-10-29")
    assert "no sign of work for 14 days" in out


def test_one_issue_updated_day_after_day(promised: Mag, capsys: pytest.CaptureFixture[str],
                                         github: GitHubStandIn) -> None:
    repo = github.repos[REPO]

    def remind(day: str) -> str:
        code, out, err = promised.run(capsys, "remind", "--github", "--today", day)
        assert code == 0, err
        return out.splitlines()[-1]

    assert remind("2026-10-18") == f"opened issue #1: {github.url}/{REPO}/issues/1"
    issue = repo.issues[1]
    assert "@ana-gh" in issue["body"] and "Ben Ode" in issue["body"] and "@dan-gh" not in issue["body"]
    assert issue["labels"] == ["promise-reminders"]

    assert remind("2026-10-19").startswith("updated issue #1")
    assert remind("2026-10-19").startswith("updated issue #1")  # run twice on one day
    assert "2026-10-19" in issue["body"] and not repo.comments

    assert remind("2026-10-22").startswith("updated issue #1")  # Dan's promise is now quiet
    assert [c["body"] for c in repo.comments[1]] == ["@dan-gh: you are in today's digest above."]

    for ident in ("buses-ana", "bakery-ben", "pilots-dan"):
        promised.run(capsys, "promise", "release", ident, "--today", "2026-10-23")
    promised.commit("2026-10-23T10:00:00+02:00", "all given back")
    assert remind("2026-10-24").startswith("closed (nothing due) issue #1")
    assert issue["state"] == "closed" and "Nothing is overdue" in issue["body"]

    promised.topic("late", "Late")
    promised.promise("late-ana", "late", "ana", "2026-10-24", "2026-10-25")
    promised.commit("2026-10-24T10:00:00+02:00")
    assert remind("2026-10-27").startswith("updated issue #1")
    assert issue["state"] == "open" and "overdue by 2 days" in issue["body"]
    assert repo.comments[1][-1]["body"] == "@ana-gh: you are in today's digest above."

    assert issue_posts(github) == 1 and len(repo.issues) == 1


def test_other_issues_are_left_alone(promised: Mag, capsys: pytest.CaptureFixture[str],
                                     github: GitHubStandIn) -> None:
    repo = github.repos[REPO]
    github._issue(repo, "A reader's question", "Mentions <!-- masthead:promise-digest --> but has no label",
                  pull=False)
    promised.run(capsys, "remind", "--github", "--today", "2026-10-22")
    assert len(repo.issues) == 2 and repo.issues[1]["body"].startswith("Mentions")
    assert repo.issues[2]["labels"] == ["promise-reminders"]


def test_nothing_to_say_opens_nothing(mag: Mag, capsys: pytest.CaptureFixture[str], github: GitHubStandIn) -> None:
    code, out, _ = mag.run(capsys, "remind", "--github", "--repo", REPO, "--today", "2026-10-22")
    assert code == 0 and out.splitlines()[-1] == "nothing to remind; no issue opened"
    assert not github.repos[REPO].issues


def test_github_without_a_token_says_what_is_missing(promised: Mag, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    code, _, err = promised.run(capsys, "remind", "--github", "--repo", REPO, "--today", "2026-10-22")
    assert code == 2 and "GITHUB_TOKEN" in err


def test_a_refused_token_is_reported(promised: Mag, capsys: pytest.CaptureFixture[str], github: GitHubStandIn,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "wrong")
    code, _, err = promised.run(capsys, "remind", "--github", "--today", "2026-10-22")
    assert code == 2 and "401" in err and not github.repos[REPO].issues
