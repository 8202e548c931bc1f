"""`masthead thanks`: the comment that thanks the authors of a merged submission, and welcomes
those for whom it is their first piece (masthead's rule: no story on the base names them)."""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from masthead.domain.review import Summary
from masthead.editorial import changes_between, read_ref, summary_of

from .common import repo_root, write_output
from .pr_summary import md

HELP = """\
Writes the comment a merged pull request gets: it names the authors of the stories it adds
(from the story files and their contributor files, never the account that opened the pull
request, which for a form submission is the send-text service's), welcomes each one whose
first piece it is (no story on BASE names them, the rule of `pr-summary` and `accept`), and
thanks everyone else.

BASE is main as it was before the merge (for a merge or squash commit M: M^1), HEAD is M.

Examples:
  masthead thanks --base "$MERGED^1" --head "$MERGED" --editor hannah-gh --output thanks.md
  masthead thanks --base main~1 --head main --submission --format json
"""

LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")


@dataclass(frozen=True)
class Thanked:
    handle: str
    name: str
    github: str  # their login from their contributor file, or ""
    first_piece: bool


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("thanks", help="the thank-you comment for a merged submission (first pieces welcomed)",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base", required=True, metavar="REF", help="main before the merge, e.g. MERGE_SHA^1")
    p.add_argument("--head", required=True, metavar="REF", help="the merge, e.g. MERGE_SHA")
    p.add_argument("--editor", default="", metavar="LOGIN", help="the GitHub login of the editor who merged it")
    p.add_argument("--opener", default="", metavar="LOGIN",
                   help="who opened the pull request: thanked when it adds no story (ignored with --submission)")
    p.add_argument("--submission", action="store_true",
                   help="it came through the send-text form: the opener is the service, not an author")
    p.add_argument("--format", choices=("markdown", "json"), default="markdown")
    p.add_argument("--output", metavar="FILE", type=Path, default=None, help="write here instead of stdout")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = repo_root(args)
    head = read_ref(root, args.head)
    summary = summary_of(changes_between(root, args.base, args.head), head, read_ref(root, args.base),
                         datetime.now(timezone.utc))
    people = head.magazine.people if head.magazine else {}
    authors = thanked(summary, {h: p.github for h, p in people.items()})
    opener = "" if args.submission else login(args.opener)
    body = render(authors, login(args.editor), opener, args.submission)
    text = body if args.format == "markdown" else json.dumps(
        {"authors": [a.__dict__ for a in authors], "submission": args.submission, "body": body},
        ensure_ascii=False, indent=2) + "\n"
    write_output(args.output, text)
    return 0


def login(text: str) -> str:
    """A GitHub login safe to mention, or "" (bots like `github-actions[bot]` are not mentioned)."""
    return text if LOGIN.match(text) else ""


def thanked(summary: Summary, github: dict[str, str]) -> list[Thanked]:
    """The authors of the stories the merge adds, in order, each once."""
    seen: dict[str, Thanked] = {}
    for story in summary.stories:
        if story.status != "A":
            continue
        for a in story.authors:
            seen.setdefault(a.handle, Thanked(a.handle, a.name, login(github.get(a.handle, "")), a.first_piece))
    return list(seen.values())


def who(author: Thanked) -> str:
    return md(author.name) + (f" (@{author.github})" if author.github else "")


def render(authors: list[Thanked], editor: str, opener: str, submission: bool) -> str:
    merged = f"@{editor} merged it" if editor else "An editor merged it"
    lines: list[str] = []
    first = [a for a in authors if a.first_piece]
    again = [a for a in authors if not a.first_piece]
    if first:
        lines.append(f"Welcome to the magazine, {', '.join(who(a) for a in first)}, and thank you: "
                     f"this is {'your first piece' if len(first) == 1 else 'the first piece of each of you'} with us!")
    if again:
        lines.append(f"Thank you, {', '.join(who(a) for a in again)}, for writing for the magazine again.")
    if not authors:
        lines.append(f"Thank you, @{opener}!" if opener else "Thank you to the author of this contribution!")
    lines += ["", f"{merged}; it goes live on its date (the site is rebuilt every hour)."]
    if submission:
        lines.append("It was sent through the site's form: the author's receipt page shows the link once it is live.")
    elif first:
        lines += ["Your author page lists everything you publish. When you want to write again, take an open",
                  "topic from the promise board, or send your next piece the way you sent this one."]
    return "\n".join(lines) + "\n"
