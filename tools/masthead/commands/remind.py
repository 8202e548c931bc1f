"""`masthead remind`: the daily digest of promises, printed, or kept in one GitHub issue."""

from __future__ import annotations

import argparse
import os
import re
import sys

from masthead.domain.magazine import Magazine
from masthead.domain.problems import UsageError
from masthead.domain.promises import Delivery, Digest, Windows, digest
from masthead.sources.promise_history import activity, deliveries

from .promise_common import open_desk, today_option

HELP = """\
Prints the promises that need a word today: overdue, due within promises.due_soon_days, and
open ones with no sign of work (no commit to a story naming them, no extension) for
promises.stale_days or more. Both windows are set in site_config/magazine.yml.

With --github the digest is kept in ONE issue labelled 'promise-reminders': opened the first
time, then updated in place every day (closed when nothing is due, reopened when something is).
It mentions contributors who have 'github:' in their registry file; people newly in the digest
are mentioned in a short comment, since GitHub does not notify mentions added by an edit.
The token comes from GITHUB_TOKEN (needs 'issues: write'); the repository from --repo or
GITHUB_REPOSITORY; the API from GITHUB_API_URL (default https://api.github.com).

Examples:
  masthead remind
  masthead remind --today 2026-11-22
  GITHUB_TOKEN=... masthead remind --github --repo confluence-mag/confluence
"""

MARKER = "<!-- masthead:promise-digest -->"
LABEL = "promise-reminders"
MENTION_RE = re.compile(r"(?<![\w`])@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("remind", help="the digest of due, overdue and quiet promises", description=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    today_option(p)
    p.add_argument("--github", action="store_true", help="open or update the one digest issue on GitHub")
    p.add_argument("--repo", metavar="OWNER/NAME", help="the GitHub repository (default: $GITHUB_REPOSITORY)")
    p.add_argument("--no-fetch", action="store_true", help="in a shallow clone, do not fetch the history")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    rows, landing = deliveries(desk.root, desk.magazine, desk.windows, desk.today, deepen=not args.no_fetch)
    if landing.note:
        print(f"masthead: {landing.note}", file=sys.stderr)
    today = digest(rows, desk.today, desk.windows, activity(desk.root, desk.magazine, desk.today))
    text = render(today, desk.magazine, desk.windows, mention=args.github)
    print(text)
    if args.github:
        print(post(today, text, args.repo))
    return 0


def _who(d: Delivery, magazine: Magazine, mention: bool) -> str:
    names = []
    for h in d.promise.contributors:
        person = magazine.people.get(h)
        names.append(f"@{person.github}" if mention and person and person.github else person.name if person else h)
    return ", ".join(names)


def _line(d: Delivery, magazine: Magazine, mention: bool, extra: str = "") -> str:
    topic = magazine.topics.get(d.promise.topic)
    title = topic.title if topic else d.promise.topic
    return f"- **{title}** (`{d.promise.id}`), {_who(d, magazine, mention)}: due {d.promise.due}, {extra or d.describe()}"


def render(today: Digest, magazine: Magazine, windows: Windows, mention: bool = False) -> str:
    """The digest as Markdown: the same text in the terminal and in the issue."""
    out = [f"# Promise reminders, {today.today}", ""]
    parts = [("Overdue", [_line(d, magazine, mention) for d in today.overdue]),
             (f"Due in the next {windows.due_soon_days} days", [_line(d, magazine, mention) for d in today.due_soon]),
             (f"Quiet for {windows.stale_days} days or more",
              [_line(s.delivery, magazine, mention, f"no sign of work for {s.quiet_days} days")
               for s in today.stale])]
    for heading, lines in parts:
        if lines:
            out += [f"## {heading}", "", *lines, ""]
    if today.empty:
        out += ["Nothing is overdue, due soon or quiet. Thank you, everyone.", ""]
    out += ["Need more time? `masthead promise extend ID --due DATE` (before the date, so it still counts as "
            "on time). Can't do it? `masthead promise release ID` gives the topic back, at no cost before the due "
            "date. A promise is delivered when a story with `promise: ID` lands on the main branch."]
    return "\n".join(out)


def post(today: Digest, text: str, repo: str | None) -> str:
    """Open or update the one digest issue; returns what was done."""
    from masthead.forge import Forge  # imported here: printing a digest needs no GitHub client

    repository = repo or os.environ.get("GITHUB_REPOSITORY", "")
    token = os.environ.get("GITHUB_TOKEN", "")
    if not repository or not token:
        raise UsageError("--github needs GITHUB_TOKEN in the environment and --repo OWNER/NAME "
                         "(or GITHUB_REPOSITORY, which GitHub Actions sets)")
    forge = Forge(repository, token, os.environ.get("GITHUB_API_URL", "https://api.github.com"),
                  token_hint="GITHUB_TOKEN")
    body = f"{MARKER}\n{text}\n"
    title = (f"Promise reminders: {len(today.overdue)} overdue, {len(today.due_soon)} due soon, "
             f"{len(today.stale)} quiet")
    issue = forge.find_issue(LABEL, MARKER)
    if issue is None:
        if today.empty:
            return "nothing to remind; no issue opened"
        issue = forge.open_issue(title, body, (LABEL,))
        return f"opened issue #{issue.number}: {issue.url}"
    state = "closed" if today.empty else "open"
    forge.edit_issue(issue.number, title=title, body=body, state=state)
    new = [m for m in dict.fromkeys(MENTION_RE.findall(body)) if m not in set(MENTION_RE.findall(issue.body))]
    if new and not today.empty:
        forge.comment(issue.number, " ".join(f"@{m}" for m in new) + ": you are in today's digest above.")
    verb = "closed (nothing due)" if today.empty else "updated"
    return f"{verb} issue #{issue.number}: {issue.url}"
