"""`masthead newsletter`: make today's edition of what was published since the last one,
write it as e-mail (HTML with inlined CSS, and plain text), and optionally send it."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from masthead.domain import urls

from masthead.domain.problems import ContentError, UsageError, has_errors

from .common import parse_day, parse_moment, repo_root

LIST_ENV = "MASTHEAD_NEWSLETTER_LIST"
UNSUBSCRIBE_ENV = "MASTHEAD_NEWSLETTER_UNSUBSCRIBE"

HELP = """\
Makes the newsletter edition of today (content/newsletter/<date>[.<lang>].md) from the stories
in that language published since the previous edition, with the editors' note if they have
written one in that file already; writes it as e-mail (.html with inlined CSS, and .txt) into
--out; with --send, sends it over SMTP to every address of the subscriber list.
Commit the edition file: the site shows it at /newsletter/ (its web version).

SMTP settings come from the environment: MASTHEAD_SMTP_HOST, MASTHEAD_SMTP_PORT,
MASTHEAD_SMTP_USER, MASTHEAD_SMTP_PASSWORD, MASTHEAD_SMTP_FROM, MASTHEAD_SMTP_SECURITY
(starttls, ssl or none). The list (one address a line) is kept outside the repository:
--list FILE or MASTHEAD_NEWSLETTER_LIST. MASTHEAD_NEWSLETTER_UNSUBSCRIBE is the address in
every message's List-Unsubscribe header (default: mailto:<from>?subject=unsubscribe).

Examples:
  masthead newsletter                         # today's edition in the site's language
  masthead newsletter --lang fr --since 2026-11-01
  masthead newsletter --edition 2026-11-30 --send --list ~/masthead/subscribers.txt
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("newsletter", help="make (and send) the newsletter edition", description=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lang", metavar="L", default=None, help="the edition's language (default: the site's)")
    p.add_argument("--since", metavar="LAST", type=parse_moment, default=None,
                   help="carry stories published after this date (default: when the previous edition was made)")
    p.add_argument("--edition", metavar="DATE", type=parse_day, default=None,
                   help="an edition already made, to write or send again (default: today's, made if need be)")
    p.add_argument("--now", metavar="WHEN", type=parse_moment, default=None, help="as of this moment (default: now)")
    p.add_argument("--out", metavar="DIR", type=Path, default=None,
                   help="where the e-mail files go (default: .masthead-cache/newsletter/)")
    p.add_argument("--send", action="store_true", help="send it over SMTP to the subscriber list")
    p.add_argument("--list", metavar="FILE", type=Path, default=None,
                   help=f"the subscriber list, outside the repository (default: ${LIST_ENV})")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from masthead.domain.newsletter import choose_stories, edition_file
    from masthead.site.newsletter import edition_stories, missing_templates
    from masthead.sources.newsletter import edition_text, load_editions

    root = repo_root(args)
    now = args.now or datetime.now(timezone.utc)
    views = load_views(root, now)
    settings = views.settings
    lang = args.lang or settings.language
    for name in missing_templates(views.theme):
        raise UsageError(f"{name}: not found; copy it from masthead's sample theme")
    if lang not in settings.languages:
        raise UsageError(f"--lang: '{lang}' is not one of the magazine's languages ({', '.join(settings.languages)})")
    editions, problems = load_editions(root, settings)
    if has_errors(problems):
        raise ContentError(problems)
    day = args.edition or views.magazine.local_day(now)
    rel = edition_file(day, lang, settings.language)
    edition = next((e for e in editions if e.source == rel), None)
    if args.edition is not None and (edition is None or not edition.is_made):
        raise UsageError(f"{rel}: no edition was made on {day}; run `masthead newsletter` without --edition")
    if edition is None or not edition.is_made:
        from masthead.domain.newsletter import Edition

        base = edition or Edition(source=rel, day=day, lang=lang, title="", note="")
        chosen = choose_stories(views.magazine.stories, editions, lang, day, now, args.since)
        if not chosen and not base.note.strip():
            print(f"masthead newsletter: nothing published in '{lang}' since the last edition, and no note in {rel}; "
                  "no edition made")
            return 1
        edition = replace(base, stories=tuple(s.content_path for s in chosen), made=now.astimezone(settings.timezone))
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(edition_text(edition), encoding="utf-8")
        print(f"made {rel}: {len(chosen)} stor{'y' if len(chosen) == 1 else 'ies'}; commit it to put it on the site")
    _, missing = edition_stories(views, edition)
    for path in missing:
        print(f"{rel}: warning: field 'stories': '{path}' is not a published story; left out", file=sys.stderr)
    return write_and_send(args, root, views, edition)


def load_views(root: Path, now: datetime) -> Any:
    from masthead.site.render import Theme
    from masthead.site.views import Views
    from masthead.sources.magazine import load_magazine

    magazine, problems = load_magazine(root)
    if magazine is None or has_errors(problems):
        raise ContentError(problems)
    return Views(magazine, Theme(root / "theme"), now, False)


def unsubscribe_address(env: Mapping[str, str], site_url: str, sending: bool) -> str:
    """The List-Unsubscribe address: MASTHEAD_NEWSLETTER_UNSUBSCRIBE, else a mail to the sender;
    files written without sending may point to the newsletter's web page instead."""
    chosen = env.get(UNSUBSCRIBE_ENV, "").strip()
    if chosen:
        if not chosen.startswith(("mailto:", "https://")):
            raise UsageError(f"{UNSUBSCRIBE_ENV}: expected a mailto: or https:// address, found {chosen!r}")
        return chosen
    address = env.get("MASTHEAD_SMTP_FROM", "").strip().rsplit("<", 1)[-1].rstrip(">").strip()
    if address:
        return f"mailto:{address}?subject=unsubscribe"
    if sending:
        raise UsageError(f"the List-Unsubscribe address is unknown: set {UNSUBSCRIBE_ENV} (mailto: or https://) "
                         "or MASTHEAD_SMTP_FROM")
    return urls.absolute(site_url, urls.newsletter_path())


def write_and_send(args: argparse.Namespace, root: Path, views: Any, edition: Any) -> int:
    from masthead.domain.newsletter import edition_slug
    from masthead.site.newsletter import render_email

    settings = views.settings
    unsubscribe = unsubscribe_address(os.environ, settings.url, args.send)
    parts = render_email(views, edition, unsubscribe)
    out = (args.out or root / ".masthead-cache" / "newsletter").resolve()
    out.mkdir(parents=True, exist_ok=True)
    slug = edition_slug(edition, settings.language)
    (out / f"{slug}.html").write_text(parts.html, encoding="utf-8")
    (out / f"{slug}.txt").write_text(parts.text, encoding="utf-8")
    print(f"wrote {out / slug}.html and .txt (web version: {parts.web_url})")
    if not args.send:
        return 0
    return send(args, root, views, parts, unsubscribe)


def send(args: argparse.Namespace, root: Path, views: Any, parts: Any, unsubscribe: str) -> int:
    from urllib.parse import urlsplit

    from masthead.mail import newsletter_message, read_recipients, send_all, smtp_settings

    smtp = smtp_settings()
    list_path = args.list or (Path(os.environ[LIST_ENV]).expanduser() if os.environ.get(LIST_ENV) else None)
    if list_path is None:
        raise UsageError(f"--send needs the subscriber list: --list FILE or {LIST_ENV}")
    recipients = read_recipients(list_path, root)
    host = urlsplit(views.settings.url).hostname or "localhost"
    list_id = f"{views.settings.title} <newsletter.{host}>"
    messages = [(line, newsletter_message(subject=parts.subject, html=parts.html, text=parts.text,
                                          sender=smtp.sender, recipient=address, list_id=list_id,
                                          unsubscribe=unsubscribe, when=views.now))
                for line, address in recipients]
    refused = send_all(smtp, messages)
    for line, why in refused:
        print(f"{list_path}:{line}: {why}", file=sys.stderr)
    print(f"masthead newsletter: sent to {len(messages) - len(refused)} of {len(messages)} subscriber(s)")
    return 1 if refused else 0

