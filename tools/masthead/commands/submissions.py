"""`masthead submissions`: the editors' view of the send-text service's private store."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from masthead.domain.problems import MastheadError, UsageError
from masthead.domain.submissions import short_id
from masthead.domain.slugs import HANDLE_RE
from masthead.sources.load import site_url
from masthead.submissions.settings import load_service_settings
from masthead.submissions.store import FAILED, STATUSES, Record, Store
from masthead.submissions.tokens import key_digest, new_submission_key

from .common import repo_root

HELP = """\
Lists what arrived through the site's send-text form and what became of it, and lets an
editor act on one submission. An ID is the receipt number (its first 8 characters are
enough; 4 will do when they are unique).

  masthead submissions                       every submission, newest first, with its status
  masthead submissions list                  the same
  masthead submissions --status failed       only those whose delivery needs a person
  masthead submissions retry ID              deliver again (after fixing the reason it failed)
  masthead submissions retry --failed        every failed one
  masthead submissions contact ID            show the author's private contact address
  masthead submissions forget-contact ID     delete that address for good
  masthead submissions decline ID --reason "..."   tell the author why it will not be published
  masthead submissions key HANDLE            issue a contributor's submission key (and personal link)
  masthead submissions key HANDLE --revoke   stop the key from working

A text sent under a registered handle is credited to that contributor only with their
submission key; without it, it gets a new handle of its own (the editor can still change
`authors:` on review). The store keeps only a hash of each key.

Statuses: received (waiting for delivery), delivering, in-review (a branch or pull request
exists), published, declined, failed (see the error; fix it, then retry).

The contact address is private: it is kept only in the service's store (never in git, a
pull request, a log or the site). Reading it is for answering the author; do not copy it
into an issue or a commit. Addresses are deleted automatically after `contact_days`.

The service does the delivering: `retry` queues, and a running `masthead formbot` delivers
within a second.
"""


FAILED_NOTE = "failed, the editors have been told (the author's receipt says so); fix the cause, then retry"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("submissions", help="list form submissions; retry, read or delete a contact, decline",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--status", choices=STATUSES, help="only submissions with this status")
    p.add_argument("--format", choices=("text", "json"), default="text", help="text for people, json for tools")
    p.set_defaults(run=run_list)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="every submission, newest first (the same as no ACTION)",
                                 description="List the submissions, newest first, with their status.\n\n"
                                 "Examples:\n  masthead submissions list\n  masthead submissions list --status failed",
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    # SUPPRESS: `masthead submissions --status failed list` keeps the status given before `list`
    listing.add_argument("--status", choices=STATUSES, default=argparse.SUPPRESS, help="only submissions with this status")
    listing.add_argument("--format", choices=("text", "json"), default=argparse.SUPPRESS,
                         help="text for people, json for tools")
    listing.set_defaults(run=run_list)
    retry = actions.add_parser("retry", help="queue a submission for delivery again",
                               description="Queue a failed (or waiting) submission for delivery now.\n\n"
                               "Examples:\n  masthead submissions retry 3f2a9c1d\n  masthead submissions retry --failed",
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    retry.add_argument("id", nargs="?", help="the submission's id (its first characters are enough)")
    retry.add_argument("--failed", action="store_true", help="retry every failed submission")
    retry.set_defaults(run=run_retry)
    contact = actions.add_parser("contact", help="show the author's private contact address",
                                 description="Print the contact address the author left, to answer them.\n\n"
                                 "Example:\n  masthead submissions contact 3f2a9c1d",
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    contact.add_argument("id")
    contact.set_defaults(run=run_contact)
    forget = actions.add_parser("forget-contact", help="delete the author's contact address",
                                description="Delete the contact address for good (it is also deleted "
                                "automatically after contact_days).\n\nExample:\n"
                                "  masthead submissions forget-contact 3f2a9c1d",
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    forget.add_argument("id")
    forget.set_defaults(run=run_forget)
    decline = actions.add_parser("decline", help="mark a submission declined, with the reason the author sees",
                                 description="Record that the editors will not publish it; the author's "
                                 "receipt shows the reason.\n\nExample:\n  masthead submissions decline 3f2a9c1d "
                                 "--reason \"We published a piece on the same festival last week.\"",
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    decline.add_argument("id")
    decline.add_argument("--reason", required=True, help="one or two kind sentences for the author")
    decline.set_defaults(run=run_decline)
    key = actions.add_parser("key", help="issue (or revoke) a contributor's submission key",
                             description="Issue a submission key for a registered contributor: texts sent "
                             "with it are credited to them. The key is printed once, with a personal link to "
                             "the form; only its hash is kept, in the private store. A new key replaces the "
                             "old one.\n\nExamples:\n  masthead submissions key anna\n"
                             "  masthead submissions key anna --revoke",
                             formatter_class=argparse.RawDescriptionHelpFormatter)
    key.add_argument("handle", help="the contributor's handle (contributors/HANDLE.yml)")
    key.add_argument("--revoke", action="store_true", help="delete the key instead")
    key.set_defaults(run=run_key)


def open_store(args: argparse.Namespace) -> Store:
    fields = load_service_settings(repo_root(args), os.environ)
    folder = Path(fields.data_dir)
    if not (folder / "submissions.sqlite3").exists():
        raise UsageError(f"no submissions store in {folder} yet; it is created when 'masthead formbot' first "
                         "runs (check data_dir in site_config/submissions.yml)")
    return Store(folder)


def failed_submissions(root: Path) -> list[Record]:
    """Submissions whose delivery finally failed, for `masthead desk`; none when there is no store."""
    try:
        folder = Path(load_service_settings(root, os.environ).data_dir)
    except MastheadError:
        return []
    if not (folder / "submissions.sqlite3").exists():
        return []
    store = Store(folder)
    try:
        return store.list(FAILED)
    finally:
        store.close()


def _line(r: Record) -> str:
    where = r.published_url or r.review_url or r.branch or "-"
    line = f"{short_id(r.id)}  {r.received:%Y-%m-%d %H:%M}  {r.status:<10}  {r.title[:50]:<50}  {where}"
    if r.status == FAILED:
        line += f"\n          {FAILED_NOTE}\n          {r.last_error}"
    elif r.last_error and r.status == "received":
        line += f"\n          {r.last_error}"
    return line


def run_list(args: argparse.Namespace) -> int:
    store = open_store(args)
    records = store.list(args.status)
    if args.format == "json":
        rows = [{"id": r.id, "received": r.received.isoformat(), "status": r.status, "title": r.title,
                 "branch": r.branch, "review_url": r.review_url, "published_url": r.published_url,
                 "attempts": r.attempts, "last_error": r.last_error, "has_contact": r.has_contact}
                for r in records]
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for r in records:
        print(_line(r))
    counts = store.counts()
    print("masthead submissions: " + (", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "none yet"))
    return 0


def run_retry(args: argparse.Namespace) -> int:
    store = open_store(args)
    if args.failed:
        ids = [r.id for r in store.list(FAILED)]
    elif args.id:
        ids = [store.find(args.id).id]
    else:
        raise UsageError("say which submission to retry (an ID), or --failed for every failed one")
    queued = [i for i in ids if store.retry(i)]
    for i in queued:
        print(f"{short_id(i)} queued for delivery")
    if args.id and not queued:
        raise UsageError(f"{args.id} is not waiting or failed ({store.find(args.id).status}); nothing to retry")
    return 0


def run_contact(args: argparse.Namespace) -> int:
    store = open_store(args)
    record = store.find(args.id)
    email = store.contact(record.id)
    if email is None:
        print(f"{short_id(record.id)}: no contact address (none was given, or it was deleted)", file=sys.stderr)
        return 1
    print(email)
    return 0


def run_forget(args: argparse.Namespace) -> int:
    store = open_store(args)
    record = store.find(args.id)
    print(f"{short_id(record.id)}: contact address deleted" if store.forget_contact(record.id)
          else f"{short_id(record.id)}: there was no contact address")
    return 0


def run_decline(args: argparse.Namespace) -> int:
    store = open_store(args)
    record = store.find(args.id)
    reason = " ".join(args.reason.split())
    if not reason:
        raise UsageError("give the author a reason with --reason \"...\"")
    store.decline(record.id, reason)
    print(f"{short_id(record.id)} declined; the receipt shows: {reason}")
    return 0


def run_key(args: argparse.Namespace) -> int:
    root = repo_root(args)
    handle = args.handle.strip().lower()
    if not HANDLE_RE.match(handle) or not (root / "contributors" / f"{handle}.yml").is_file():
        raise UsageError(f"'{args.handle}' is not a registered contributor (no contributors/{handle}.yml); "
                         "give the handle of their contributor file")
    store = open_store(args)
    if args.revoke:
        print(f"{handle}: key revoked" if store.revoke_key(handle) else f"{handle}: had no key")
        return 0
    secret = new_submission_key()
    store.set_key(handle, key_digest(secret))
    print(f"submission key for {handle} (shown once; give it to them privately):\n  {secret}")
    print(f"their personal link to the form:\n  {site_url(root).rstrip('/')}/send/#handle={handle}&key={secret}")
    return 0
