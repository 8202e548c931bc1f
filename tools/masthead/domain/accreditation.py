"""Press accreditation requests for an event: the form's rules and the answer's text.

The same cleaning and limits as submissions (`domain.submissions`): every problem at once,
as `FieldError`s with codes the form translates. The contact address is private: it is kept
in the service's store for the answer and never enters a file, a commit, the site or a log.
Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from .submission_text import clean_line
from .submissions import EMAIL_MAX, EMAIL_RE, NAME_MAX, SHORT_CUT, FieldError, _length, _line, _text, is_checked

OUTLET_MAX = 160
ROLES = ("reporter", "photographer", "video", "other")
FIELDS = ("event", "name", "outlet", "contact", "role", "consent")
PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"
STATUSES = (PENDING, ACCEPTED, DECLINED)

MESSAGES = {
    "required": "{label} is required: please fill it in",
    "email": "'{found}' does not look like an e-mail address: the editors answer there",
    "choice": "'{found}' is not one of the choices ({choices}): pick one from the list",
    "event": "this event takes no accreditation requests (any more): check the event's page",
    "consent": "please agree that the editors keep these details to answer you, or we cannot take the request",
}
LABELS = {"name": "your name", "outlet": "the outlet", "contact": "the e-mail address", "role": "the role"}


@dataclass(frozen=True)
class Request:
    """A valid, cleaned accreditation request. `contact` is private."""

    event: str  # the event's id: the slug of its original version
    name: str
    outlet: str
    role: str
    lang: str
    contact: str = ""

    def public(self) -> dict[str, str]:
        """Every field but the contact address."""
        return {"event": self.event, "name": self.name, "outlet": self.outlet, "role": self.role, "lang": self.lang}


def _error(field: str, code: str, **values: Any) -> FieldError:
    return FieldError(field, code, MESSAGES[code].format(label=LABELS.get(field, field), **values), values)


def validate_request(raw: Mapping[str, Any], events: Mapping[str, str], languages: tuple[str, ...],
                     default_lang: str) -> tuple[Request | None, list[FieldError]]:
    """`events` maps the ids of events open to requests to their titles."""
    errors: list[FieldError] = []
    (name, name_raw), (outlet, outlet_raw) = _line(raw, "name", NAME_MAX), _line(raw, "outlet", OUTLET_MAX)
    event, contact, role, lang = (clean_line(_text(raw, k)[:SHORT_CUT]) for k in ("event", "contact", "role", "ui_lang"))
    lang = lang if lang in languages else default_lang
    if event not in events:
        errors.append(FieldError("form", "event", MESSAGES["event"]))
    for field, value, limit, raw_len in (("name", name, NAME_MAX, name_raw), ("outlet", outlet, OUTLET_MAX, outlet_raw)):
        before = len(errors)
        _length(errors, field, value, limit, True, raw_len)
        for n in range(before, len(errors)):  # the submission's wording names its own labels
            e = errors[n]
            if e.code == "required":
                errors[n] = _error(field, "required")
    if not contact:
        errors.append(_error("contact", "required"))
    elif len(contact) > EMAIL_MAX or not EMAIL_RE.match(contact):
        errors.append(_error("contact", "email", found=contact[:60]))
    if not role:
        errors.append(_error("role", "required"))
    elif role not in ROLES:
        errors.append(_error("role", "choice", found=role[:40], choices=", ".join(ROLES)))
    if not is_checked(raw.get("consent")):
        errors.append(_error("consent", "consent"))
    if errors:
        return None, errors
    return Request(event=event, name=name, outlet=outlet, role=role, lang=lang, contact=contact), []


def answer_text(status: str, name: str, event_title: str, magazine: str, note: str, t: Any) -> tuple[str, str]:
    """The answer's subject and plain-text body, in the requester's language (`t`)."""
    key = "accepted" if status == ACCEPTED else "declined"
    subject = t(f"accreditation.mail.{key}.subject", event=event_title, title=magazine)
    lines = [t("accreditation.mail.greeting", name=name), "", t(f"accreditation.mail.{key}.body", event=event_title),
             ""]
    if note.strip():
        lines += [note.strip(), ""]
    lines += [t("accreditation.mail.signature", title=magazine), ""]
    return subject, "\n".join(lines)
