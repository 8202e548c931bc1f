"""A stand-in for GitHub's REST API: a real HTTP server on 127.0.0.1 that answers the requests
masthead makes the way GitHub documents them (shapes, status codes, error bodies, rate-limit
headers), with repositories kept in memory.

Drive it through github3.py pointed at `standin.url` (masthead.forge.Forge(..., api_url=url)).
Failures are injected with `fail(...)`: 401, 403, 404, 422, 5xx, and rate limits carrying
`Retry-After` or `X-RateLimit-Remaining: 0`. Every request is logged in `requests`.

Endpoints: repositories; git refs, commits and trees; contents; pull requests (list, create,
get); issues (get, create, list, edit) with labels and comments (the promise reminders).
Editors' actions (merge, close) are methods, not endpoints.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

DOCS = "https://docs.github.com/rest"
STAMP = "2026-01-01T00:00:00Z"


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    status: int
    times: int
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Repo:
    owner: str
    name: str
    blobs: dict[str, bytes] = field(default_factory=dict)
    trees: dict[str, dict[str, str]] = field(default_factory=dict)  # sha -> {path: blob sha}, flattened
    commits: dict[str, dict[str, Any]] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)  # "refs/heads/main" -> commit sha
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)  # pull requests are issues too
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    next_number: int = 1
    default_branch: str = "main"

    @property
    def full(self) -> str:
        return f"{self.owner}/{self.name}"

    def files_at(self, ref: str) -> dict[str, str]:
        """The files of a branch (or commit), as text: what tests assert on."""
        sha = self.refs.get(f"refs/heads/{ref}", ref)
        tree = self.trees[self.commits[sha]["tree"]]
        return {path: self.blobs[blob].decode("utf-8") for path, blob in tree.items()}

    def pulls(self) -> list[dict[str, Any]]:
        return [i for i in self.issues.values() if i.get("pull")]


def _sha(kind: str, data: bytes) -> str:
    return hashlib.sha1(f"{kind} {len(data)}\0".encode() + data).hexdigest()


class GitHubStandIn:
    def __init__(self, token: str = "standin-token", login: str = "formbot") -> None:
        self.token, self.login = token, login
        self.repos: dict[str, Repo] = {}
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str, Any]] = []
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "GitHubStandIn":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- setting the scene ---------------------------------------------------------------------

    def add_repo(self, full_name: str, files: dict[str, str], branch: str = "main") -> Repo:
        owner, name = full_name.split("/")
        repo = Repo(owner, name, default_branch=branch)
        tree = {path: self._blob(repo, text.encode("utf-8")) for path, text in files.items()}
        tree_sha = self._tree(repo, tree)
        repo.refs[f"refs/heads/{branch}"] = self._commit(repo, "Initial commit", tree_sha, [],
                                                         {"name": "Editor", "email": "ed@example.org", "date": STAMP})
        self.repos[full_name] = repo
        return repo

    def fail(self, method: str, path: str, status: int, *, times: int = 1, message: str | None = None,
             headers: dict[str, str] | None = None, errors: list[dict[str, Any]] | None = None) -> None:
        """Answer the next `times` requests matching `method` and the regex `path` with `status`."""
        body: dict[str, Any] = {"message": message or _REASONS.get(status, "Error"), "documentation_url": DOCS}
        if errors:
            body["errors"] = errors
        self.faults.append(Fault(method.upper(), re.compile(path), status, times, body, headers or {}))

    def rate_limit(self, method: str, path: str, retry_after: int = 1, *, times: int = 1,
                   primary: bool = False) -> None:
        """A secondary rate limit (403 + Retry-After), or the primary one (X-RateLimit-Remaining: 0)."""
        if primary:
            self.fail(method, path, 403, times=times, message="API rate limit exceeded for user ID 1.",
                      headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + retry_after)})
        else:
            self.fail(method, path, 403, times=times, headers={"Retry-After": str(retry_after)},
                      message="You have exceeded a secondary rate limit. Please wait a few minutes before you try again.")

    def merge(self, full_name: str, number: int) -> None:
        """What an editor pressing "Merge" does: the base branch gets the head's commit."""
        repo = self.repos[full_name]
        pr = repo.issues[number]
        head = repo.refs[f"refs/heads/{pr['head_ref']}"]
        merge = self._commit(repo, f"Merge pull request #{number}", repo.commits[head]["tree"],
                             [repo.refs[f"refs/heads/{pr['base_ref']}"], head],
                             {"name": "Editor", "email": "ed@example.org", "date": STAMP})
        repo.refs[f"refs/heads/{pr['base_ref']}"] = merge
        pr.update(state="closed", merged=True)

    def close(self, full_name: str, number: int) -> None:
        self.repos[full_name].issues[number]["state"] = "closed"

    # --- objects -------------------------------------------------------------------------------

    def _blob(self, repo: Repo, data: bytes) -> str:
        sha = _sha("blob", data)
        repo.blobs[sha] = data
        return sha

    def _tree(self, repo: Repo, entries: dict[str, str]) -> str:
        sha = _sha("tree", json.dumps(sorted(entries.items())).encode())
        repo.trees[sha] = dict(entries)
        return sha

    def _commit(self, repo: Repo, message: str, tree: str, parents: list[str], author: dict[str, str]) -> str:
        data = {"message": message, "tree": tree, "parents": parents, "author": author, "committer": author}
        sha = _sha("commit", json.dumps(data, sort_keys=True).encode())
        repo.commits[sha] = data
        return sha

    # --- the API ------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, str], body: Any,
               auth: str) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            self.requests.append((method, path, body))
            for fault in self.faults:
                if fault.times > 0 and fault.method == method and fault.path.search(path):
                    fault.times -= 1
                    return fault.status, fault.body, fault.headers
            if auth.split(" ", 1)[-1] != self.token or not auth.lower().startswith(("token ", "bearer ")):
                return 401, {"message": "Bad credentials", "documentation_url": DOCS}, {}
            for verb, pattern, name in ROUTES:
                match = pattern.fullmatch(path)
                if verb == method and match:
                    repo = self.repos.get(f"{match['owner']}/{match['repo']}")
                    if repo is None:
                        return _not_found()
                    return getattr(self, name)(repo, match, query, body)
            return _not_found()

    def get_repo(self, repo: Repo, m: re.Match[str], q: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        return 200, self.repo_json(repo), {}

    def get_ref(self, repo: Repo, m: re.Match[str], q: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        ref = "refs/" + m["ref"]
        if ref not in repo.refs:
            return _not_found()
        return 200, self.ref_json(repo, ref), {}

    def create_ref(self, repo: Repo, m: re.Match[str], q: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        ref, sha = body.get("ref", ""), body.get("sha", "")
        if not ref.startswith("refs/") or ref.count("/") < 2:
            return _invalid("ref", "Reference name is invalid")
        if sha not in repo.commits:
            return _invalid("sha", "Object does not exist")
        if ref in repo.refs:
            return 422, {"message": "Reference already exists", "documentation_url": DOCS}, {}
        repo.refs[ref] = sha
        return 201, self.ref_json(repo, ref), {}

    def get_commit(self, repo: Repo, m: re.Match[str], q: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        if m["sha"] not in repo.commits:
            return _not_found()
        return 200, self.commit_json(repo, m["sha"]), {}

    def create_commit(self, repo: Repo, m: re.Match[str], q: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        if body.get("tree") not in repo.trees or any(p not in repo.commits for p in body.get("parents", [])):
            return _invalid("tree", "Tree SHA does not exist")
        author = body.get("author") or {"name": self.login, "email": f"{self.login}@users.noreply", "date": STAMP}
        sha = self._commit(repo, body.get("message", ""), body["tree"], list(body.get("parents", [])), author)
        return 201, self.commit_json(repo, sha), {}

    def create_tree(self, repo: Repo, m: re.Match[str], q: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        base = body.get("base_tree")
        if base and base not in repo.trees:
            return _invalid("base_tree", "Invalid tree info")
        entries = dict(repo.trees[base]) if base else {}
        for item in body.get("tree", []):
            path = item.get("path", "")
            if not path or path.startswith("/") or ".." in path.split("/"):
                return _invalid("tree.path", "tree.path contains a malformed path component")
            if "content" in item:
                entries[path] = self._blob(repo, item["content"].encode("utf-8"))
            elif item.get("sha") in repo.blobs:
                entries[path] = item["sha"]
            else:
                return _invalid("tree.sha", "tree.sha is not a valid blob")
        sha = self._tree(repo, entries)
        return 201, {"sha": sha, "url": f"{self._api(repo)}/git/trees/{sha}", "truncated": False,
                     "tree": [{"path": p, "mode": "100644", "type": "blob", "sha": s, "size": len(repo.blobs[s]),
                               "url": f"{self._api(repo)}/git/blobs/{s}"} for p, s in sorted(entries.items())]}, {}

    def get_contents(self, repo: Repo, m: re.Match[str], q: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        branch = q.get("ref", repo.default_branch)
        sha = repo.refs.get(f"refs/heads/{branch}")
        path = unquote(m["path"])
        blob = repo.trees[repo.commits[sha]["tree"]].get(path) if sha else None
        if blob is None:
            return _not_found()
        data, api = repo.blobs[blob], self._api(repo)
        return 200, {"type": "file", "encoding": "base64", "size": len(data), "name": path.rsplit("/", 1)[-1],
                     "path": path, "content": base64.b64encode(data).decode(), "sha": blob,
                     "url": f"{api}/contents/{path}", "git_url": f"{api}/git/blobs/{blob}",
                     "html_url": f"{self.url}/{repo.full}/blob/{branch}/{path}",
                     "download_url": f"{self.url}/raw/{repo.full}/{branch}/{path}",
                     "_links": {"self": f"{api}/contents/{path}", "git": f"{api}/git/blobs/{blob}",
                                "html": f"{self.url}/{repo.full}/blob/{branch}/{path}"}}, {}

    def list_pulls(self, repo: Repo, m: re.Match[str], q: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        state, head = q.get("state", "open"), q.get("head", "")
        found = [p for p in repo.pulls() if state == "all" or p["state"] == state]
        if head:
            owner, _, branch = head.partition(":")
            found = [p for p in found if p["head_ref"] == branch and owner == repo.owner]
        return 200, [self.pull_json(repo, p) for p in sorted(found, key=lambda p: -p["number"])], {}

    def create_pull(self, repo: Repo, m: re.Match[str], q: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        head, base = body.get("head", ""), body.get("base", "")
        head = head.split(":", 1)[-1]
        if f"refs/heads/{head}" not in repo.refs or f"refs/heads/{base}" not in repo.refs:
            return _invalid("head" if f"refs/heads/{head}" not in repo.refs else "base", "invalid", code="invalid")
        if any(p["head_ref"] == head and p["state"] == "open" for p in repo.pulls()):
            return 422, {"message": "Validation Failed", "documentation_url": DOCS, "errors": [
                {"resource": "PullRequest", "code": "custom",
                 "message": f"A pull request already exists for {repo.owner}:{head}."}]}, {}
        pr = self._issue(repo, body.get("title", ""), body.get("body") or "", pull=True)
        pr.update(head_ref=head, base_ref=base, merged=False)
        return 201, self.pull_json(repo, pr), {}

    def get_pull(self, repo: Repo, m: re.Match[str], q: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        pr = repo.issues.get(int(m["number"]))
        if pr is None or not pr.get("pull"):
            return _not_found()
        return 200, self.pull_json(repo, pr), {}

    def create_issue(self, repo: Repo, m: re.Match[str], q: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        if not body.get("title"):
            return _invalid("title", "missing_field", code="missing_field")
        issue = self._issue(repo, body["title"], body.get("body") or "", pull=False)
        issue["labels"] = list(body.get("labels") or [])
        return 201, self.issue_json(repo, issue), {}

    def list_issues(self, repo: Repo, m: re.Match[str], q: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        state = q.get("state", "open")
        found = [i for i in repo.issues.values() if state == "all" or i["state"] == state]
        wanted = {x for x in q.get("labels", "").split(",") if x}  # promise reminders: ?labels=a,b
        found = [i for i in found if wanted <= set(i["labels"])]
        return 200, [self.issue_json(repo, i) for i in sorted(found, key=lambda i: -i["number"])], {}

    def get_issue(self, repo: Repo, m: re.Match[str], q: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        issue = repo.issues.get(int(m["number"]))
        return (200, self.issue_json(repo, issue), {}) if issue else _not_found()

    def add_labels(self, repo: Repo, m: re.Match[str], q: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        issue = repo.issues.get(int(m["number"]))
        if issue is None:
            return _not_found()
        names = body.get("labels", []) if isinstance(body, dict) else body
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            return _invalid("labels", "labels must be a list of names")
        issue["labels"] = list(dict.fromkeys([*issue["labels"], *names]))
        return 200, [self.label_json(repo, n) for n in issue["labels"]], {}

    def create_comment(self, repo: Repo, m: re.Match[str], q: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        number = int(m["number"])
        if number not in repo.issues:
            return _not_found()
        if not body.get("body"):
            return _invalid("body", "missing_field", code="missing_field")
        comments = repo.comments.setdefault(number, [])
        comment = {"id": 1000 + sum(len(c) for c in repo.comments.values()), "body": body["body"]}
        comments.append(comment)
        return 201, self.comment_json(repo, number, comment), {}

    def list_comments(self, repo: Repo, m: re.Match[str], q: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        number = int(m["number"])
        return 200, [self.comment_json(repo, number, c) for c in repo.comments.get(number, [])], {}

    # --- promise reminders: editing an issue (PATCH /repos/{owner}/{repo}/issues/{number}) -----

    def edit_issue(self, repo: Repo, m: re.Match[str], q: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        issue = repo.issues.get(int(m["number"]))
        if issue is None:
            return _not_found()
        if body.get("state") not in (None, "open", "closed"):
            return _invalid("state", "state must be open or closed", code="invalid")
        issue.update({k: body[k] for k in ("title", "body", "state") if body.get(k) is not None})
        return 200, self.issue_json(repo, issue), {}

    # --- shapes, as GitHub documents them -------------------------------------------------------

    def _api(self, repo: Repo) -> str:
        return f"{self.url}/repos/{repo.full}"

    def _issue(self, repo: Repo, title: str, body: str, pull: bool) -> dict[str, Any]:
        number = repo.next_number
        repo.next_number += 1
        issue = {"number": number, "title": title, "body": body, "state": "open", "labels": [], "pull": pull}
        repo.issues[number] = issue
        return issue

    def user_json(self, login: str) -> dict[str, Any]:
        base = f"{self.url}/users/{login}"
        return {"login": login, "id": 1, "node_id": "U_1", "type": "User", "site_admin": False, "gravatar_id": "",
                "avatar_url": f"{self.url}/avatars/{login}", "url": base, "html_url": f"{self.url}/{login}",
                **{f"{k}_url": f"{base}/{k}" for k in ("followers", "repos", "organizations", "received_events")},
                "following_url": f"{base}/following{{/other_user}}", "gists_url": f"{base}/gists{{/gist_id}}",
                "starred_url": f"{base}/starred{{/owner}}{{/repo}}", "subscriptions_url": f"{base}/subscriptions",
                "events_url": f"{base}/events{{/privacy}}"}

    def repo_json(self, repo: Repo) -> dict[str, Any]:
        api = self._api(repo)
        plain = ("assignees", "branches", "collaborators", "comments", "commits", "compare", "contents",
                 "contributors", "deployments", "downloads", "events", "forks", "git_commits", "git_refs",
                 "git_tags", "hooks", "issue_comment", "issue_events", "issues", "keys", "labels", "languages",
                 "merges", "milestones", "notifications", "pulls", "releases", "stargazers", "statuses",
                 "subscribers", "subscription", "tags", "teams", "trees", "blobs", "archive")
        urls = {f"{k}_url": f"{api}/{k.replace('_', '/')}" for k in plain}
        return {"id": 1, "node_id": "R_1", "name": repo.name, "full_name": repo.full, "private": False,
                "owner": self.user_json(repo.owner), "html_url": f"{self.url}/{repo.full}", "description": "",
                "fork": False, "url": api, **urls, "homepage": "", "language": "Python", "forks_count": 0,
                "stargazers_count": 0, "watchers_count": 0, "size": 1, "default_branch": repo.default_branch,
                "open_issues_count": 0, "has_issues": True, "has_projects": False, "has_wiki": False,
                "has_pages": False, "has_downloads": False, "archived": False, "disabled": False,
                "pushed_at": STAMP, "created_at": STAMP, "updated_at": STAMP, "subscribers_count": 0,
                "network_count": 0, "clone_url": f"{self.url}/{repo.full}.git", "git_url": f"git:{repo.full}.git",
                "ssh_url": f"git@standin:{repo.full}.git", "svn_url": f"{self.url}/{repo.full}", "mirror_url": None,
                "permissions": {"admin": False, "push": True, "pull": True}}

    def ref_json(self, repo: Repo, ref: str) -> dict[str, Any]:
        sha = repo.refs[ref]
        return {"ref": ref, "node_id": "REF_1", "url": f"{self._api(repo)}/git/{ref}",
                "object": {"type": "commit", "sha": sha, "url": f"{self._api(repo)}/git/commits/{sha}"}}

    def commit_json(self, repo: Repo, sha: str) -> dict[str, Any]:
        c, api = repo.commits[sha], self._api(repo)
        return {"sha": sha, "node_id": "C_1", "url": f"{api}/git/commits/{sha}",
                "html_url": f"{self.url}/{repo.full}/commit/{sha}", "author": c["author"], "committer": c["committer"],
                "message": c["message"], "tree": {"sha": c["tree"], "url": f"{api}/git/trees/{c['tree']}"},
                "parents": [{"sha": p, "url": f"{api}/git/commits/{p}", "html_url": f"{self.url}/{repo.full}/commit/{p}"}
                            for p in c["parents"]],
                "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None}}

    def label_json(self, repo: Repo, name: str) -> dict[str, Any]:
        return {"id": abs(hash(name)) % 10_000, "node_id": "L_1", "url": f"{self._api(repo)}/labels/{name}",
                "name": name, "description": "", "color": "ededed", "default": False}

    def issue_json(self, repo: Repo, issue: dict[str, Any]) -> dict[str, Any]:
        api, n = self._api(repo), issue["number"]
        data = {"id": n, "node_id": f"I_{n}", "number": n, "title": issue["title"], "body": issue["body"],
                "state": issue["state"], "url": f"{api}/issues/{n}", "html_url": f"{self.url}/{repo.full}/issues/{n}",
                "labels_url": f"{api}/issues/{n}/labels{{/name}}", "comments_url": f"{api}/issues/{n}/comments",
                "events_url": f"{api}/issues/{n}/events", "repository_url": api,
                "labels": [self.label_json(repo, x) for x in issue["labels"]], "user": self.user_json(self.login),
                "assignee": None, "assignees": [], "milestone": None, "locked": False, "active_lock_reason": None,
                "comments": len(repo.comments.get(n, [])), "closed_at": None, "created_at": STAMP,
                "updated_at": STAMP, "closed_by": None, "body_html": "", "body_text": issue["body"],
                "author_association": "OWNER"}
        if issue.get("pull"):
            data["pull_request"] = {"url": f"{api}/pulls/{n}", "html_url": f"{self.url}/{repo.full}/pull/{n}",
                                    "diff_url": f"{self.url}/{repo.full}/pull/{n}.diff",
                                    "patch_url": f"{self.url}/{repo.full}/pull/{n}.patch"}
        return data

    def _dest(self, repo: Repo, branch: str) -> dict[str, Any]:
        return {"label": f"{repo.owner}:{branch}", "ref": branch, "sha": repo.refs.get(f"refs/heads/{branch}", ""),
                "user": self.user_json(repo.owner), "repo": self.repo_json(repo)}

    def pull_json(self, repo: Repo, pr: dict[str, Any]) -> dict[str, Any]:
        api, n, html = self._api(repo), pr["number"], f"{self.url}/{repo.full}/pull/{pr['number']}"
        return {"id": n, "node_id": f"PR_{n}", "number": n, "url": f"{api}/pulls/{n}", "html_url": html,
                "diff_url": f"{html}.diff", "patch_url": f"{html}.patch", "issue_url": f"{api}/issues/{n}",
                "commits_url": f"{api}/pulls/{n}/commits", "review_comments_url": f"{api}/pulls/{n}/comments",
                "review_comment_url": f"{api}/pulls/comments{{/number}}", "comments_url": f"{api}/issues/{n}/comments",
                "statuses_url": f"{api}/statuses/{repo.refs.get('refs/heads/' + pr['head_ref'], '')}",
                "state": pr["state"], "locked": False, "active_lock_reason": None, "title": pr["title"],
                "body": pr["body"], "body_html": "", "body_text": pr["body"], "user": self.user_json(self.login),
                "labels": [self.label_json(repo, x) for x in pr["labels"]], "assignee": None, "assignees": [],
                "requested_reviewers": [], "requested_teams": [], "milestone": None, "created_at": STAMP,
                "updated_at": STAMP, "closed_at": None, "merged_at": STAMP if pr["merged"] else None,
                "merge_commit_sha": None, "head": self._dest(repo, pr["head_ref"]),
                "base": self._dest(repo, pr["base_ref"]), "draft": False, "merged": pr["merged"],
                "mergeable": True, "mergeable_state": "clean", "merged_by": None, "comments": 0,
                "review_comments": 0, "commits": 1, "additions": 1, "deletions": 0, "changed_files": 1,
                "author_association": "OWNER",
                "_links": {"self": {"href": f"{api}/pulls/{n}"}, "html": {"href": html},
                           "issue": {"href": f"{api}/issues/{n}"}, "comments": {"href": f"{api}/issues/{n}/comments"},
                           "review_comments": {"href": f"{api}/pulls/{n}/comments"},
                           "review_comment": {"href": f"{api}/pulls/comments{{/number}}"},
                           "commits": {"href": f"{api}/pulls/{n}/commits"},
                           "statuses": {"href": f"{api}/statuses/{pr['head_ref']}"}}}

    def comment_json(self, repo: Repo, number: int, comment: dict[str, Any]) -> dict[str, Any]:
        api = self._api(repo)
        return {"id": comment["id"], "node_id": f"IC_{comment['id']}", "body": comment["body"],
                "body_html": "", "body_text": comment["body"],  # github3's IssueComment needs both
                "url": f"{api}/issues/comments/{comment['id']}", "issue_url": f"{api}/issues/{number}",
                "html_url": f"{self.url}/{repo.full}/issues/{number}#issuecomment-{comment['id']}",
                "user": self.user_json(self.login), "created_at": STAMP, "updated_at": STAMP,
                "author_association": "OWNER"}


_REASONS = {400: "Problems parsing JSON", 401: "Bad credentials", 403: "Resource not accessible by integration",
            404: "Not Found", 409: "Conflict", 422: "Validation Failed", 500: "Server Error",
            502: "Server Error", 503: "Service Unavailable"}
REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
ROUTES = [(verb, re.compile(REPO + pattern), name) for verb, pattern, name in [
    ("GET", r"", "get_repo"),
    ("GET", r"/git/ref/(?P<ref>.+)", "get_ref"),
    ("GET", r"/git/refs/(?P<ref>.+)", "get_ref"),
    ("POST", r"/git/refs", "create_ref"),
    ("GET", r"/git/commits/(?P<sha>[0-9a-f]{40})", "get_commit"),
    ("POST", r"/git/commits", "create_commit"),
    ("POST", r"/git/trees", "create_tree"),
    ("GET", r"/contents/(?P<path>.+)", "get_contents"),
    ("GET", r"/pulls", "list_pulls"),
    ("POST", r"/pulls", "create_pull"),
    ("GET", r"/pulls/(?P<number>\d+)", "get_pull"),
    ("GET", r"/issues", "list_issues"),
    ("POST", r"/issues", "create_issue"),
    ("GET", r"/issues/(?P<number>\d+)", "get_issue"),
    ("POST", r"/issues/(?P<number>\d+)/labels", "add_labels"),
    ("GET", r"/issues/(?P<number>\d+)/comments", "list_comments"),
    ("POST", r"/issues/(?P<number>\d+)/comments", "create_comment"),
    ("PATCH", r"/issues/(?P<number>\d+)", "edit_issue"),  # promise reminders
]]


def _not_found() -> tuple[int, Any, dict[str, str]]:
    return 404, {"message": "Not Found", "documentation_url": DOCS}, {}


def _invalid(name: str, message: str, code: str = "custom") -> tuple[int, Any, dict[str, str]]:
    return 422, {"message": "Validation Failed", "documentation_url": DOCS,
                 "errors": [{"resource": "Request", "field": name, "code": code, "message": message}]}, {}


def _handler(standin: GitHubStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = 64 * 1024  # headers and body leave in one write (no Nagle/delayed-ACK stalls)
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read `requests`
            return

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else {}
            except json.JSONDecodeError:
                status, data, headers = 400, {"message": "Problems parsing JSON", "documentation_url": DOCS}, {}
            else:
                status, data, headers = standin.handle(self.command, parts.path.rstrip("/"), query, body,
                                                       self.headers.get("Authorization", ""))
            out = json.dumps(data).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(out)))
            self.send_header("X-GitHub-Request-Id", "STANDIN:1")
            self.send_header("X-RateLimit-Limit", "5000")
            for name, value in {"X-RateLimit-Remaining": "4999",
                                "X-RateLimit-Reset": str(int(time.time()) + 3600), **headers}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    return Handler
