"""`masthead accreditations`: the editors' view of the press accreditation requests."""

from __future__ import annotations

import argparse
import json
import os
from datetime import datetime, timezone
from pathlib import Path

from masthead.domain.accreditation import ACCEPTED, DECLINED, STATUSES, answer_text
from masthead.domain.problems import UsageError
from masthead.domain.submissions import short_id

from .common import repo_root

HELP = """\
Lists the accreditation requests journalists sent through an event's form
(events/<slug>/accreditation/ on the site) and answers them. An ID is the one the list shows
(its first 8 characters are enough; 4 will do when they are unique).

  masthead accreditations list [--event SLUG] [--status pending]   the requests, oldest first
  masthead accreditations accept ID [--note "..."]                 accept, and tell them by e-mail
  masthead accreditations decline ID [--note "..."]                decline, and tell them by e-mail

The answer is sent over SMTP when MASTHEAD_SMTP_HOST and MASTHEAD_SMTP_FROM are set (the same
settings as `masthead newsletter --send`, docs/reach.md), in the language the request was made
in. The requester's address is then deleted from the store; `--keep-contact` keeps it,
`--no-mail` records the answer without sending (then the address stays, for a person to write).
The address is never printed, logged or written to the repository.
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("accreditations", help="list and answer press accreditation requests for events",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the requests, oldest first")
    listing.add_argument("--event", help="only this event's requests (its slug)")
    listing.add_argument("--status", choices=STATUSES, help="only requests with this status")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    listing.set_defaults(run=run_list)
    for name, status in (("accept", ACCEPTED), ("decline", DECLINED)):
        a = actions.add_parser(name, help=f"{name} a request and answer it by e-mail",
                               description=f"{name.capitalize()} a request.\n\nExample:\n  masthead accreditations "
                               f"{name} 3f2a9c1d --note \"...\"", formatter_class=argparse.RawDescriptionHelpFormatter)
        a.add_argument("id")
        a.add_argument("--note", default="", help="a sentence added to the answer")
        a.add_argument("--no-mail", action="store_true", help="record the answer without sending it")
        a.add_argument("--keep-contact", action="store_true", help="keep the address after answering")
        a.set_defaults(run=run_answer, status=status)


def open_store(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from masthead.submissions.accreditations import FILE, Accreditations
    from masthead.submissions.settings import load_service_settings

    folder = Path(load_service_settings(repo_root(args), os.environ).data_dir)
    if not (folder / FILE).exists():
        raise UsageError(f"no accreditation requests in {folder} yet; the store is created when "
                         "'masthead formbot' first runs (check data_dir in site_config/submissions.yml)")
    return Accreditations(folder)


def run_list(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        rows = store.list(args.event, args.status)
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps([{"id": r.id, "event": r.event, "received": r.received.isoformat(), "status": r.status,
                           **r.fields, "has_contact": r.has_contact} for r in rows], ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no accreditation requests" + (f" for {args.event}" if args.event else ""))
    for r in rows:
        f = r.fields
        print(f"{short_id(r.id)}  {r.received:%Y-%m-%d %H:%M}  {r.status:<8}  {r.event:<24}  "
              f"{f.get('name', '')[:40]} ({f.get('outlet', '')[:40]}, {f.get('role', '')})")
    return 0


def run_answer(args: argparse.Namespace) -> int:
    from masthead.sources.load import load_settings
    from masthead.site.render import Theme

    root = repo_root(args)
    settings, problems = load_settings(root)
    if settings is None:
        from masthead.domain.problems import ContentError

        raise ContentError(problems)
    store = open_store(args)
    try:
        req = store.find(args.id)
        if req.status != "pending":
            raise UsageError(f"request {short_id(req.id)} was {req.status} already ({req.answered[:10]})")
        now = datetime.now(timezone.utc)
        mail = not args.no_mail and bool(os.environ.get("MASTHEAD_SMTP_HOST"))  # SMTP when configured
        sent = False if not mail else send_answer(root, store, req, args.status, args.note, settings,
                                                      Theme(root / "theme"), now)
        store.answer(req.id, args.status, args.note, now, forget_contact=sent and not args.keep_contact)
    finally:
        store.close()
    print(f"{short_id(req.id)}: {args.status}" + ("; the answer was sent" if sent else "; no e-mail was sent"))
    return 0


def send_answer(root: Path, store, req, status: str, note: str, settings, theme, now: datetime) -> bool:  # type: ignore[no-untyped-def]
    """The answer by e-mail in the request's language; True when the server took it."""
    from masthead.mail import answer_message, send_all, smtp_settings
    from masthead.submissions.service import load_accreditation_events

    address = store.contact(req.id)
    if address is None:
        raise UsageError(f"request {short_id(req.id)} has no contact address any more; record the answer "
                         "with --no-mail")
    lang = req.fields.get("lang", settings.language)
    versions = load_accreditation_events(root, settings).get(req.event, [])
    from masthead.domain.events import in_language

    title = in_language(versions, lang, settings.language).title if versions else req.event
    subject, text = answer_text(status, req.name, title, settings.title, note, theme.translator(lang))
    smtp = smtp_settings()
    refused = send_all(smtp, [(1, answer_message(subject=subject, text=text, sender=smtp.sender, recipient=address,
                                                 when=now))])
    if refused:
        raise UsageError(f"the SMTP server refused the answer ({refused[0][1]}); the request stays pending")
    return True
