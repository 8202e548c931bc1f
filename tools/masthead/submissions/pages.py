"""The HTML the service shows itself: the receipt, and the form again with its errors (for
browsers without JavaScript). Both render the site's own theme through the site's Theme, so
they look like the magazine; links and assets point at the site by its absolute address.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from masthead.domain import urls
from masthead.domain.site import Settings
from masthead.domain.submissions import FieldError
from masthead.site.render import Theme, date_text, language_name

from masthead.domain.events import Event, in_language

from .accreditation_page import form_view
from .site_page import SEND_PATH, form_view as send_form_view
from .store import DECLINED, PUBLISHED, Record

# What the author sees: retries are the service's business, but a delivery that finally
# failed is said plainly (the editors see it in `masthead submissions` and `masthead desk`).
AUTHOR_STATUS = {"received": "received", "delivering": "received", "failed": "failed",
                 "in-review": "in_review", PUBLISHED: "published", DECLINED: "declined"}


STATUS_TEXT = {"received": "received", "in_review": "in review", "published": "published", "declined": "declined",
               "failed": "failed, the editors have been told"}


class Pages:
    def __init__(self, theme_folder: Path, settings: Settings, action_urls: dict[str, str]) -> None:
        self.theme = Theme(theme_folder)
        self.settings = settings
        self.action_urls = action_urls
        self.events: dict[str, list[Event]] = {}  # accreditation: every event's versions by id

    def accreditation_form(self, lang: str, event: str, values: dict[str, Any], errors: list[FieldError],
                           token: str) -> str:
        """accreditation.html again, with what was typed and every error next to its field."""
        versions = self.events.get(event)
        if not versions:
            return self.message(lang, self.theme.translator(lang)("accreditation.error.event"))
        e = in_language(versions, lang, self.settings.language)
        t = self.theme.translator(lang)
        path = urls.accreditation_path(e, self.settings.language)
        context = self._context(lang, t("accreditation.title", event=e.title), "accreditation", path)
        base = self.action_urls["action"].removesuffix("submissions")
        where = {"action": base + "accreditations", "token_url": self.action_urls["token_url"]}
        by_content = {v.content_path: v for v in versions}
        context["event"] = {"title": e.title, "url": urls.event_path(e, self.settings.language)}
        context["form"] = form_view(None, self.settings, e, by_content, lang, t, urls=where, values=values,
                                    errors=errors, token=token)
        return self.theme.render("accreditation.html", context)

    def lang(self, wanted: str | None) -> str:
        return wanted if wanted in self.settings.languages else self.settings.language

    def _context(self, lang: str, title: str, kind: str, path: str) -> dict[str, Any]:
        s, t = self.settings, self.theme.translator(lang)
        site = {"title": s.title, "tagline": s.tagline(lang), "description": s.description(lang), "url": s.url,
                "lang": s.language, "licence": s.licence, "year": datetime.now().year,
                "languages": [{"code": c, "name": language_name(c), "url": urls.language_path(c)}
                              for c in s.languages],
                "sections": [{"id": x.id, "title": x.title(lang, s.language), "url": urls.section_path(x.id)}
                             for x in s.sections],
                "send_url": SEND_PATH}
        page: dict[str, Any] = {
            "title": title, "description": "", "lang": lang, "dir": "ltr", "path": path, "canonical": s.url + path,
            "kind": kind, "feeds": [], "og_type": "website", "image": None, "image_alt": None, "jsonld": None,
            "preview": False, "noindex": True}
        # `root` is the site's absolute address: these pages are served from the service's host.
        return {"site": site, "page": page, "root": s.url, "nav": [], "t": t}

    def form(self, lang: str, values: dict[str, Any], errors: list[FieldError], token: str) -> str:
        """send.html again, with what was typed and every error next to its field."""
        context = self._context(lang, self.theme.translator(lang)("send.title"), "send", SEND_PATH)
        context["form"] = send_form_view(self.settings, lang, context["t"], self.action_urls, values=values, errors=errors,
                                    token=token)
        return self.theme.render("send.html", context)

    def receipt(self, record: Record, lang: str) -> str:
        t = self.theme.translator(lang)
        context = self._context(lang, t("receipt.title"), "receipt", SEND_PATH)
        context.update(receipt=receipt_view(record, lang), notice=None)
        return self.theme.render("receipt.html", context)

    def message(self, lang: str, text: str) -> str:
        """A page with one sentence (a refusal: too large, too many, not found)."""
        context = self._context(lang, self.theme.translator(lang)("send.title"), "receipt", SEND_PATH)
        context.update(receipt=None, notice=text)
        return self.theme.render("receipt.html", context)


def receipt_view(record: Record, lang: str = "en") -> dict[str, Any]:
    """What the author may see of a submission: never the contact address, never a path."""
    status = AUTHOR_STATUS.get(record.status, "received")
    return {"id": record.id, "short_id": record.id[:8], "title": record.title, "status": status,
            "status_text": STATUS_TEXT[status],
            "received_iso": record.received.isoformat(), "received_text": date_text(record.received.date(), lang),
            "url": record.published_url if record.status == PUBLISHED else None,
            "reason": record.reason if record.status == DECLINED else None}
