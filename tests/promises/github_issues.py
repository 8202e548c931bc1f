"""A stand-in for GitHub's issues API on 127.0.0.1, answering in GitHub's documented shapes
(https://docs.github.com/en/rest/issues) so github3.py can drive it like the real thing.

Only what the promise reminders use: the repository, listing issues (state, labels, sort,
direction), creating, reading and editing an issue, and commenting. Every request is logged
so tests can count what was created. When a shared stand-in for the submission tests exists,
these endpoints can move into it as one more section.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

STAMP = "2026-11-22T06:00:00Z"


def _user(base: str, login: str) -> dict[str, Any]:
    url = f"{base}/users/{login}"
    return {"login": login, "id": 1, "node_id": "U1", "avatar_url": "", "gravatar_id": "", "url": url,
            "html_url": f"https://github.example/{login}", "followers_url": f"{url}/followers",
            "following_url": f"{url}/following{{/other_user}}", "gists_url": f"{url}/gists{{/gist_id}}",
            "starred_url": f"{url}/starred{{/owner}}{{/repo}}", "subscriptions_url": f"{url}/subscriptions",
            "organizations_url": f"{url}/orgs", "repos_url": f"{url}/repos", "events_url": f"{url}/events{{/privacy}}",
            "received_events_url": f"{url}/received_events", "type": "Bot", "site_admin": False}


@dataclass
class IssueTracker:
    owner: str = "mag"
    name: str = "confluence"
    token: str = "t0ken"
    issues: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    log: list[tuple[str, str]] = field(default_factory=list)
    base: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def repo_url(self) -> str:
        return f"{self.base}/repos/{self.owner}/{self.name}"

    def repository(self) -> dict[str, Any]:
        url = self.repo_url
        data: dict[str, Any] = {
            "id": 7, "name": self.name, "full_name": f"{self.owner}/{self.name}", "owner": _user(self.base, self.owner),
            "private": False, "html_url": f"https://github.example/{self.owner}/{self.name}", "description": "",
            "fork": False, "url": url, "homepage": None, "language": None, "size": 1, "default_branch": "main",
            "archived": False, "mirror_url": None, "created_at": STAMP, "updated_at": STAMP, "pushed_at": STAMP,
            "forks_count": 0, "stargazers_count": 0, "watchers_count": 0, "open_issues_count": 0,
            "network_count": 0, "subscribers_count": 0, "has_issues": True, "has_wiki": False,
            "has_pages": False, "has_projects": False, "has_downloads": False,
            "clone_url": "", "git_url": "", "ssh_url": "", "svn_url": "",
        }
        for key in ("archive", "assignees", "blobs", "branches", "collaborators", "comments", "commits", "compare",
                    "contents", "contributors", "deployments", "downloads", "events", "forks", "git_commits",
                    "git_refs", "git_tags", "hooks", "issue_comment", "issue_events", "issues", "keys", "labels",
                    "languages", "merges", "milestones", "notifications", "pulls", "releases", "stargazers",
                    "statuses", "subscribers", "subscription", "tags", "teams", "trees"):
            data[f"{key}_url"] = f"{url}/{key.replace('_', '/')}{{/number}}"
        return data

    def make_issue(self, title: str, body: str, labels: list[str]) -> dict[str, Any]:
        number = len(self.issues) + 1
        url = f"{self.repo_url}/issues/{number}"
        issue = {
            "id": 1000 + number, "node_id": f"I{number}", "url": url, "number": number, "title": title, "body": body,
            "body_html": "", "body_text": body, "state": "open", "locked": False, "comments": 0,
            "html_url": f"https://github.example/{self.owner}/{self.name}/issues/{number}",
            "comments_url": f"{url}/comments", "events_url": f"{url}/events",
            "labels_url": f"{url}/labels{{/name}}", "repository_url": self.repo_url,
            "labels": [{"id": i, "url": f"{self.repo_url}/labels/{n}", "name": n, "color": "ededed"}
                       for i, n in enumerate(labels)],
            "assignee": None, "assignees": [], "milestone": None, "closed_at": None, "closed_by": None,
            "created_at": STAMP, "updated_at": STAMP, "user": _user(self.base, "masthead-bot"),
            "author_association": "NONE",
        }
        self.issues.append(issue)
        return issue

    def listing(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        state = query.get("state", ["open"])[0]
        wanted = set(filter(None, query.get("labels", [""])[0].split(",")))
        found = [i for i in self.issues if (state == "all" or i["state"] == state)
                 and wanted <= {label["name"] for label in i["labels"]}]
        return found[::-1] if query.get("direction", ["desc"])[0] == "desc" else found

    def posts(self, suffix: str) -> int:
        """How many POSTs went to a path ending in `suffix`."""
        return sum(1 for method, path in self.log if method == "POST" and path.endswith(suffix))


ISSUE_RE = re.compile(r"^/repos/([^/]+)/([^/]+)/issues(?:/(\d+))?(/comments)?$")


class Handler(BaseHTTPRequestHandler):
    tracker: IssueTracker

    def log_message(self, *args: Any) -> None:  # quiet in test output
        pass

    def _send(self, status: int, data: Any) -> None:
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    def _handle(self, method: str) -> None:
        t = self.tracker
        url = urlparse(self.path)
        t.log.append((method, url.path))
        if self.headers.get("Authorization") != f"token {t.token}":
            return self._send(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
        with t.lock:
            if url.path == f"/repos/{t.owner}/{t.name}" and method == "GET":
                return self._send(200, t.repository())
            m = ISSUE_RE.match(url.path)
            if not m or (m.group(1), m.group(2)) != (t.owner, t.name):
                return self._send(404, {"message": "Not Found"})
            number, comments = m.group(3), m.group(4)
            if number is None:
                if method == "GET":
                    return self._send(200, t.listing(parse_qs(url.query)))
                data = self._body()
                return self._send(201, t.make_issue(data["title"], data.get("body") or "", data.get("labels") or []))
            if int(number) > len(t.issues):
                return self._send(404, {"message": "Not Found"})
            issue = t.issues[int(number) - 1]
            if comments and method == "POST":
                body = self._body()["body"]
                comment = {"id": 5000 + len(t.comments), "url": f"{issue['url']}/comments/{len(t.comments)}",
                           "html_url": issue["html_url"], "issue_url": issue["url"], "body": body, "body_html": "",
                           "body_text": body, "author_association": "NONE", "created_at": STAMP,
                           "updated_at": STAMP, "user": _user(t.base, "masthead-bot"), "number": issue["number"]}
                t.comments.append(comment)
                issue["comments"] += 1
                return self._send(201, comment)
            if method == "PATCH":
                for key, value in self._body().items():
                    if key in ("title", "body", "state"):
                        issue[key] = value
                issue["closed_at"] = STAMP if issue["state"] == "closed" else None
            return self._send(200, issue)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")


class Server:
    """Run the stand-in on 127.0.0.1 on a free port; use as a context manager."""

    def __init__(self) -> None:
        self.tracker = IssueTracker()
        handler = type("BoundHandler", (Handler,), {"tracker": self.tracker})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.tracker.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "Server":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
