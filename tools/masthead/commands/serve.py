"""`masthead serve`: a live preview on localhost that rebuilds what changed as you write."""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from masthead.domain.problems import ContentError

from .check import print_problems
from .common import repo_root

if TYPE_CHECKING:
    from masthead.site.build import BuildReport
    from mkdocs.livereload import LiveReloadServer
    from masthead.site.session import BuildSession

HELP = """\
Builds a preview of the magazine (drafts and future stories included, each under a
"not published yet" banner) and serves it on http://HOST:PORT/. Every change to content/,
contributors/, site_config/ or theme/ rebuilds what it touches and reloads the browser.
Problems are printed as `masthead check` prints them; the last good preview stays up.

Examples:
  masthead serve
  masthead serve --port 8001 --published-only   # as readers will see it
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("serve", help="preview the site on localhost with live reload", description=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--published-only", action="store_true", help="hide drafts and future stories")
    p.add_argument("--site-dir", type=Path, default=None,
                   help="where the preview is written (default: a temporary folder)")
    p.set_defaults(run=run)


@dataclass
class Preview:
    """One preview: a build session (`site/session.py`) that keeps the loaded magazine, the
    plan and the theme in memory between rebuilds, so that a save re-reads the changed files,
    plans again and writes only the files whose content changed."""

    root: Path
    site_dir: Path
    url: str
    drafts: bool = True
    scratch: Path | None = None  # for the session's few files (default: a temporary folder)
    session: BuildSession = field(init=False)
    reload: Callable[[], None] | None = None  # tells the open pages to reload (live_server.reload_browsers)
    changes: Callable[[], set[str]] | None = None  # the paths the watcher saw change since the last build

    def __post_init__(self) -> None:
        from masthead.site.session import BuildSession

        self.session = BuildSession(self.root, self.site_dir, preview=self.drafts, url=self.url,
                                    scratch=self.scratch)
        self.site_dir = self.session.site_dir

    def rebuild(self) -> bool:
        """Build what changed; on errors print them and keep the last good preview (False).
        The edited story's page is written first; the rest of the site follows on a thread
        (`BuildSession.rebuild_first`), and `reload` then tells the open pages."""
        try:
            first = self.session.rebuild_first(then=self._rest_done,
                                               changed=self.changes() if self.changes is not None else None)
        except ContentError as exc:
            self._failed(exc)
            return False
        if first:
            print(f"wrote the edited page{'s' if first > 1 else ''} ({first}); writing the rest", flush=True)
        return True

    def _rest_done(self, outcome: BuildReport | ContentError) -> None:
        if isinstance(outcome, ContentError):
            self._failed(outcome)
            return
        print(outcome.summary(), flush=True)
        if self.reload is not None:
            self.reload()

    def _failed(self, exc: ContentError) -> None:
        print_problems(exc.problems, "text", out=sys.stderr)
        print("masthead serve: fix the errors above; the last good preview stays up", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    if args.site_dir is not None:
        return serve(args, args.site_dir)
    with tempfile.TemporaryDirectory(prefix="masthead-serve-") as made:  # removed when serving stops
        return serve(args, Path(made) / "site", Path(made))


def start_server(preview: Preview, host: str, port: int) -> LiveReloadServer:
    """The preview's server, not yet serving: rebuilds on the watcher's changes, tells it
    which files changed and the open pages when the rest is written."""
    from masthead.site.live_server import changes_of, preview_server, reload_browsers, watch_magazine

    server = preview_server(preview.rebuild, host, port, preview.site_dir)
    watch_magazine(server, preview.root)
    preview.reload = lambda: reload_browsers(server)
    preview.changes = changes_of(server)
    return server


def serve(args: argparse.Namespace, site_dir: Path, scratch: Path | None = None) -> int:

    preview = Preview(repo_root(args), site_dir.resolve(), f"http://{args.host}:{args.port}/", not args.published_only,
                      scratch)
    preview.rebuild()
    if not preview.site_dir.is_dir():
        return 1
    server = start_server(preview, args.host, args.port)
    print(f"serving {preview.url} (Ctrl+C to stop)", flush=True)
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        preview.session.close()
    return 0
