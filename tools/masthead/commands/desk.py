"""`masthead desk`: the editor's view: what waits, what publishes when, and how the week is going."""

from __future__ import annotations

import argparse
import json
import os
from datetime import datetime
from typing import Any

from masthead.domain.desk import Desk, Pending, describe_age
from masthead.domain.promises import Delivery
from masthead.domain.stories import Story
from masthead.domain.problems import UsageError
from masthead.domain.submissions import short_id
from masthead.editorial import build_desk, pending_pulls
from masthead.submissions.store import Record

from .common import parse_day, parse_moment, repo_root
from .submissions import failed_submissions

HELP = """\
Shows, in a terminal:
  - submissions waiting for review: local `submissions/*` branches (and, with --github,
    open pull requests), oldest first, with their check status and age;
  - promises overdue or due soon (when the magazine keeps promises);
  - what publishes today and this week, against the daily target;
  - the community vs editorial share of this week's pieces, against its target.

Examples:
  masthead desk
  masthead desk --today 2026-11-23          # as of the end of that day
  masthead desk --github --repository owner/magazine   # token in $GITHUB_TOKEN
  masthead desk --format json
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("desk", help="the editor's desk: submissions, promises, schedule, share",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    when = p.add_mutually_exclusive_group()
    when.add_argument("--today", type=parse_day, metavar="DATE", help="show the desk as of the end of DATE")
    when.add_argument("--now", type=parse_moment, metavar="DATETIME", help="show the desk as of DATETIME")
    p.add_argument("--main", default="main", metavar="BRANCH", help="the branch that publishes (default: main)")
    p.add_argument("--github", action="store_true", help="also list open pull requests on GitHub")
    p.add_argument("--repository", metavar="OWNER/NAME", default=os.environ.get("GITHUB_REPOSITORY", ""),
                   help="the GitHub repository (default: $GITHUB_REPOSITORY)")
    p.add_argument("--token-env", default="GITHUB_TOKEN", metavar="NAME",
                   help="the environment variable holding the GitHub token (default: GITHUB_TOKEN)")
    p.add_argument("--api-url", default=os.environ.get("GITHUB_API_URL", "https://api.github.com"),
                   help="the GitHub API (default: $GITHUB_API_URL or https://api.github.com)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = repo_root(args)
    pulls = None
    if args.github:
        token = os.environ.get(args.token_env, "")
        if not args.repository or not token:
            raise UsageError(f"--github needs --repository OWNER/NAME (or $GITHUB_REPOSITORY) and a token in "
                             f"${args.token_env}")
        pulls = pending_pulls(args.repository, token, args.main, args.api_url)
    desk = build_desk(root, args.main, args.now, args.today, pulls)
    failed = failed_submissions(root)
    if args.format == "json":
        data = json.loads(render_json(desk))
        data["failed_submissions"] = [{"ref": short_id(r.id), "title": r.title, "error": r.last_error}
                                      for r in failed]
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(render_text(desk) + render_failed(failed), end="")
    return 0


def render_failed(failed: list[Record]) -> str:
    """Form submissions whose delivery finally failed: the author's receipt says so, and a
    person has to fix the cause."""
    if not failed:
        return ""
    out = ["", f"Form submissions that failed delivery ({len(failed)}): the authors' receipts say "
           "\"failed, the editors have been told\""]
    out += [f"  {short_id(r.id)}  {r.title[:60]}: {r.last_error[:120]}" for r in failed]
    out.append("  next: fix the cause, then masthead submissions retry ID (or retry --failed)")
    return "\n".join(out) + "\n"


# --- text ---------------------------------------------------------------------------------

def _pending_line(p: Pending, now: datetime, width: int) -> str:
    who = ", ".join(p.authors) or "unknown author"
    link = f" {p.url}" if p.url else ""
    return f"  {p.ref:<{width}}  {p.status:<22} {describe_age(p.age(now)):>9}  {p.title} ({who}){link}"


def _story_line(s: Story, desk: Desk, tz: Any) -> str:
    local = s.date.astimezone(tz)
    state = "live" if s.date <= desk.now else f"at {local:%H:%M}"
    return f"    {local:%a %d} {state:<8} {s.title} ({', '.join(desk.name(a) for a in s.authors)})"


def _promise_line(d: Delivery, desk: Desk) -> str:
    who = ", ".join(desk.name(h) for h in d.promise.contributors)
    return f"  {d.promise.id}: {who}, {d.describe()} (due {d.promise.due.isoformat()})"


def render_text(desk: Desk) -> str:
    now, plan = desk.now, desk.schedule
    tz = now.tzinfo
    out = [f"masthead desk, {desk.today:%A %d %B %Y}", ""]
    width = max([len(p.ref) for p in desk.pending + desk.declined] + [10])
    out.append(f"Waiting for review ({len(desk.pending)})")
    out += [_pending_line(p, now, width) for p in desk.pending] or ["  nothing waiting"]
    if desk.pending:
        out.append("  next: masthead review BRANCH, then masthead accept BRANCH --editor YOU "
                   "or masthead decline BRANCH --reason \"...\" --editor YOU")
    if desk.declined:
        out += ["", f"Declined, kept on their branches ({len(desk.declined)})"]
        out += [f"  {p.ref:<{width}}  {p.title}: {p.declined}" for p in desk.declined]
    if desk.promises is not None:
        d = desk.promises
        out += ["", f"Promises: {len(d.overdue)} overdue, {len(d.due_soon)} due soon"]
        out += [_promise_line(x, desk) for x in (*d.overdue, *d.due_soon)] or ["  none overdue or due soon"]
    today = plan.on_today
    target = plan.daily_target
    out += ["", "Publishing",
            f"  today: {len(today)} of {target:g} a day{'' if len(today) >= target else ' (short)'}"]
    out += [_story_line(s, desk, tz) for s in today]
    first, last = plan.days[0].day, plan.days[-1].day
    out.append(f"  this week ({first:%d %b} to {last:%d %b}): {plan.week_count} of {plan.week_target:g}")
    out += [_story_line(s, desk, tz) for d in plan.days if d.day != desk.today for s in d.stories]
    if plan.short_days:
        out.append("  short of the target: " + ", ".join(f"{d:%a %d}" for d in plan.short_days))
    share = desk.share
    total = share.editorial + share.community
    pct = f"{share.community_share:.0%}" if total else "no pieces yet"
    verdict = "met" if share.met else "below target"
    out += ["", f"Community share this week: {share.community} community, {share.editorial} editorial "
                f"({pct}); target {share.target:.0%}: {verdict}"]
    out += ["", *[f"note: {n}" for n in desk.notes]] if desk.notes else []
    return "\n".join(out) + "\n"


# --- json -----------------------------------------------------------------------------------

def _pending_json(p: Pending, now: datetime) -> dict[str, Any]:
    return {"ref": p.ref, "title": p.title, "authors": list(p.authors), "status": p.status,
            "errors": p.errors, "warnings": p.warnings, "conflict": p.conflict, "declined": p.declined,
            "since": p.since.isoformat(), "age_hours": round(p.age(now).total_seconds() / 3600, 1), "url": p.url}


def render_json(desk: Desk) -> str:
    plan = desk.schedule
    data: dict[str, Any] = {
        "now": desk.now.isoformat(), "today": desk.today.isoformat(),
        "pending": [_pending_json(p, desk.now) for p in desk.pending],
        "declined": [_pending_json(p, desk.now) for p in desk.declined],
        "schedule": {"daily_target": plan.daily_target, "today": [s.source for s in plan.on_today],
                     "week": {d.day.isoformat(): [s.source for s in d.stories] for d in plan.days},
                     "week_count": plan.week_count, "week_target": plan.week_target,
                     "short_days": [d.isoformat() for d in plan.short_days]},
        "share": {"community": desk.share.community, "editorial": desk.share.editorial,
                  "community_share": desk.share.community_share, "target": desk.share.target,
                  "met": desk.share.met},
        "promises": None if desk.promises is None else {
            "overdue": [_promise_json(d) for d in desk.promises.overdue],
            "due_soon": [_promise_json(d) for d in desk.promises.due_soon]},
        "notes": list(desk.notes),
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _promise_json(d: Delivery) -> dict[str, Any]:
    return {"id": d.promise.id, "by": list(d.promise.contributors), "due": d.promise.due.isoformat(),
            "state": d.state.value, "days": d.days}

