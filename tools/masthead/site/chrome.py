"""The search and send-a-text pages in every language but the site's own (which
`extras.plan_search` and `submissions.site_page.plan_send` plan): a reader who searches or
sends from a Russian page stays in Russian (docs/theme.md, "Addresses")."""

from __future__ import annotations

from pathlib import Path

from masthead.submissions.service_url import form_urls
from masthead.submissions.site_page import form_view

from .plan import Planner
from .specs import page_spec


def plan_chrome(plan: Planner) -> None:
    settings = plan.settings
    for lang in plan.views.languages:
        if lang == settings.language:
            continue
        t = plan.theme.translator(lang)
        links = plan.site(lang)["links"]
        plan.add_page(page_spec(links["search"], "search.html", "search", title=t("search.heading"), lang=lang, kind="search",
                  alternates=plan.counterparts(links["search"], lang), own={"index_url": "search/index.json"}))
        if settings.send_form:
            form = form_view(settings, lang, t, form_urls(Path(plan.root)))
            plan.add_page(page_spec(links["send"], "send.html", "send", title=t("send.title"), lang=lang, kind="send",
                      description=t("send.description"), alternates=plan.counterparts(links["send"], lang),
                      own={"form": form}))
