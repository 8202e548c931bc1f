"""The /send/ page of the built site, and the form's context that the service reuses when it
shows the form again with errors (both render theme/templates/send.html).

`plan_send` is a page provider of the site build (see masthead.site.pages.PROVIDERS).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from masthead.domain import submissions as rules
from masthead.domain.site import Settings
from masthead.domain.submissions import FieldError
from masthead.site.render import language_name
from masthead.site.specs import page_spec

from .service_url import form_urls

SEND_PATH = "send/"
ERROR_CODES = ("required", "too_long", "too_big", "handle", "email", "choice", "promise", "consent",
               "token", "too_fast", "rate", "honeypot", "network", "summary", "letters")


def localise(error: FieldError, t: Callable[..., str]) -> str:
    """The error in the page's language when the theme has it, else the service's English."""
    key = f"send.error.{error.code}"
    text = t(key, **error.params)
    return error.message if text == key else text


def form_view(settings: Settings, lang: str, t: Callable[..., str], urls: dict[str, str], *,
              values: dict[str, Any] | None = None, errors: list[FieldError] | None = None,
              token: str = "", promises: rules.PromiseChoices | None = None) -> dict[str, Any]:
    """What send.html needs to draw the form (see docs/send-text.md)."""
    shown: dict[str, str] = {}
    for error in errors or []:
        shown.setdefault(error.field, localise(error, t))
    return {
        "action": urls["action"], "token_url": urls["token_url"], "token": token, "ui_lang": lang,
        "sections": [{"id": s.id, "title": s.title(lang, settings.language)} for s in settings.sections],
        "languages": [{"code": c, "name": language_name(c)} for c in settings.languages],
        "default_lang": lang if lang in settings.languages else settings.language,
        "licence": settings.licence, "typed": values or {}, "errors": shown,
        "promises": promises or rules.PromiseChoices(),
        "limits": {"name": rules.NAME_MAX, "title": rules.TITLE_MAX, "summary": rules.SUMMARY_MAX,
                   "promise": rules.PROMISE_MAX, "email": rules.EMAIL_MAX,
                   "text_kb": rules.TEXT_MAX_BYTES // 1000, "text_bytes": rules.TEXT_MAX_BYTES},
        "messages": {code: t(f"send.error.{code}") for code in ERROR_CODES},
    }


def plan_send(plan: Any) -> None:
    """The form page at /send/, when `send_form` is on in site_config/magazine.yml."""
    settings: Settings = plan.settings
    if not settings.send_form:
        return
    lang = settings.language
    t = plan.theme.translator(lang)
    magazine = plan.views.magazine
    choices = rules.promise_choices(magazine.topics, magazine.promises, lang, settings.language)
    form = form_view(settings, lang, t, form_urls(Path(plan.root)), promises=choices)
    plan.add_page(page_spec(SEND_PATH, "send.html", "send", title=t("send.title"), lang=lang, kind="send",
              description=t("send.description"), own={"form": form}))
