"""A stand-in for `gh api` on the simulated runner's PATH: it answers the REST calls the
workflows make like GitHub does (the shapes of docs.github.com/rest), keeps GitHub's state in
a JSON file ($GH_STUB_STATE), reads refs from the bare origin, lists the local artifact store,
and records every call ($GH_STUB_CALLS). Unknown routes answer 404, as GitHub does."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

REPOSITORY = "confluence-mag/confluence"
BOT = {"login": "github-actions[bot]", "type": "Bot", "id": 41898282}


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def typed(value: str) -> Any:
    if value.startswith("@"):
        return Path(value[1:]).read_text(encoding="utf-8")
    if value in ("true", "false", "null"):
        return {"true": True, "false": False, "null": None}[value]
    return int(value) if re.fullmatch(r"-?\d+", value) else value


def parse(argv: list[str]) -> tuple[str | None, str, str | None, bool, dict[str, Any]]:
    assert argv and argv[0] == "api", f"the stub knows only `gh api`, not: gh {' '.join(argv)}"
    method, path, jq, paginate, fields = None, "", None, False, {}
    args = iter(argv[1:])
    for arg in args:
        if arg in ("-X", "--method"):
            method = next(args)
        elif arg in ("-q", "--jq"):
            jq = next(args)
        elif arg == "--paginate":
            paginate = True
        elif arg in ("-f", "--raw-field"):
            key, value = next(args).split("=", 1)
            fields[key] = value
        elif arg in ("-F", "--field"):
            key, value = next(args).split("=", 1)
            fields[key] = typed(value)
        elif arg in ("-H", "--header"):
            next(args)
        elif arg.startswith("-"):
            raise AssertionError(f"the stub does not know the option {arg}")
        else:
            path = arg
    return method, path, jq, paginate, fields


def artifacts(run_id: str) -> dict[str, Any]:
    folder = Path(os.environ["GH_STUB_ARTIFACTS"]) / run_id
    names = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    items = [{"id": int(run_id) * 100 + i, "name": n, "expired": False, "size_in_bytes": 1} for i, n in enumerate(names)]
    return {"total_count": len(items), "artifacts": items}


def search(state: dict[str, Any], q: str) -> dict[str, Any]:
    words = q.split()
    author = next((w.split(":", 1)[1] for w in words if w.startswith("author:")), None)
    items = [{"number": p["number"], "user": p["user"]} for p in state.get("pulls", [])
             if p.get("merged") and (author is None or p["user"]["login"] == author)]
    return {"total_count": len(items), "incomplete_results": False, "items": items}


def answer(state: dict[str, Any], method: str, path: str, query: dict[str, str], fields: dict[str, Any]) -> Any:
    route = path.strip("/")
    repo = re.match(r"repos/([^/]+/[^/]+)/(.*)$", route)
    if route == "search/issues" and method == "GET":
        return search(state, query.get("q", ""))
    if not repo or repo[1] != REPOSITORY:
        raise HttpError(404, "Not Found")
    rest = repo[2]
    comments: list[dict[str, Any]] = state.setdefault("comments", [])
    if rest == "pulls" and method == "GET":
        want = query.get("state", "open")
        return [p for p in state.get("pulls", []) if (want == "all" or p["state"] == want)
                and ("base" not in query or p["base"]["ref"] == query["base"])]
    if m := re.fullmatch(r"issues/(\d+)/comments", rest):
        number = int(m[1])
        if not any(p["number"] == number for p in state.get("pulls", [])):
            raise HttpError(404, "Not Found")
        if method == "GET":
            return [c for c in comments if c["issue"] == number]
        if method == "POST":
            assert isinstance(fields.get("body"), str) and fields["body"], "a comment needs a body"
            state["next_id"] = state.get("next_id", 9000) + 1
            comment = {"id": state["next_id"], "issue": number, "body": fields["body"], "user": BOT}
            comments.append(comment)
            return comment
    if m := re.fullmatch(r"issues/comments/(\d+)", rest):
        comment = next((c for c in comments if c["id"] == int(m[1])), None)
        if comment is None:
            raise HttpError(404, "Not Found")
        if method == "PATCH":
            comment["body"] = fields["body"]
        return comment
    if (m := re.fullmatch(r"actions/runs/(\d+)/artifacts", rest)) and method == "GET":
        return artifacts(m[1])
    if (m := re.fullmatch(r"git/ref/heads/(.+)", rest)) and method == "GET":
        done = subprocess.run(["git", "--git-dir", os.environ["GH_STUB_ORIGIN"], "rev-parse", "--verify", "-q",
                               f"refs/heads/{m[1]}"], capture_output=True, text=True)
        if done.returncode != 0:
            raise HttpError(404, "Not Found")
        return {"ref": f"refs/heads/{m[1]}", "object": {"sha": done.stdout.strip(), "type": "commit"}}
    raise HttpError(404, "Not Found")


def main(argv: list[str]) -> int:
    method, target, jq, paginate, fields = parse(argv)
    method = (method or ("POST" if fields else "GET")).upper()
    url = urlsplit(target)
    query = {k: v[-1] for k, v in parse_qs(url.query).items()}
    if method == "GET":
        query.update({k: str(v) for k, v in fields.items()})
        fields = {}
    state_path = Path(os.environ["GH_STUB_STATE"])
    state = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else {}
    with open(os.environ["GH_STUB_CALLS"], "a", encoding="utf-8") as log:
        log.write(json.dumps({"method": method, "path": url.path, "query": query, "fields": fields,
                              "paginate": paginate}) + "\n")
    try:
        response = answer(state, method, url.path, query, fields)
    except HttpError as exc:
        print(f"gh: {exc.message} (HTTP {exc.status})", file=sys.stderr)
        return 1
    state_path.write_text(json.dumps(state, indent=1), encoding="utf-8")
    text = json.dumps(response)
    if jq is None:
        sys.stdout.write(text + "\n")
        return 0
    done = subprocess.run(["jq", "-r", "-c", jq], input=text, capture_output=True, text=True)
    sys.stdout.write(done.stdout)
    if done.returncode != 0:
        print(f"gh: jq: {done.stderr.strip()}", file=sys.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
