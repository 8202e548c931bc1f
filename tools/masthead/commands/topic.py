"""`masthead topic`: propose topics and see which wait for a volunteer."""

from __future__ import annotations

import argparse

from masthead.domain.promises import Topic
from masthead.domain.slugs import is_slug, make_slug
from masthead.sources.promise_history import deliveries
from masthead.sources.promises import TOPICS, write_topic

from .common import need
from .promise_common import PromiseDesk, open_desk, today_option

HELP = """\
A topic is an idea for a piece: proposed by an editor or a volunteer, with a section and notes.
Each topic is one file, contributors/topics/<id>.yml. A volunteer takes one by promising it
(masthead promise add); a topic whose promise is released is free again. See docs/promises.md.

Examples:
  masthead topic add night-buses --title "Who rides the night buses" --section city --by claire-dumont
  masthead topic add --title "The kimchi co-op" --notes "Ask the market hall first"
  masthead topic list            # every topic, and who holds it
  masthead topic list --free     # only those waiting for a volunteer
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("topic", help="propose topics and list them", description=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = p.add_subparsers(dest="verb", metavar="ACTION", required=True)
    add = verbs.add_parser("add", help="propose a topic", description=HELP,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    add.add_argument("id", nargs="?", help="lower-case words joined by hyphens (default: from the title)")
    add.add_argument("--title", required=True, help="what the piece would be about, in a line")
    add.add_argument("--section", default="", help="the section it would appear in")
    add.add_argument("--notes", default="", help="leads, contacts to ask, what to avoid")
    add.add_argument("--by", default="", metavar="HANDLE", help="who proposes it")
    today_option(add)
    add.set_defaults(run=run_add)
    ls = verbs.add_parser("list", help="topics, and who holds each")
    ls.add_argument("--free", action="store_true", help="only topics waiting for a volunteer")
    today_option(ls)
    ls.set_defaults(run=run_list)


def create_topic(desk: PromiseDesk, ident: str, title: str, section: str = "", notes: str = "",
                 proposed_by: str = "") -> Topic:
    """Check and write one topic file."""
    mag = desk.magazine
    need(is_slug(ident), f"'{ident}' cannot be a topic id; try '{make_slug(ident)}'")
    need(ident not in mag.topics, f"topic '{ident}' exists already ({TOPICS}/{ident}.yml)")
    need(not section or mag.settings.section(section) is not None,
         f"unknown section '{section}'; sections: {', '.join(s.id for s in mag.settings.sections)}")
    need(not proposed_by or proposed_by in mag.people, f"unknown contributor '{proposed_by}'")
    topic = Topic(ident, title, "", section, notes, proposed_by, desk.today)
    path = write_topic(desk.root, topic)
    mag.topics[ident] = topic
    print(f"topic: {ident} — {title} ({path.relative_to(desk.root)})")
    return topic


def run_add(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    create_topic(desk, args.id or make_slug(args.title, 60), args.title, args.section, args.notes, args.by)
    return 0


def run_list(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    # Only the work tree is needed to know who holds a topic, so a shallow clone is not deepened.
    rows, _ = deliveries(desk.root, desk.magazine, desk.windows, desk.today, deepen=False)
    holder = {d.promise.topic: d for d in rows if d.status in ("open", "delivered")}
    topics = sorted(desk.magazine.topics.values(), key=lambda t: t.id)
    if args.free:
        topics = [t for t in topics if t.id not in holder]
    if not topics:
        print("no topics" + (" waiting for a volunteer" if args.free else ""))
    for t in topics:
        d = holder.get(t.id)
        who = f"{', '.join(d.promise.contributors)}: {d.describe()}" if d else "free: promise it to take it"
        section = f" [{t.section}]" if t.section else ""
        print(f"{t.id}{section} — {t.title} — {who}")
    return 0
