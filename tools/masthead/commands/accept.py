"""`masthead accept BRANCH --editor HANDLE`: publish a submission by merging it into main."""

from __future__ import annotations

import argparse
from datetime import datetime, timezone

from masthead.editorial import accept, branch_name

from .common import repo_root
from .review import form_identity_text

HELP = """\
Merges a submission branch into the main branch with a merge commit that names the editor
and thanks the authors (trailers `Accepted-by:` and `Thanks:`), welcoming first-timers.

Works whichever branch is checked out: the merge commit is made without a work tree, and a
work tree that has main checked out is moved forward with it. Refuses, changing nothing,
when the result fails the check, when the branch conflicts with main, or when main is
checked out with uncommitted changes.

Examples:
  masthead accept submissions/2026-11-22-night-bread-a1b2 --editor hannah-reid
  masthead accept 2026-11-22-night-bread-a1b2 --editor hannah-reid --strict   # warnings block too
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("accept", help="merge a submission into main, naming the editor and thanking the authors",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("branch", metavar="BRANCH", help="the submission's branch")
    p.add_argument("--editor", required=True, metavar="HANDLE", help="your handle (an editor in contributors/)")
    p.add_argument("--main", default="main", metavar="BRANCH", help="the branch to merge into (default: main)")
    p.add_argument("--strict", action="store_true", help="refuse on warnings too")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = repo_root(args)
    branch = branch_name(root, args.branch)
    done = accept(root, args.branch, args.editor, args.main, datetime.now(timezone.utc), strict=args.strict)
    first = [a.name for a in done.summary.authors if a.first_piece]
    print(f"accepted {done.summary.title} into {args.main} as {done.commit[:10]}")
    print(f"thanked: {', '.join(a.name for a in done.summary.authors) or 'no author named'}"
          + (f"; first piece of {', '.join(first)}" if first else ""))
    for line in form_identity_text(root, branch, done.summary):
        print(line)
    scheduled = [s.title for s in done.summary.stories if s.scheduled]
    if scheduled:
        print(f"scheduled, appears on its date: {', '.join(scheduled)}")
    print("publish: masthead build (or push main: the site workflow deploys it)")
    return 0
