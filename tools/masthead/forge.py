"""The one module that imports github3.py: everything masthead asks of GitHub goes through here.

`Forge` is the project's GitHub adapter, a small door the rest of the code talks to (tests
drive it against a local stand-in server). Sections, one per feature:
  - common: connecting, and turning GitHub's failures into `ForgeError`s that say whether to retry
  - branches and pull requests: what the send-text service needs
  - promise reminders: finding, opening and updating the one digest issue
Issue and comment calls belong in sections of their own below.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

import github3
from github3 import exceptions as gh

from masthead.domain.problems import MastheadError

T = TypeVar("T")
DEFAULT_API = "https://api.github.com"


class ForgeError(MastheadError):
    """GitHub did not do what was asked. `transient` errors are worth retrying, after
    `retry_after` seconds when GitHub said how long to wait; the others need a person."""

    def __init__(self, message: str, *, transient: bool = False, retry_after: float | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after
        self.status = status


class BranchExists(ForgeError):
    """The branch is already on GitHub: an earlier delivery got that far."""


@dataclass(frozen=True)
class Issue:
    """An issue, as the promise reminders need it."""

    number: int
    url: str
    state: str  # open or closed
    body: str


@dataclass(frozen=True)
class PullRequest:
    number: int
    url: str  # the page a person opens
    state: str  # open or closed
    merged: bool


# --- common -------------------------------------------------------------------------------

def _wait_from(headers: Any) -> float | None:
    """Seconds GitHub asks us to wait: Retry-After, or until the rate-limit window resets."""
    after = headers.get("Retry-After")
    if after is not None:
        try:
            return max(0.0, float(after))
        except ValueError:
            return None
    if headers.get("X-RateLimit-Remaining") == "0" and headers.get("X-RateLimit-Reset"):
        try:
            return max(0.0, float(headers["X-RateLimit-Reset"]) - time.time())
        except ValueError:
            return None
    return None


def translate(exc: Exception, what: str, token_hint: str) -> ForgeError:
    """A github3 exception as a ForgeError that names what failed and what to do."""
    if isinstance(exc, gh.TransportError):
        return ForgeError(f"{what}: GitHub could not be reached ({exc}); will retry", transient=True)
    if not isinstance(exc, gh.ResponseError):
        return ForgeError(f"{what}: {exc}")
    code, msg = exc.code, exc.msg or "no message"
    wait = _wait_from(exc.response.headers)
    if code in (403, 429) and (wait is not None or "rate limit" in str(msg).lower()):
        return ForgeError(f"{what}: GitHub's rate limit ({code} {msg}); will retry", transient=True,
                          retry_after=wait, status=code)
    if code == 401:
        return ForgeError(f"{what}: GitHub refused the token (401 {msg}); put a valid token in "
                          f"{token_hint}, restart the service, then 'masthead submissions retry --failed'",
                          status=code)
    if code == 403:
        return ForgeError(f"{what}: the token may not do this (403 {msg}); it needs write access to "
                          "contents and pull requests of the repository", status=code)
    if code == 404:
        return ForgeError(f"{what}: not found (404 {msg}); check the 'repository' and 'base_branch' settings, "
                          "and that the token can see the repository", status=code)
    if code == 422:
        detail = "; ".join(str(e.get("message") or e) if isinstance(e, dict) else str(e) for e in exc.errors)
        return ForgeError(f"{what}: GitHub rejected the request (422 {msg}{': ' + detail if detail else ''})",
                          status=code)
    if code >= 500:
        return ForgeError(f"{what}: GitHub had an error ({code} {msg}); will retry", transient=True,
                          retry_after=wait, status=code)
    return ForgeError(f"{what}: GitHub answered {code} {msg}", status=code)


class Forge:
    """One repository on GitHub (or GitHub Enterprise, or a stand-in at `api_url`)."""

    def __init__(self, repository: str, token: str, api_url: str = DEFAULT_API, *,
                 token_hint: str = "the token's environment variable", timeout: float = 10.0) -> None:
        owner, _, name = repository.partition("/")
        if not owner or not name or "/" in name:
            raise ForgeError(f"'{repository}' is not a GitHub repository; write it as owner/name")
        self.owner, self.name, self.token_hint = owner, name, token_hint
        self._gh = github3.GitHub(token=token)
        # github3 joins every path to session.base_url; GitHub Enterprise's is <host>/api/v3.
        self._gh.session.base_url = api_url.rstrip("/")
        self._gh.session.default_connect_timeout = timeout
        self._gh.session.default_read_timeout = timeout
        self._repo: Any = None

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except (gh.ResponseError, gh.TransportError) as exc:
            raise translate(exc, what, self.token_hint) from None

    def _repository(self) -> Any:
        if self._repo is None:
            repo = self._call(f"opening {self.owner}/{self.name}", lambda: self._gh.repository(self.owner, self.name))
            if repo is None:
                raise ForgeError(f"repository {self.owner}/{self.name} not found; check the 'repository' setting",
                                 status=404)
            self._repo = repo
        return self._repo

    # --- branches and pull requests ------------------------------------------------------

    def branch_head(self, branch: str) -> str | None:
        """The commit at the tip of `branch`, or None when there is no such branch."""
        repo = self._repository()
        try:
            ref = repo.ref(f"heads/{branch}")
        except gh.NotFoundError:
            return None
        except (gh.ResponseError, gh.TransportError) as exc:
            raise translate(exc, f"reading branch '{branch}'", self.token_hint) from None
        return str(ref.object.sha) if ref is not None else None

    def commit_message(self, sha: str) -> str:
        commit = self._call(f"reading commit {sha[:10]}", lambda: self._repository().git_commit(sha))
        return str(commit.message) if commit is not None else ""

    def existing_paths(self, branch: str, paths: list[str]) -> set[str]:
        """Those of `paths` that exist on `branch`."""
        repo, found = self._repository(), set()
        for path in paths:
            try:
                repo.file_contents(path, ref=branch)
                found.add(path)
            except gh.NotFoundError:
                continue
            except (gh.ResponseError, gh.TransportError) as exc:
                raise translate(exc, f"looking for {path}", self.token_hint) from None
        return found

    def create_branch(self, base: str, branch: str, files: dict[str, str], message: str,
                      author: dict[str, str]) -> str:
        """`branch` from the tip of `base`, with one commit adding `files`; returns the commit.
        Raises BranchExists when the branch is already there."""
        repo = self._repository()
        base_sha = self.branch_head(base)
        if base_sha is None:
            raise ForgeError(f"the base branch '{base}' is not in {self.owner}/{self.name}; "
                             "check the 'base_branch' setting", status=404)
        base_commit = self._call("reading the base commit", lambda: repo.git_commit(base_sha))
        entries = [{"path": p, "mode": "100644", "type": "blob", "content": c} for p, c in files.items()]
        tree = self._call("writing the tree", lambda: repo.create_tree(entries, base_tree=base_commit.tree.sha))
        commit = self._call("writing the commit",
                            lambda: repo.create_commit(message, tree.sha, [base_sha], author=author))
        try:
            repo.create_ref(f"refs/heads/{branch}", commit.sha)
        except gh.UnprocessableEntity as exc:
            if "already exists" in str(exc.msg).lower():
                raise BranchExists(f"branch '{branch}' already exists", status=422) from None
            raise translate(exc, f"creating branch '{branch}'", self.token_hint) from None
        except (gh.ResponseError, gh.TransportError) as exc:
            raise translate(exc, f"creating branch '{branch}'", self.token_hint) from None
        return str(commit.sha)

    def find_pull_request(self, branch: str) -> PullRequest | None:
        """The pull request (open or closed) whose head is `branch`, if there is one."""
        repo = self._repository()
        found = self._call(f"looking for the pull request of '{branch}'",
                           lambda: list(repo.pull_requests(state="all", head=f"{self.owner}:{branch}")))
        return self.pull_request(found[0].number) if found else None

    def pull_request(self, number: int) -> PullRequest:
        pr = self._call(f"reading pull request #{number}", lambda: self._repository().pull_request(number))
        return PullRequest(int(pr.number), str(pr.html_url), str(pr.state), bool(pr.merged))

    def open_pull_request(self, title: str, body: str, head: str, base: str,
                          labels: tuple[str, ...] = ()) -> PullRequest:
        """A pull request from `head` into `base`, labelled; an existing one for `head` is reused."""
        repo = self._repository()
        existing = self.find_pull_request(head)
        if existing is None:
            try:
                created = repo.create_pull(title, base, head, body)
            except gh.UnprocessableEntity as exc:
                existing = self.find_pull_request(head) if "already exists" in str(exc.errors).lower() else None
                if existing is None:
                    raise translate(exc, f"opening the pull request for '{head}'", self.token_hint) from None
            except (gh.ResponseError, gh.TransportError) as exc:
                raise translate(exc, f"opening the pull request for '{head}'", self.token_hint) from None
            else:
                existing = PullRequest(int(created.number), str(created.html_url), str(created.state), False)
        if labels:
            self.add_labels(existing.number, labels)
        return existing

    def add_labels(self, number: int, labels: tuple[str, ...]) -> None:
        """Add labels to an issue or pull request (GitHub creates labels it does not know)."""
        issue = self._call(f"reading #{number}", lambda: self._repository().issue(number))
        self._call(f"labelling #{number}", lambda: issue.add_labels(*labels))


    # --- promise reminders: one digest issue, found again by its label and marker ---------

    def find_issue(self, label: str, marker: str) -> Issue | None:
        """The newest issue, open or closed, labelled `label` whose body holds `marker`."""
        repo = self._repository()
        found = self._call(f"looking for the issue labelled '{label}'",
                           lambda: list(repo.issues(state="all", labels=label, sort="created", direction="desc")))
        for i in found:
            if not getattr(i, "pull_request_urls", None) and marker in (i.body or ""):
                return Issue(int(i.number), str(i.html_url), str(i.state), str(i.body or ""))
        return None

    def open_issue(self, title: str, body: str, labels: tuple[str, ...] = ()) -> Issue:
        created = self._call("opening an issue",
                             lambda: self._repository().create_issue(title, body=body, labels=list(labels)))
        return Issue(int(created.number), str(created.html_url), str(created.state), body)

    def edit_issue(self, number: int, *, title: str | None = None, body: str | None = None,
                   state: str | None = None) -> None:
        """Change an issue's title, body or state (open, closed); None leaves a part as it is."""
        issue = self._call(f"reading #{number}", lambda: self._repository().issue(number))
        changes = {k: v for k, v in (("title", title), ("body", body), ("state", state)) if v is not None}
        self._call(f"editing #{number}", lambda: issue.edit(**changes))

    def comment(self, number: int, body: str) -> None:
        issue = self._call(f"reading #{number}", lambda: self._repository().issue(number))
        self._call(f"commenting on #{number}", lambda: issue.create_comment(body))


# --- editorial desk: open pull requests and the state of their checks ----------------------

@dataclass(frozen=True)
class OpenPull:
    """An open pull request as the editor's desk lists it."""

    number: int
    title: str
    author: str  # the GitHub login that opened it
    opened: Any  # datetime, aware
    url: str
    head_sha: str
    labels: tuple[str, ...]
    checks: str  # passing, failing, pending, or none


FAILED_CONCLUSIONS = ("failure", "timed_out", "cancelled", "action_required", "startup_failure")


def check_state(forge: Forge, sha: str) -> str:
    """The overall state of the check runs on one commit (GET /repos/{o}/{r}/commits/{sha}/check-runs)."""
    repo = forge._repository()
    url = repo._build_url("commits", sha, "check-runs", base_url=repo._api)
    data = forge._call(f"reading the checks of {sha[:10]}",
                       lambda: repo._json(repo._get(url, params={"per_page": 100}), 200)) or {}
    runs = data.get("check_runs", [])
    if not runs:
        return "none"
    if any(r.get("conclusion") in FAILED_CONCLUSIONS for r in runs):
        return "failing"
    if any(r.get("status") != "completed" for r in runs):
        return "pending"
    return "passing"


def open_pulls(forge: Forge, base: str) -> list[OpenPull]:
    """Open pull requests into `base`, oldest first, each with its checks' state."""
    repo = forge._repository()
    pulls = forge._call("listing open pull requests",
                        lambda: list(repo.pull_requests(state="open", base=base, sort="created", direction="asc")))
    return [OpenPull(int(pr.number), str(pr.title), str(pr.user.login), pr.created_at, str(pr.html_url),
                     str(pr.head.sha), tuple(str(x["name"]) for x in pr.labels), check_state(forge, pr.head.sha))
            for pr in pulls]
