"""Sending e-mail: the one module that speaks SMTP (the standard library's smtplib and email).

Settings come from the environment, so no password is ever in a file of the repository; the
password is handed to the server and never written to a log, a message or an exception text.
Recipients are read from a list kept outside the repository; logs name them by their line in
that list, never by address. Each recipient gets a message of their own (no one sees the list).
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Mapping

from masthead.domain.problems import UsageError

log = logging.getLogger(__name__)
ENV = "MASTHEAD_SMTP_"
SECURITY = ("starttls", "ssl", "none")
TIMEOUT = 30.0


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    user: str = ""
    password: str = field(default="", repr=False)  # repr=False: never shown, even by a debugger's repr
    security: str = "starttls"


def smtp_settings(env: Mapping[str, str] = os.environ) -> SmtpSettings:
    """MASTHEAD_SMTP_HOST, _PORT, _USER, _PASSWORD, _FROM and _SECURITY (starttls, ssl or none)."""
    host, sender = env.get(ENV + "HOST", "").strip(), env.get(ENV + "FROM", "").strip()
    missing = [ENV + name for name, value in (("HOST", host), ("FROM", sender)) if not value]
    if missing:
        raise UsageError(f"sending needs {' and '.join(missing)} in the environment (see docs/reach.md)")
    security = env.get(ENV + "SECURITY", "starttls").strip().lower()
    if security not in SECURITY:
        raise UsageError(f"{ENV}SECURITY: expected one of {', '.join(SECURITY)}, found {security!r}")
    port_text = env.get(ENV + "PORT", "").strip() or ("465" if security == "ssl" else "587")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise UsageError(f"{ENV}PORT: expected a port number, found {port_text!r}")
    user, password = env.get(ENV + "USER", ""), env.get(ENV + "PASSWORD", "")
    if password and not user:
        raise UsageError(f"{ENV}PASSWORD is set without {ENV}USER; set both, or neither")
    return SmtpSettings(host, int(port_text), sender, user, password, security)


def read_recipients(path: Path, repository: Path) -> list[tuple[int, str]]:
    """(line, address) pairs from a list file: one address a line, `#` starts a comment.
    The list must live outside the repository, so it can never be committed or published."""
    real = path.resolve()
    if real.is_relative_to(repository.resolve()):
        raise UsageError(f"{path}: the subscriber list is inside the repository; keep it outside, "
                         "where it cannot be committed (e.g. ~/masthead/subscribers.txt)")
    try:
        text = real.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the subscriber list ({exc.strerror})") from None
    out, bad = [], []
    for n, line in enumerate(text.splitlines(), 1):
        address = line.split("#", 1)[0].strip()
        if not address:
            continue
        if address.count("@") != 1 or any(c.isspace() or c in "<>,;\"" for c in address):
            bad.append(n)
        else:
            out.append((n, address))
    if bad:
        raise UsageError(f"{path}: line(s) {', '.join(map(str, bad))}: not an e-mail address; "
                         "write one address a line")
    return out


def newsletter_message(*, subject: str, html: str, text: str, sender: str, recipient: str, list_id: str,
                       unsubscribe: str, when: datetime) -> EmailMessage:
    """multipart/alternative (text/plain, then text/html), with List-Id and List-Unsubscribe
    (and one-click unsubscribing, RFC 8058, when the address is a web one)."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = recipient
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip(">") or None)
    msg["List-Id"] = list_id
    msg["List-Unsubscribe"] = f"<{unsubscribe}>"
    if unsubscribe.startswith("https://"):
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.security == "ssl":
        return smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT, context=ssl.create_default_context())
    server = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
    if settings.security == "starttls":
        server.starttls(context=ssl.create_default_context())
    return server


def send_all(settings: SmtpSettings, messages: list[tuple[int, EmailMessage]]) -> list[tuple[int, str]]:
    """Send each message over one connection; returns (list line, why) for those refused."""
    refused: list[tuple[int, str]] = []
    try:
        server = _connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        raise UsageError(f"cannot reach the SMTP server {settings.host}:{settings.port} "
                         f"({type(exc).__name__}); check {ENV}HOST, {ENV}PORT and {ENV}SECURITY") from None
    with server:
        if settings.user:
            try:
                server.login(settings.user, settings.password)
            except smtplib.SMTPException as exc:
                code = getattr(exc, "smtp_code", "")
                raise UsageError(f"the SMTP server refused the login of {ENV}USER ({code or type(exc).__name__}); "
                                 f"check {ENV}USER and {ENV}PASSWORD") from None
        for line, msg in messages:
            try:
                server.send_message(msg)
            except smtplib.SMTPRecipientsRefused as exc:
                codes = sorted({str(code) for code, _ in exc.recipients.values()})
                refused.append((line, f"refused ({', '.join(codes)})"))
            except smtplib.SMTPResponseException as exc:
                refused.append((line, f"refused ({exc.smtp_code})"))
            else:
                log.info("sent to the recipient on line %d of the list", line)
    return refused


def answer_message(*, subject: str, text: str, sender: str, recipient: str, when: datetime) -> EmailMessage:
    """A plain-text answer to one person (an accreditation request): no list headers, no HTML."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = recipient
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip(">") or None)
    msg["Auto-Submitted"] = "auto-replied"
    msg.set_content(text)
    return msg
