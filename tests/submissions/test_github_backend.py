"""The GitHub backend through github3.py, against the local stand-in of GitHub's REST API."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from masthead.domain.submissions import short_id, public_ref
from conftest import EMAIL, Running, free_port, magazine_files, service_env, valid
from github_standin import GitHubStandIn

REPO = "acme/weekly"


@pytest.fixture
def github(standin: GitHubStandIn, fresh_store, launch: Callable[..., Running]) -> tuple[Running, GitHubStandIn]:
    standin.add_repo(REPO, magazine_files())
    env = service_env(fresh_store, free_port(), backend="github", repository=REPO, github_api_url=standin.url,
                      max_attempts=4)
    env["MASTHEAD_GITHUB_TOKEN"] = standin.token
    return launch(env), standin


def send(svc: Running, **changes: Any) -> str:
    answer = svc.post(valid(**changes))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def calls(standin: GitHubStandIn, method: str, path: str) -> int:
    return sum(1 for m, p, _ in standin.requests if m == method and p.endswith(path))


def test_a_submission_becomes_a_labelled_pull_request(github) -> None:
    svc, gh = github
    sid = send(svc)
    svc.wait_for([sid])
    record = svc.svc.store.get(sid)
    repo = gh.repos[REPO]
    [pr] = repo.pulls()
    assert record.review_url == f"{gh.url}/{REPO}/pull/{pr['number']}" and record.review_number == pr["number"]
    assert pr["labels"] == ["submission", "city"]
    assert pr["title"] == "Submission: Night buses on the quay"
    assert pr["head_ref"] == record.branch and pr["base_ref"] == "main"
    assert "### Editor's checklist" in pr["body"] and "- [ ] `masthead check` passes" in pr["body"]
    assert f"masthead submissions contact {short_id(sid)}" in pr["body"]
    files = repo.files_at(record.branch)
    assert files["content/city/night-buses-on-the-quay.md"].startswith("---\ntitle: Night buses on the quay\n")
    assert "name: Léa Martin" in files["contributors/lea-martin.yml"]
    head = repo.commits[repo.refs[f"refs/heads/{record.branch}"]]
    assert head["author"]["name"] == "Léa Martin" and head["author"]["email"] == "form@submissions.invalid"
    assert f"Submission-Ref: {public_ref(sid)}" in head["message"]
    assert EMAIL not in str(gh.requests)  # not in a body, a commit or a request of any kind


@pytest.mark.parametrize("status, path, words", [
    (401, r"/repos/acme/weekly$", "refused the token (401 Bad credentials); put a valid token in MASTHEAD_GITHUB_TOKEN"),
    (403, r"/git/trees$", "the token may not do this (403"),
    (404, r"/repos/acme/weekly$", "opening acme/weekly: not found (404 Not Found); check the 'repository'"),
    (404, r"/git/ref/heads/main$", "the base branch 'main' is not in acme/weekly; check the 'base_branch' setting"),
    (422, r"/git/commits$", "GitHub rejected the request (422 Validation Failed"),
])
def test_a_refusal_ends_in_a_clear_failure_and_retry_delivers(github, status: int, path: str, words: str) -> None:
    svc, gh = github
    method = "GET" if path.endswith(("weekly$", "main$")) else "POST"
    gh.fail(method, path, status)
    sid = send(svc)
    svc.wait_for([sid], status="failed")
    record = svc.svc.store.get(sid)
    assert words in record.last_error
    assert record.attempts == 1 and gh.repos[REPO].pulls() == []
    assert svc.svc.store.retry(sid)  # what `masthead submissions retry` does, once the cause is fixed
    svc.svc.worker.wake()
    svc.wait_for([sid])
    assert len(gh.repos[REPO].pulls()) == 1


def test_server_errors_are_retried_until_delivered(github) -> None:
    svc, gh = github
    gh.fail("POST", r"/git/trees$", 502, times=2)
    sid = send(svc)
    svc.wait_for([sid])
    record = svc.svc.store.get(sid)
    assert record.attempts == 3 and calls(gh, "POST", "/git/trees") == 3
    assert len(gh.repos[REPO].pulls()) == 1


@pytest.mark.parametrize("primary", [False, True], ids=["retry-after", "x-ratelimit-reset"])
def test_rate_limits_wait_as_long_as_github_asks(github, primary: bool) -> None:
    svc, gh = github
    gh.rate_limit("POST", r"/pulls$", retry_after=1, primary=primary)
    sid = send(svc)
    svc.wait_for([sid], timeout=20)
    posts = [i for i, (m, p, _) in enumerate(gh.requests) if m == "POST" and p.endswith("/pulls")]
    assert len(posts) == 2 and len(gh.repos[REPO].pulls()) == 1
    assert svc.svc.store.get(sid).attempts == 2


def test_a_retry_after_the_branch_was_made_reuses_it(github) -> None:
    svc, gh = github
    gh.fail("POST", r"/pulls$", 500)
    gh.fail("POST", r"/issues/\d+/labels$", 503)
    sid = send(svc)
    svc.wait_for([sid])
    assert calls(gh, "POST", "/git/refs") == 1  # one branch, made once
    assert len(gh.repos[REPO].pulls()) == 1
    assert gh.repos[REPO].pulls()[0]["labels"] == ["submission", "city"]
    assert svc.svc.store.get(sid).attempts == 3


def test_an_existing_pull_request_is_found_not_duplicated(github) -> None:
    svc, gh = github
    # GitHub says the PR exists (a first attempt's answer was lost on the way back).
    sid = send(svc)
    svc.wait_for([sid])
    record = svc.svc.store.get(sid)
    assert svc.svc.store.retry(sid) is False  # in review: nothing to retry
    svc.svc.store.schedule_retry(sid, "simulated lost answer", 0)
    svc.svc.worker.wake()
    svc.wait_for([sid])
    assert len(gh.repos[REPO].pulls()) == 1 and calls(gh, "POST", "/git/refs") == 1
    assert svc.svc.store.get(sid).review_number == record.review_number


def test_merged_is_published_and_closed_is_declined(github) -> None:
    svc, gh = github
    first, second = send(svc), send(svc, title="Another one", lang="ru")
    svc.wait_for([first, second])
    gh.merge(REPO, svc.svc.store.get(first).review_number)
    gh.close(REPO, svc.svc.store.get(second).review_number)
    svc.svc.worker.housekeeping()
    published, declined = svc.svc.store.get(first), svc.svc.store.get(second)
    assert published.status == "published"
    assert published.published_url == "http://site.test/city/night-buses-on-the-quay/"
    assert declined.status == "declined" and declined.reason == "closed by the editors without publishing"
    receipt = svc.client.get(svc.url + f"submissions/{first}", headers={"Accept": "application/json"}).json()
    assert receipt["status"] == "published" and receipt["url"] == published.published_url


def test_without_a_token_the_service_will_not_start(fresh_store) -> None:
    from masthead.domain.problems import UsageError
    from masthead.submissions.service import build_service

    env = service_env(fresh_store, 1, backend="github", repository=REPO)
    with pytest.raises(UsageError, match="needs a token in the environment variable MASTHEAD_GITHUB_TOKEN"):
        build_service(fresh_store.clone, env)
