"""The accreditation form of an event (`events/<slug>/accreditation/` on the site), and the
context the service reuses when it shows the form again with errors; both render
theme/templates/accreditation.html (docs/send-text.md, "Accreditation")."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

from masthead.domain import accreditation as rules
from masthead.domain.events import Event, group_key
from masthead.domain.site import Settings
from masthead.domain.submissions import EMAIL_MAX, NAME_MAX, FieldError

from .service_url import form_urls

ERROR_CODES = ("required", "too_long", "email", "choice", "consent", "event", "token", "too_fast", "letters")


def event_id(event: Event, by_content: Mapping[str, Event]) -> str:
    """What requests name an event by: the slug of its original version (one id for all languages)."""
    original = by_content.get(group_key(event), event)
    return original.slug


def localise(error: FieldError, t: Callable[..., str]) -> str:
    """The error in the page's language: the form's own wording, then the send form's, then English."""
    for key in (f"accreditation.error.{error.code}", f"send.error.{error.code}"):
        text = t(key, **error.params)
        if text != key:
            return text
    return error.message


def action_urls(root: Path) -> dict[str, str]:
    base = form_urls(root)["action"].removesuffix("submissions")
    return {"action": base + "accreditations", "token_url": base + "submissions/token"}


def form_view(root: Path | None, settings: Settings, event: Event, by_content: Mapping[str, Event], lang: str,
              t: Callable[..., str], *, urls: dict[str, str] | None = None, values: dict[str, Any] | None = None,
              errors: list[FieldError] | None = None, token: str = "") -> dict[str, Any]:
    shown: dict[str, str] = {}
    for error in errors or []:
        shown.setdefault(error.field, localise(error, t))
    where = urls if urls is not None else action_urls(Path(root or "."))
    return {
        "action": where["action"], "token_url": where["token_url"], "token": token, "ui_lang": lang,
        "event_id": event_id(event, by_content), "roles": [{"id": r, "label": t(f"accreditation.role.{r}")}
                                                           for r in rules.ROLES],
        "typed": values or {}, "errors": shown,
        "limits": {"name": NAME_MAX, "outlet": rules.OUTLET_MAX, "contact": EMAIL_MAX},
        "messages": {code: localise(FieldError("", code, code), t) for code in ERROR_CODES},
        "site_language": settings.language,
    }
