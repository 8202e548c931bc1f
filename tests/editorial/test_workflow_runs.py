"""The workflows, run: each test reads a workflow file and runs its steps in order on the
simulated runner (runner.py): a clone of a bare origin, the pull request's merge ref, the
event payload as JSON, GITHUB_OUTPUT/GITHUB_ENV files, and a stub `gh` (gh_stub.py) that
answers like GitHub's REST API and records the calls.

`MASTHEAD_WORKFLOWS=DIR` runs the same tests against workflow files elsewhere (e.g. an older
commit's, exported with `git archive`), to see which cases they get wrong."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from .editorial_helpers import NIGHT_BREAD, ROOT, Magazine, make_magazine, story, write
from .runner import REPOSITORY, JobResult, Run, World

WORKFLOWS = Path(os.environ.get("MASTHEAD_WORKFLOWS") or ROOT / ".github" / "workflows")
WORD_JOINER = "\u2060"
FORK = "reader-fork/confluence"


@dataclass
class GitHub:
    """The magazine on a simulated GitHub: its bare origin, pull requests and runs."""

    magazine: Magazine
    world: World
    next_run: int = 700
    prs: dict[int, dict[str, Any]] = field(default_factory=dict)

    # -- git ------------------------------------------------------------------------------
    def push_main(self) -> str:
        self.magazine.git("push", "-q", "origin", "main")
        return self.magazine.head("main")

    def commit_to_main(self, files: dict[str, str], message: str) -> str:
        write(self.magazine.root, files)
        self.magazine.git("add", "-A")
        self.magazine.git("commit", "-q", "-m", message)
        return self.push_main()

    # -- pull requests ---------------------------------------------------------------------
    def open_pr(self, number: int, branch: str, files: dict[str, str], user: str = "lena-gh",
                head_repo: str = FORK, labels: tuple[str, ...] = (), base: str = "main") -> dict[str, Any]:
        tip = self.magazine.submit(branch, files, message=f"Submit {branch}")
        pr = {"number": number, "state": "open", "merged": False, "title": branch,
              "user": {"login": user, "type": "User"}, "labels": [{"name": n} for n in labels],
              "head": {"sha": tip, "ref": branch, "repo": {"full_name": head_repo}},
              "base": {"ref": base, "sha": self.magazine.head(base), "repo": {"full_name": REPOSITORY}}}
        self.prs[number] = pr
        self.refresh(number)
        return pr

    def push_to_pr(self, number: int, files: dict[str, str]) -> None:
        pr = self.prs[number]
        self.magazine.git("checkout", "-q", pr["head"]["ref"])
        write(self.magazine.root, files)
        self.magazine.git("add", "-A")
        self.magazine.git("commit", "-q", "-m", "Address the review")
        pr["head"]["sha"] = self.magazine.head("HEAD")
        self.magazine.git("checkout", "-q", "main")
        self.refresh(number)

    def refresh(self, number: int) -> None:
        """refs/pull/N/head and refs/pull/N/merge on the origin, as GitHub keeps them."""
        pr = self.prs[number]
        head, base = pr["head"]["sha"], pr["base"]["ref"]
        tree = self.magazine.git("merge-tree", "--write-tree", base, head)
        merge = self.magazine.git("commit-tree", tree, "-p", self.magazine.head(base), "-p", head,
                                  "-m", f"Merge {head} into {base}")
        pr["merge_sha"] = merge
        self.magazine.git("push", "-q", "-f", "origin", f"{head}:refs/pull/{number}/head",
                          f"{merge}:refs/pull/{number}/merge")
        self.save()

    def merge_pr(self, number: int, editor: str = "hannah-gh") -> dict[str, Any]:
        pr = self.prs[number]
        self.magazine.git("merge", "-q", "--no-ff", "-m", f"Merge pull request #{number}", pr["head"]["sha"])
        pr.update(state="closed", merged=True, merge_commit_sha=self.push_main(),
                  merged_by={"login": editor, "type": "User"})
        self.save()
        return {"action": "closed", "number": number, "pull_request": pr}

    def save(self) -> None:
        state = self.world.github()
        state["pulls"] = list(self.prs.values())
        self.world.set_github(state)

    def comments(self, number: int) -> list[dict[str, Any]]:
        return [c for c in self.world.github().get("comments", []) if c["issue"] == number]

    # -- runs ------------------------------------------------------------------------------
    def run_id(self) -> int:
        self.next_run += 1
        return self.next_run

    def pull_request_run(self, number: int) -> tuple[int, JobResult]:
        pr = self.prs[number]
        run = Run(self.world, WORKFLOWS / "pr.yml", "pull_request",
                  {"action": "synchronize", "number": number, "pull_request": pr}, pr["merge_sha"],
                  f"refs/pull/{number}/merge", self.run_id(), checkout_ref=f"refs/pull/{number}/merge")
        [job] = run.run().values()
        return run.run_id, job

    def comment_run(self, pr_run: int, number: int, conclusion: str) -> JobResult:
        pr = self.prs[number]
        event = {"action": "completed", "workflow_run": {
            "id": pr_run, "name": "Pull request", "event": "pull_request", "status": "completed",
            "conclusion": conclusion, "head_sha": pr["head"]["sha"], "head_branch": pr["head"]["ref"],
            "head_repository": {"full_name": pr["head"]["repo"]["full_name"]},
            "html_url": f"https://github.com/{REPOSITORY}/actions/runs/{pr_run}", "pull_requests": []}}
        run = Run(self.world, WORKFLOWS / "pr-comment.yml", "workflow_run", event, self.magazine.head("main"),
                  "refs/heads/main", self.run_id())
        [job] = run.run().values()
        return job

    def thanks_run(self, event: dict[str, Any]) -> JobResult:
        run = Run(self.world, WORKFLOWS / "thanks.yml", "pull_request_target", event, self.magazine.head("main"),
                  "refs/heads/main", self.run_id())
        [job] = run.run().values()
        return job

    def publish_run(self, run_id: int | None = None, **kw: Any) -> Run:
        sha = self.magazine.head("main")
        return Run(self.world, WORKFLOWS / "publish.yml", "push", {"ref": "refs/heads/main", "after": sha}, sha,
                   "refs/heads/main", run_id or self.run_id(), **kw)


@pytest.fixture
def github(tmp_path: Path) -> GitHub:
    magazine = make_magazine(tmp_path / "magazine")
    # What the workflows read from the repository besides the magazine: the locks and the project.
    shutil.copytree(ROOT / "requirements", magazine.root / "requirements")
    shutil.copy2(ROOT / "pyproject.toml", magazine.root / "pyproject.toml")
    magazine.git("add", "-A")
    magazine.git("commit", "-q", "-m", "The project's locks")
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(magazine.root), str(origin)], check=True)
    magazine.git("remote", "add", "origin", str(origin))
    world = World(tmp_path / "github", origin)
    world.root.mkdir()
    gh = GitHub(magazine, world)
    gh.save()
    return gh


def text_of(markdown: str) -> str:
    return " ".join(markdown.split())


def visible_text(html_file: Path) -> str:
    return BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser").get_text(" ")


# --- pr.yml then pr-comment.yml ----------------------------------------------------------------

@pytest.mark.parametrize("conclusion", ["action_required", "startup_failure", "cancelled", "timed_out", "skipped"])
def test_a_fork_run_awaiting_approval_posts_nothing_and_stays_green(github: GitHub, conclusion: str) -> None:
    """A first-time contributor's fork run waits for approval: it completes as action_required
    with no artifact (so do runs that never started or were stopped). The comment workflow
    must not run into "Artifact not found"."""
    github.open_pr(5, "night-bread", NIGHT_BREAD)
    job = github.comment_run(github.run_id(), 5, conclusion)
    assert job.conclusion in ("skipped", "success"), job.log()
    assert github.comments(5) == [] and github.world.gh_calls() == []


@pytest.mark.parametrize("conclusion", ["failure", "success"])
def test_a_run_that_left_no_summary_is_skipped_cleanly(github: GitHub, conclusion: str) -> None:
    """pr.yml failed before its upload (e.g. the install failed): nothing to post, and green."""
    github.open_pr(5, "night-bread", NIGHT_BREAD)
    job = github.comment_run(github.run_id(), 5, conclusion)
    assert job.conclusion == "success", job.log()
    assert github.comments(5) == []
    assert not any(c["method"] in ("POST", "PATCH") for c in github.world.gh_calls())


def test_a_failing_check_is_summed_up_without_a_preview_link(github: GitHub) -> None:
    bad = {"content/city/bad.md": story("Bad", "nobody-known", "2026-11-21 09:00")}
    github.open_pr(6, "bad", bad)
    pr_run, job = github.pull_request_run(6)
    assert job.conclusion == "failure", job.log()
    assert job.step("Check (annotations on the offending lines)").outcome == "failure"
    assert "pr-summary" in github.world.artifact_names(pr_run)
    comment = github.comment_run(pr_run, 6, job.conclusion)
    assert comment.conclusion == "success", comment.log()
    [posted] = github.comments(6)
    body = text_of(posted["body"])
    assert posted["body"].startswith("<!-- masthead:pr-summary -->\n")
    assert "fails: 1 error(s)" in body and "nobody-known" in body
    if "preview" not in github.world.artifact_names(pr_run):
        assert "artifacts/" not in body and "`preview` artifact" not in body
        assert "No preview" in body


def test_a_passing_pull_request_links_its_preview(github: GitHub) -> None:
    github.open_pr(5, "night-bread", NIGHT_BREAD)
    pr_run, job = github.pull_request_run(5)
    assert job.conclusion == "success", job.log()
    assert github.world.artifact_names(pr_run) == ["pr-summary", "preview"]
    assert (github.world.artifacts / str(pr_run) / "preview" / "index.html").is_file()
    github.comment_run(pr_run, 5, "success")
    [posted] = github.comments(5)
    preview_id = pr_run * 100 + 1  # the stub's id for the run's second artifact, `preview`
    assert f"https://github.com/{REPOSITORY}/actions/runs/{pr_run}/artifacts/{preview_id}" in posted["body"]
    assert "Night bread" in posted["body"] and "passes" in posted["body"]


def test_a_second_run_edits_the_one_comment_of_the_right_pull_request(github: GitHub) -> None:
    pr = github.open_pr(5, "night-bread", NIGHT_BREAD)
    # Another open pull request from the same fork branch, into another base: listed first.
    decoy = json.loads(json.dumps(pr)) | {"number": 4}
    decoy["base"] = {"ref": "drafts", "sha": pr["base"]["sha"], "repo": {"full_name": REPOSITORY}}
    github.prs = {4: decoy, **github.prs}
    github.save()
    first_run, _ = github.pull_request_run(5)
    assert github.comment_run(first_run, 5, "success").conclusion == "success"
    github.push_to_pr(5, {"content/city/night-bread.md": NIGHT_BREAD["content/city/night-bread.md"]
                          .replace('title: "Night bread"', 'title: "Bread at night"')})
    github.prs[4]["head"] = dict(github.prs[5]["head"])
    github.save()
    second_run, _ = github.pull_request_run(5)
    assert github.comment_run(second_run, 5, "success").conclusion == "success"
    [comment] = github.comments(5)
    assert "Bread at night" in comment["body"] and "Night bread" not in comment["body"]
    assert github.comments(4) == []
    writes = [c for c in github.world.gh_calls() if c["method"] in ("POST", "PATCH")]
    assert [c["method"] for c in writes] == ["POST", "PATCH"]
    assert writes[1]["path"].endswith(f"/issues/comments/{comment['id']}")


def test_mentions_in_a_forged_summary_notify_no_one(github: GitHub) -> None:
    """A fork controls its run and so its artifact: whatever it says is posted inert."""
    github.open_pr(5, "night-bread", NIGHT_BREAD)
    run_id = github.run_id()
    forged = github.world.artifacts / str(run_id) / "pr-summary"
    forged.mkdir(parents=True)
    (forged / "summary.md").write_text("Please look, @octocat and @confluence-mag/editors!\n", encoding="utf-8")
    assert github.comment_run(run_id, 5, "success").conclusion == "success"
    [comment] = github.comments(5)
    assert f"@{WORD_JOINER}octocat" in comment["body"] and f"@{WORD_JOINER}confluence-mag/editors" in comment["body"]
    assert "@octocat" not in comment["body"] and "@confluence" not in comment["body"]


# --- thanks.yml -----------------------------------------------------------------------------------

def test_a_form_submission_thanks_its_author_not_the_token_owner(github: GitHub) -> None:
    """The send-text service opens pull requests with a person's token: that person is not the author."""
    sent = {"contributors/jonas-weber.yml": "name: Jonas Weber\nroles: [author]\njoined: 2026-11-20\n",
            "content/city/tram-night.md": story("The last tram", "jonas-weber", "2026-11-21 07:00",
                                                extra="submitted_via: form\n")}
    github.open_pr(9, "submissions/2026-11-20-the-last-tram-a1b2c3d4", sent, user="formbot-owner",
                   head_repo=REPOSITORY, labels=("submission", "city"))
    job = github.thanks_run(github.merge_pr(9))
    assert job.conclusion == "success", job.log()
    [comment] = github.comments(9)
    body = text_of(comment["body"])
    assert "Welcome to the magazine, Jonas Weber" in body and "first piece" in body
    assert "formbot-owner" not in body
    assert "sent through the site's form" in body  # the `submission` label reached masthead thanks
    assert "@hannah-gh merged it" in body


def test_an_author_first_published_elsewhere_is_not_welcomed_again(github: GitHub) -> None:
    """Anna's first piece reached main without a pull request of hers (by the form or
    `masthead accept`): her first pull request is not her first piece."""
    again = {"content/city/quay-winter.md": story("The quay in winter", "anna-sokolova", "2026-11-22 08:00")}
    github.open_pr(11, "quay-winter", again, user="asokolova")
    job = github.thanks_run(github.merge_pr(11))
    assert job.conclusion == "success", job.log()
    [comment] = github.comments(11)
    body = text_of(comment["body"])
    assert "Welcome" not in body and "first piece" not in body
    assert "Thank you, Anna Sokolova" in body


def test_a_first_time_author_is_welcomed_by_name(github: GitHub) -> None:
    files = dict(NIGHT_BREAD)
    files["contributors/lena-fischer.yml"] += "github: lena-gh\n"
    github.open_pr(12, "night-bread", files, user="lena-gh")
    job = github.thanks_run(github.merge_pr(12))
    assert job.conclusion == "success", job.log()
    [comment] = github.comments(12)
    assert "Welcome to the magazine, Lena Fischer (@lena-gh)" in text_of(comment["body"])


def test_a_closed_unmerged_pull_request_gets_no_thanks(github: GitHub) -> None:
    pr = github.open_pr(13, "night-bread", NIGHT_BREAD)
    pr["state"] = "closed"
    github.save()
    job = github.thanks_run({"action": "closed", "number": 13, "pull_request": pr})
    assert job.conclusion == "skipped" and github.comments(13) == []


# --- publish.yml -----------------------------------------------------------------------------------

NEWER = {"content/city/new-bakery.md": story("The new bakery", "anna-sokolova", "2026-11-25 08:00")}


def rerun_failed_jobs(run: Run, first: dict[str, JobResult]) -> dict[str, JobResult]:
    """GitHub's "Re-run failed jobs": the same run (event, commit, artifacts), next attempt,
    only the jobs that failed (and, on GitHub, those that depend on them)."""
    again = Run(run.world, run.workflow, run.event_name, run.event, run.sha, run.ref, run.run_id,
                checkout_ref=run.checkout_ref, attempt=run.attempt + 1)
    return again.run([name for name, job in first.items() if job.conclusion == "failure"])


def live_text(github: GitHub) -> str:
    return visible_text(github.world.pages / "live" / "index.html")


def test_a_rerun_of_an_older_publish_never_puts_the_older_site_back(github: GitHub) -> None:
    older = github.publish_run(fail={"Deploy"})  # Pages had an outage during this run's deploy
    first = older.run()
    assert "failure" in {j.conclusion for j in first.values()}
    assert not (github.world.pages / "live").exists()
    github.commit_to_main(NEWER, "The new bakery")
    newer = github.publish_run().run()
    assert {j.conclusion for j in newer.values()} == {"success"}, [j.log() for j in newer.values()]
    assert "The new bakery" in live_text(github)
    rerun = rerun_failed_jobs(older, first)
    assert {j.conclusion for j in rerun.values()} == {"success"}, [j.log() for j in rerun.values()]
    assert "The new bakery" in live_text(github), "the re-run deployed the site of an older main"


def test_a_build_overtaken_by_a_push_does_not_deploy(github: GitHub) -> None:
    github.publish_run().run()
    assert "The new bakery" not in live_text(github)

    def push_meanwhile(run: Run) -> None:
        github.commit_to_main(NEWER, "The new bakery")

    run = github.publish_run(before={"Deploy only what is still the tip of main": push_meanwhile})
    [job] = run.run().values()
    assert job.conclusion == "success", job.log()
    assert job.step("Deploy").outcome == "skipped"
    assert "main is now" in job.step("Deploy only what is still the tip of main").log
    assert (github.world.pages / "deploys.log").read_text().count("\n") == 1


def test_a_deploy_compares_its_feeds_with_the_site_online(github: GitHub) -> None:
    """The feed record is fetched from the live site before the build, and publish-notify runs
    after the deploy (the sample names no WebSub hub, so it says so and pings nothing)."""
    [first] = github.publish_run().run().values()
    assert first.conclusion == "success", first.log()
    online = (github.world.pages / "live/feeds/digests.json").read_text(encoding="utf-8")
    github.commit_to_main(NEWER, "The new bakery")
    run = github.publish_run()
    [second] = run.run().values()
    assert (run.temp / "previous-digests.json").read_text(encoding="utf-8") == online  # fetched from the live site
    notify = second.step("Tell the WebSub hub which feeds changed (nothing to do without websub_hub)")
    assert notify.outcome == "success" and "no WebSub hub" in notify.log, second.log()


def test_every_install_is_the_locked_one(github: GitHub) -> None:
    """The runs above install with the lock; the pip shim refuses a lock whose pins are not
    those installed here or lack hashes, so this also checks the lock is what tests run on."""
    github.publish_run().run()
    calls = [json.loads(line) for line in (github.world.root / "pip-calls.jsonl").read_text().splitlines()]
    assert calls and calls[0].get("locked") == "requirements/runtime.txt"
    assert calls[1]["args"] == ["--no-deps", "--no-build-isolation", "-e", "."]


# --- the simulated runner itself ---------------------------------------------------------------------

def test_the_runner_reads_expressions_as_github_does() -> None:
    from .runner import condition, interpolate

    ctx = {"github": {"event": {"pull_request": {"labels": [{"name": "city"}, {"name": "Submission"}]},
                                "workflow_run": {"conclusion": "action_required"}}},
           "steps": {"check": {"outcome": "failure"}}}
    assert interpolate("${{ contains(github.event.pull_request.labels.*.name, 'submission') }}", ctx) == "true"
    assert not condition("github.event.workflow_run.conclusion == 'success' || "
                         "github.event.workflow_run.conclusion == 'failure'", ctx, "success")
    assert condition("steps.check.outcome == 'failure'", ctx, "success")
    assert not condition("steps.check.outcome == 'failure'", ctx, "failure")  # implicit success()
    assert condition("${{ !cancelled() }}", ctx, "failure") and not condition(None, ctx, "failure")
    assert interpolate("a ${{ github.event.missing.deeper }} b", ctx) == "a  b"
