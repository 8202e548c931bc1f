"""`masthead stats`: figures for the editors (not published on the site)."""

from __future__ import annotations

import argparse
from datetime import date, datetime, time

from masthead.domain.journey import STEPS, funnel, journeys
from masthead.domain.stories import is_published
from masthead.sources.promise_history import leading_since

from .promise_common import open_desk, today_option

HELP = """\
stats funnel: the contributor journey, from the registry and Git history.

  applicant      registered in contributors/
  first-promise  made a first promise
  first-piece    had a first piece published
  regular        has N pieces published (promises.regular_pieces in site_config/magazine.yml)
  editor         holds the editor or organiser role (dated from the Git history of their file)

"now" counts people whose furthest step it is; "reached" counts everyone who got there;
"median days" is the time from the step before, over people who took both steps in order.
With --people, each person's step and the days they have spent there: who may need a
personal message.

Examples:
  masthead stats funnel
  masthead stats funnel --people --today 2026-11-22
"""

LABELS = {"applicant": "applicant", "first-promise": "first promise", "first-piece": "first piece",
          "regular": "regular", "editor": "editor/organiser"}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("stats", help="the contributor funnel, for the editors", description=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = p.add_subparsers(dest="verb", metavar="REPORT", required=True)
    f = verbs.add_parser("funnel", help="how many people are at each step, and how long steps take",
                         description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    f.add_argument("--people", action="store_true", help="list each person's step and days spent there")
    today_option(f)
    f.set_defaults(run=run_funnel)


def run_funnel(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    mag = desk.magazine
    end_of_day = datetime.combine(desk.today, time.max, mag.settings.timezone)
    pieces: dict[str, list[date]] = {}
    for s in mag.stories:
        if is_published(s, end_of_day):
            for a in s.authors:
                pieces.setdefault(a, []).append(mag.local_day(s.date))
    made = [p for p in mag.promises.values() if p.made <= desk.today]
    people = journeys(mag.people, made, pieces, desk.windows.regular_pieces,
                      leading_since(desk.root, mag, desk.windows.branch))
    print(f"{'step':<18}{'now':>5}{'reached':>9}  median days from the step before")
    for row in funnel(people):
        median = "—" if row.median_days is None else f"{row.median_days:g} (over {row.samples})"
        print(f"{LABELS[row.step]:<18}{row.now:>5}{row.reached:>9}  {'' if row.step == STEPS[0] else median}")
    if args.people:
        print()
        waiting = sorted(people, key=lambda j: (STEPS.index(j.step), -(j.since(desk.today) or 0), j.handle))
        for j in waiting:
            days = j.since(desk.today)
            print(f"{j.handle:<24}{LABELS[j.step]:<18}{'' if days is None else f'{days} days'}")
    return 0
