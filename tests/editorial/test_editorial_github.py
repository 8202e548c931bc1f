"""`masthead desk --github`: open pull requests and their checks, through github3.py, against
the project's stand-in for GitHub's REST API on 127.0.0.1."""

from __future__ import annotations

import json
import re
from typing import Any, Iterator

import pytest

from masthead.cli import main
from masthead.forge import Forge

from .editorial_helpers import Magazine

standin = pytest.importorskip("tests.submissions.github_standin",
                              reason="the GitHub stand-in of the send-text tests is not here")
CHECK_RUNS = re.compile(r"/repos/[^/]+/[^/]+/commits/(?P<sha>[0-9a-f]{40})/check-runs")


class StandIn(standin.GitHubStandIn):  # type: ignore[misc,name-defined]
    """Adds GET /repos/{owner}/{repo}/commits/{ref}/check-runs, shaped as GitHub documents it."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: dict[str, list[dict[str, Any]]] = {}

    def handle(self, method: str, path: str, query: dict[str, str], body: Any,
               auth: str) -> tuple[int, Any, dict[str, str]]:
        match = CHECK_RUNS.fullmatch(path)
        if method == "GET" and match and auth.split(" ", 1)[-1] == self.token:
            runs = self.runs.get(match["sha"], [])
            return 200, {"total_count": len(runs), "check_runs": runs}, {}
        return super().handle(method, path, query, body, auth)  # type: ignore[no-any-return]


def run(sha: str, status: str, conclusion: str | None) -> dict[str, Any]:
    return {"id": 1, "head_sha": sha, "node_id": "CR_1", "external_id": "", "name": "Check, preview, summary",
            "status": status, "conclusion": conclusion, "started_at": "2026-01-01T00:00:00Z",
            "completed_at": None if conclusion is None else "2026-01-01T00:05:00Z",
            "output": {"title": None, "summary": None, "text": None, "annotations_count": 0,
                       "annotations_url": ""}, "check_suite": {"id": 1}, "app": None, "pull_requests": []}


@pytest.fixture
def github() -> Iterator[StandIn]:
    server = StandIn().start()
    yield server
    server.stop()


def test_desk_lists_open_pull_requests_with_their_checks(magazine: Magazine, github: StandIn,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    github.add_repo("confluence/magazine", {"README.md": "hello\n"})
    forge = Forge("confluence/magazine", github.token, github.url)
    author = {"name": "Lena", "email": "form@submissions.invalid", "date": "2026-01-01T00:00:00Z"}
    shas = {}
    for branch, title in (("submissions/bread", "Night bread"), ("submissions/shoes", "Cheap shoes"),
                          ("submissions/cat", "The lock keeper's cat")):
        shas[branch] = forge.create_branch("main", branch, {f"content/city/{branch[12:]}.md": "text"}, title, author)
        forge.open_pull_request(title, "body", branch, "main", ("submission",))
    github.runs[shas["submissions/bread"]] = [run(shas["submissions/bread"], "completed", "success")]
    github.runs[shas["submissions/shoes"]] = [run(shas["submissions/shoes"], "completed", "failure")]
    github.runs[shas["submissions/cat"]] = [run(shas["submissions/cat"], "in_progress", None)]

    monkeypatch.setenv("MAG_TOKEN", github.token)
    assert main(["--root", str(magazine.root), "desk", "--github", "--repository", "confluence/magazine",
                 "--token-env", "MAG_TOKEN", "--api-url", github.url, "--today", "2026-01-03",
                 "--format", "json"]) == 0
    pending = json.loads(capsys.readouterr().out)["pending"]
    assert [(p["ref"], p["title"], p["status"]) for p in pending] == [
        ("#1", "Night bread", "checks passing"), ("#2", "Cheap shoes", "checks failing"),
        ("#3", "The lock keeper's cat", "checks pending")]
    assert pending[0]["url"].endswith("/confluence/magazine/pull/1")
    assert pending[0]["authors"] == [github.login]
    assert pending[0]["age_hours"] > 48


def test_desk_github_needs_a_token(magazine: Magazine, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("NO_SUCH_TOKEN", raising=False)
    assert main(["--root", str(magazine.root), "desk", "--github", "--repository", "a/b",
                 "--token-env", "NO_SUCH_TOKEN"]) == 2
    assert "a token in $NO_SUCH_TOKEN" in capsys.readouterr().err
