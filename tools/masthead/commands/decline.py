"""`masthead decline BRANCH --reason ... --editor HANDLE`: say no to a submission, and why."""

from __future__ import annotations

import argparse

from masthead.editorial import decline

from .common import repo_root

HELP = """\
Records why a submission is not published, as a Git note on the tip of its branch
(refs/notes/masthead; `git log --notes=masthead BRANCH` shows it). The branch is kept, so
nothing the author sent is lost; the author's receipt from the send-text service shows the
reason. A new commit on the branch reopens it for review.

Examples:
  masthead decline submissions/2026-11-22-rant-c3d4 --editor hannah-reid \\
      --reason "We publish reporting, not adverts; the shop's opening is news if you talk to its neighbours."
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("decline", help="decline a submission with a reason; the branch is kept",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("branch", metavar="BRANCH", help="the submission's branch")
    p.add_argument("--reason", required=True, help="what the author reads: why, and what would change it")
    p.add_argument("--editor", required=True, metavar="HANDLE", help="your handle (an editor in contributors/)")
    p.add_argument("--main", default="main", metavar="BRANCH", help="the branch it was meant for (default: main)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = repo_root(args)
    branch, record = decline(root, args.branch, args.reason, args.editor, args.main)
    print(f"declined {branch} ({record.on.isoformat()}, by {record.editor}); the branch is kept")
    print(f"reason, as the author sees it: {record.reason}")
    return 0
