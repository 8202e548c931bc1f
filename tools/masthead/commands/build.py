"""`masthead build`: the static site, atomically and incrementally."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from masthead.domain.problems import ContentError

from .check import print_problems

if TYPE_CHECKING:
    from masthead.site.build import BuildReport
from .common import parse_moment, repo_root

SHOWN_WARNINGS = 20  # a build shows a few; `masthead check` shows them all

HELP = """\
Builds the whole magazine (stories, lists, author pages, the masthead, the leaderboard,
feeds, search and sitemap) into site/.

Only what changed since the last build is rendered, on every core; the new site replaces
the old one in a single step, so a failed build leaves the previous site as it was.
The build checks everything first, like `masthead check`, and stops on errors; with
--keep-going it publishes every valid story and leaves out those with errors (and what
depends only on them), reports their problems as `check` does, and exits with status 1.
What it keeps between builds (the build state) lives outside the repository, in
~/.cache/masthead/ (or $XDG_CACHE_HOME/masthead/), or where --state-dir or
MASTHEAD_STATE_DIR say (to keep it in a CI cache). masthead only ever replaces a site
folder it made; it refuses a symbolic link or a foreign non-empty folder.

Examples:
  masthead build                          # into site/
  masthead build --preview                # also drafts and future stories, under a banner
  masthead build --now 2027-03-01         # as the site will be on that day
  masthead build --site-dir /tmp/preview  # somewhere else
  masthead build --clean                  # forget the build state and rebuild everything
  masthead build --verify                 # then build clean beside it and compare (exit 1 on a difference)
  masthead build --state-dir .ci-state    # keep the build state there
  masthead build --keep-going             # publish what is valid while editors fix the rest
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("build", help="build the site into site/", description=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--site-dir", metavar="DIR", type=Path, default=None, help="where to write (default: site/)")
    p.add_argument("--preview", action="store_true",
                   help="include drafts and future stories, marked 'not published yet'")
    p.add_argument("--now", metavar="WHEN", type=parse_moment, default=None,
                   help="build as of this date or date-time (default: now); decides what is published")
    p.add_argument("--site-url", metavar="URL", default=None,
                   help="public address of the site (default: site_url in site_config/mkdocs.yml)")
    p.add_argument("--clean", action="store_true",
                   help="forget the build state and make every file anew (the old site stays until the new one is done)")
    p.add_argument("--verify", action="store_true",
                   help="after building, build clean into a temporary folder and report any difference (exit 1)")
    p.add_argument("--state-dir", metavar="DIR", type=Path, default=None,
                   help="where the build state is kept (default: $MASTHEAD_STATE_DIR, else ~/.cache/masthead/...)")
    p.add_argument("--keep-going", action="store_true",
                   help="leave out stories (and contributors) with errors, build the rest, exit 1 if any were left out")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show a progress bar (default: on a terminal, not in CI)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = repo_root(args)
    if args.state_dir is not None:
        from masthead import state

        state.use(root, args.state_dir)
    fresh, digest = up_to_date(root, args)
    if fresh:
        return verify(root, args) if args.verify else 0
    from masthead.site.build import build_site  # heavy: only when there is work to do

    try:
        report = build_site(root, site_dir=args.site_dir, preview=args.preview, now=args.now,
                            progress=args.progress, url=args.site_url, clean=args.clean, digest=digest,
                            keep_going=args.keep_going)
    except ContentError as exc:
        print_problems(exc.problems, "text", out=sys.stderr)
        print("masthead build: stopped; the previous site is unchanged", file=sys.stderr)
        return 1
    if report.left_out:
        return left_out(report)
    if report.problems:
        shown = report.problems[:SHOWN_WARNINGS]
        print_problems(shown, "text", out=sys.stderr, summary=False)
        more = f", the first {len(shown)} shown above; `masthead check` lists them all" if len(report.problems) > len(shown) else ""
        print(f"masthead build: {len(report.problems)} warning(s){more}", file=sys.stderr)
    print(report.summary())
    return verify(root, args) if args.verify else 0


def left_out(report: "BuildReport") -> int:
    """`--keep-going` left files out: every problem as `check` shows it, what was left out, 1."""
    print_problems(report.problems, "text", out=sys.stderr)
    print(f"masthead build --keep-going: {len(report.left_out)} file(s) with errors left out of the site:",
          file=sys.stderr)
    for path in report.left_out:
        print(f"  {path}", file=sys.stderr)
    print(report.summary())
    return 1


def verify(root: Path, args: argparse.Namespace) -> int:
    """`--verify`: the site just built against a clean build of the same tree."""
    import time

    from masthead.site.build import verify_site

    started = time.perf_counter()
    try:
        differ = verify_site(root, site_dir=args.site_dir, preview=args.preview, now=args.now,
                             progress=False, url=args.site_url)
    except ContentError as exc:
        print_problems(exc.problems, "text", out=sys.stderr)
        print("masthead build --verify: the clean build failed", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    if differ:
        print(f"masthead build --verify: {len(differ)} file(s) differ from a clean build:", file=sys.stderr)
        for path in differ[:50]:
            print(f"  {path}", file=sys.stderr)
        if len(differ) > 50:
            print(f"  and {len(differ) - 50} more", file=sys.stderr)
        return 1
    print(f"verified: the site equals a clean build ({seconds:.2f} s)")
    return 0


def up_to_date(root: Path, args: argparse.Namespace) -> tuple[bool, str | None]:
    """The quick answer for an unchanged magazine, before loading anything heavy; also the
    digest of the inputs, which the build then need not compute again."""
    from datetime import datetime, timezone

    from masthead.site import freshness
    from masthead.site.publish import check_site, site_path

    if args.clean:
        return False, None
    site_dir = site_path(args.site_dir or root / "site")
    check_site(site_dir)
    digest = freshness.inputs_digest(root, freshness.build_options(args.preview, args.site_url, site_dir, None))
    now = args.now or datetime.now(timezone.utc)
    if freshness.is_fresh(site_dir, freshness.records_of(root, site_dir), digest, now):
        print(f"{site_dir} is up to date: nothing changed since the last build")
        return True, digest
    return False, digest
