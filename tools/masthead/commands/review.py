"""`masthead review BRANCH`: check a submission as it would land, and build a preview of it."""

from __future__ import annotations

import argparse
import functools
import http.server
import logging
import os
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from masthead import gitrepo
from masthead.domain.problems import ContentError, UsageError
from masthead.domain.review import Summary
from masthead.domain.submissions import form_identity, identity_lines
from masthead.editorial import branch_name, merged_state, review_branch

from .common import parse_moment, repo_root

log = logging.getLogger(__name__)

HELP = """\
Checks a submission branch as it would be on the main branch after `masthead accept`, sums
it up (authors, first piece, words, reading time, section, promise) and builds a preview of
that site, drafts and future stories included under a banner, into a temporary folder.
The work tree, index and branches are left as they are.

Exit status: 0 when the check passes, 1 when it finds errors (no preview is built then).

Examples:
  masthead review submissions/2026-11-22-night-bread-a1b2
  masthead review 2026-11-22-night-bread-a1b2 --serve          # the submissions/ prefix may be left out
  masthead review submissions/x --site-dir /tmp/x --now 2026-12-01
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("review", help="check a submission branch and build a preview of it",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("branch", metavar="BRANCH", help="the submission's branch")
    p.add_argument("--main", default="main", metavar="BRANCH", help="the branch it would go into (default: main)")
    p.add_argument("--site-dir", type=Path, default=None, metavar="DIR",
                   help="where to build the preview (default: a new temporary folder)")
    p.add_argument("--now", type=parse_moment, default=None, metavar="DATETIME",
                   help="build and judge promises as of this moment (default: now)")
    p.add_argument("--serve", action="store_true", help="serve the preview on http://127.0.0.1:PORT/ until Ctrl-C")
    p.add_argument("--port", type=int, default=0,
                   help="the port for --serve (default: a free one, printed; 8000 and 8001 are the demo's)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = repo_root(args)
    now = args.now or datetime.now(timezone.utc)
    branch = branch_name(root, args.branch)
    summary, conflicts = review_branch(root, branch, args.main, now)
    print(render_text(branch, args.main, summary, conflicts))
    for line in form_identity_text(root, branch, summary):
        print(line)
    if not summary.passed:
        print(f"masthead review: the check fails; no preview built. Fix the branch, or decline it:\n"
              f"  masthead decline {branch} --reason \"...\" --editor YOU")
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="masthead-review-"))
    site_dir = (args.site_dir or workdir / "site").resolve()
    httpd = open_server(site_dir, args.port) if args.serve else None  # bound first: the build needs its address
    url = f"http://127.0.0.1:{httpd.server_port}/" if httpd else None
    if not build_preview(root, branch, args.main, workdir / "source", site_dir, now, url):
        if httpd:
            httpd.server_close()
        return 1
    print(f"preview: {site_dir / 'index.html'}")
    print(f"files of the submission as merged: {workdir / 'source'} (delete {workdir} when done)")
    if not conflicts:
        print(f"accept: masthead accept {branch} --editor YOU")
    if httpd:
        serve(httpd)
    return 0


def form_identity_text(root: Path, branch: str, summary: Summary) -> list[str]:
    """What the form service's commit says of the author, beside the registry entry credited."""
    head = gitrepo.branch_head(root, branch)
    if head is None:
        return []
    identity = form_identity(gitrepo.commit_message(root, head))
    return identity_lines(identity, [(a.handle, a.name) for a in summary.authors])


def build_preview(root: Path, branch: str, main: str, source: Path, site_dir: Path, now: datetime,
                  url: str | None) -> bool:
    """Export the merged files into `source` and build them, drafts and future stories shown."""
    from masthead.site.build import build_site

    from masthead import state

    treeish, _ = merged_state(root, branch, main)
    gitrepo.export_tree(root, treeish, source)
    # The exported tree gets a build state of its own, new and empty: nothing kept for another
    # tree (or planted in this one) is trusted for it.
    state.use(source, source.with_name("state"))  # beside the exported tree, not in it
    try:
        build_site(source, site_dir=site_dir, preview=True, now=now, progress=False, url=url)
    except ContentError as exc:
        print(str(exc), file=sys.stderr)
        print("masthead review: the preview could not be built", file=sys.stderr)
        return False
    return True


def render_text(branch: str, main: str, summary: Summary, conflicts: list[str]) -> str:
    verdict = "passes" if summary.passed else f"fails with {summary.errors} error(s)"
    out = [f"{branch} into {main}: the check {verdict}"
           + (f", {summary.warnings} warning(s)" if summary.warnings else "")]
    if conflicts:
        out.append(f"  conflicts with {main} in {', '.join(conflicts)}: checked on its own; accept will refuse")
    for s in summary.stories:
        who = ", ".join(a.name + (" (first piece)" if a.first_piece else "") for a in s.authors)
        when = "draft" if s.draft else ("scheduled " if s.scheduled else "") + s.date.strftime("%Y-%m-%d %H:%M")
        out.append(f"  {'new' if s.status == 'A' else 'changed'}: {s.title}")
        out.append(f"    {s.path}; by {who}; {s.words} words, {s.minutes} min; {s.section}; {when}")
        if s.promise:
            out.append(f"    promise {s.promise.id}: {s.promise.verdict}")
    if not summary.stories:
        out.append("  no story is added or changed")
    out += [f"  removes {p}" for p in summary.removed]
    if summary.other_files:
        out.append(f"  other files: {', '.join(summary.other_files)}")
    out += [f"  {p.text()}" for p in summary.problems]
    if summary.problems_elsewhere:
        out.append(f"  and {summary.problems_elsewhere} problem(s) in files the submission does not touch")
    return "\n".join(out)


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A missing address gets the preview's own 404 page, as `masthead serve` gives."""
        page = os.path.join(self.directory, "404.html")
        if code != 404 or not os.path.isfile(page):
            return super().send_error(code, message, explain)
        with open(page, "rb") as fh:
            body = fh.read()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class PreviewServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A reader's browser hanging up mid-page is logged, not printed as a traceback."""
        log.info("a request from %s failed: %s", client_address, sys.exc_info()[1])


def open_server(site_dir: Path, port: int) -> http.server.ThreadingHTTPServer:
    """A server for the preview on 127.0.0.1:`port` (0: a free port the system picks)."""
    handler = functools.partial(PreviewHandler, directory=str(site_dir))
    try:
        return PreviewServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise UsageError(f"cannot serve the preview on port {port}: {exc.strerror or exc}; "
                         "leave out --port to get a free one, or pick another") from None


def serve(httpd: http.server.ThreadingHTTPServer) -> None:
    with httpd:
        print(f"serving the preview on http://127.0.0.1:{httpd.server_port}/ (Ctrl-C stops)", flush=True)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
