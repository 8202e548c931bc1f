"""`masthead promise`: make, extend, release, drop and list promises."""

from __future__ import annotations

import argparse
import sys

from masthead.domain.magazine import Magazine
from masthead.domain.problems import UsageError
from masthead.domain.promises import Delivery, Promise, State, delivering_stories
from masthead.sources.promise_history import deliveries
from masthead.sources.promises import PROMISES, write_promise

from .common import need
from .promise_common import PromiseDesk, due_on, open_desk, parse_days, today_option
from .topic import create_topic

HELP = """\
A promise is a contributor's word that a topic will be written by a date they chose. Each
promise is one file, contributors/promises/<id>.yml, so commit it in a pull request like a story.
It is delivered when a story naming it (front matter 'promise: <id>') lands on the main branch:
nobody marks it delivered by hand. See docs/promises.md.

Examples:
  masthead promise add --by anna-sokolova --topic night-buses --due 2026-12-10
  masthead promise add --by junho-seo --topic kimchi-co-op --title "The kimchi co-op" --due 21d
  masthead promise extend night-buses-anna-sokolova --due 2026-12-20 --reason "interview moved"
  masthead promise release night-buses-anna-sokolova --reason "moving house this month"
  masthead promise list --overdue
  masthead promise list --due-within 7d --by anna-sokolova --today 2026-11-22
"""

def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("promise", help="make, extend, release and list promises", description=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = p.add_subparsers(dest="verb", metavar="ACTION", required=True)
    add = verbs.add_parser("add", help="promise a topic by a date", description=HELP,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    add.add_argument("--by", action="append", required=True, metavar="HANDLE",
                     help="who promises (repeat for a piece written together)")
    add.add_argument("--topic", required=True, metavar="ID", help="the topic's id (masthead topic list)")
    add.add_argument("--title", help="create the topic with this title when it does not exist yet")
    add.add_argument("--due", required=True, metavar="DATE", help="2026-12-01, or days from today: 14d, 2w")
    add.add_argument("--id", help="the promise's id (default: TOPIC-HANDLE)")
    today_option(add)
    add.set_defaults(run=run_add)
    ext = verbs.add_parser("extend", help="move a promise's due date later (the first date stays on record)")
    ext.add_argument("id")
    ext.add_argument("--due", required=True, metavar="DATE", help="the new due date, or days from today")
    ext.add_argument("--reason", default="", help="why, for the record")
    today_option(ext)
    ext.set_defaults(run=run_extend)
    for verb, text in (("release", "give the topic back so someone else can take it"),
                       ("drop", "close a promise for good (editors), with a reason")):
        v = verbs.add_parser(verb, help=text)
        v.add_argument("id")
        v.add_argument("--reason", default="", required=verb == "drop", help="why, for the record")
        today_option(v)
        v.set_defaults(run=run_close, status="released" if verb == "release" else "dropped")
    ls = verbs.add_parser("list", help="open promises, soonest due first")
    ls.add_argument("--overdue", action="store_true", help="only promises past their due date")
    ls.add_argument("--due-within", type=parse_days, metavar="DAYS", help="only those due within DAYS (7d, 2w)")
    ls.add_argument("--by", metavar="HANDLE", help="only this contributor's promises")
    ls.add_argument("--all", action="store_true", help="delivered, released and dropped ones too")
    ls.add_argument("--no-fetch", action="store_true", help="in a shallow clone, do not fetch the history")
    today_option(ls)
    ls.set_defaults(run=run_list)


def _promise(desk: PromiseDesk, ident: str) -> Promise:
    p = desk.magazine.promises.get(ident)
    if p is None:
        raise UsageError(f"no promise '{ident}' in {PROMISES}/ (masthead promise list --all shows them)")
    need(p.status == "open", f"promise '{ident}' is already {p.status}")
    done = delivering_stories(p, desk.magazine.stories)
    need(not done, f"promise '{ident}' is delivered by {done[0].source if done else ''}; nothing to change")
    return p


def run_add(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    mag, handles = desk.magazine, list(dict.fromkeys(args.by))
    for h in handles:
        need(h in mag.people, f"unknown contributor '{h}': register them in contributors/{h}.yml first")
    if args.topic not in mag.topics:
        need(bool(args.title), f"no topic '{args.topic}'; create it with --title \"...\" or masthead topic add")
        create_topic(desk, args.topic, args.title, proposed_by=handles[0])
    held = [p for p in mag.promises.values() if p.topic == args.topic and p.status == "open"]
    need(not held, f"topic '{args.topic}' is already promised ({held[0].source if held else ''}); to write it "
                   "together, add your handle to that file's 'by'")
    due = due_on(args.due, desk.today)
    need(due >= desk.today, f"the due date {due} is before today ({desk.today})")
    ident = args.id or _free_id(f"{args.topic}-{handles[0]}", mag.promises)
    need(ident not in mag.promises, f"promise id '{ident}' is taken")
    promise = Promise(ident, args.topic, tuple(handles), desk.today, due, "")
    path = write_promise(desk.root, promise)
    print(f"promised: {ident} — {', '.join(handles)} will write '{args.topic}' by {due} "
          f"({(due - desk.today).days} days)")
    print(f"wrote {path.relative_to(desk.root)}; commit it, and name 'promise: {ident}' in the story")
    return 0


def _free_id(base: str, taken: dict[str, Promise]) -> str:
    n, ident = 1, base[:80].rstrip("-")
    while ident in taken:
        n += 1
        ident = f"{base[:76].rstrip('-')}-{n}"
    return ident


def run_extend(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    p = _promise(desk, args.id)
    due = due_on(args.due, desk.today)
    need(due > p.due, f"an extension moves the date later: the promise is due {p.due}, not after {due}")
    extended = p.extend(due, desk.today, args.reason)
    write_promise(desk.root, extended)
    note = "" if extended.judged_due == due else (
        f"; asked after {p.due}, so on-time is still judged by {extended.judged_due}")
    print(f"extended: {p.id} is now due {due} (first promised for {p.original_due}){note}")
    return 0


def run_close(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    p = _promise(desk, args.id)
    write_promise(desk.root, p.close(args.status, desk.today, args.reason))
    free = " — the topic is free for someone else" if args.status == "released" else ""
    print(f"{args.status}: {p.id}{free}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    rows, landing = deliveries(desk.root, desk.magazine, desk.windows, desk.today, deepen=not args.no_fetch)
    if landing.note:
        print(f"masthead: {landing.note}", file=sys.stderr)
    rows = [d for d in rows if _wanted(d, args)]
    print_table(rows, desk.magazine)
    return 0


def _wanted(d: Delivery, args: argparse.Namespace) -> bool:
    if args.by and not d.promise.is_by(args.by):
        return False
    if args.overdue or args.due_within is not None:
        return (args.overdue and d.state is State.OVERDUE) or (
            args.due_within is not None and d.state is State.DUE and d.days <= args.due_within)
    return args.all or d.status == "open"


def print_table(rows: list[Delivery], magazine: Magazine) -> None:
    if not rows:
        print("no promises match")
        return
    table = [("ID", "BY", "TOPIC", "DUE", "STATE")]
    for d in rows:
        topic = magazine.topics.get(d.promise.topic)
        table.append((d.promise.id, ", ".join(d.promise.contributors), topic.title if topic else d.promise.topic,
                      str(d.promise.due), d.describe()))
    widths = [min(40, max(len(r[i]) for r in table)) for i in range(4)]
    for r in table:
        print("  ".join(c[:w].ljust(w) for c, w in zip(r, widths)) + "  " + r[4])
