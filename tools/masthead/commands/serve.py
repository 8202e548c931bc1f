"""`masthead serve`: a live preview on localhost that rebuilds what changed as you write."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from masthead.domain.problems import ContentError

from .check import print_problems
from .common import repo_root

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


def run(args: argparse.Namespace) -> int:
    from mkdocs.livereload import LiveReloadServer

    from masthead.site.build import build_site

    root = repo_root(args)
    site_dir = args.site_dir or Path(tempfile.mkdtemp(prefix="masthead-serve-")) / "site"
    url = f"http://{args.host}:{args.port}/"

    def rebuild() -> None:
        try:
            report = build_site(root, site_dir=site_dir, preview=not args.published_only, url=url, progress=False)
            print(report.summary(), flush=True)
        except ContentError as exc:
            print_problems(exc.problems, "text", out=sys.stderr)
            print("masthead serve: fix the errors above; the last good preview stays up", file=sys.stderr)

    rebuild()
    if not site_dir.is_dir():
        return 1
    server = LiveReloadServer(builder=rebuild, host=args.host, port=args.port, root=str(site_dir))
    for name in ("content", "contributors", "site_config", "theme"):
        server.watch(str(root / name))
    print(f"serving {url} (Ctrl+C to stop)", flush=True)
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 0
