"""Newsletter editions out: the web archive (`newsletter/`) and the e-mail (HTML with inlined
CSS, and plain text). The one module that imports css_inline.

E-mail HTML carries no image at all (so no tracking pixel and nothing fetched from another
host when it is opened) and no script; the editors' note goes through the same sanitiser as
stories, then loses its images. Links are absolute, to the magazine's own site.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from masthead.domain import urls
from masthead.domain.newsletter import Edition, edition_slug
from masthead.domain.problems import Problem
from masthead.domain.stories import Story, is_published

from .markdown import RELATIVE_RE, render_markdown
from .plan import Planner
from .specs import page_spec
from .render import date_text
from .views import View

IMG_RE = re.compile(r"<img\b[^>]*>", re.I)  # on sanitised HTML (nh3 or cmark output): tags are well-formed
EMAIL_TEMPLATE = "newsletter/email.html"


@dataclass(frozen=True)
class EmailParts:
    subject: str
    html: str
    text: str
    web_url: str


def note_html(edition: Edition, trusted: bool) -> str:
    return render_markdown(edition.note, trusted=trusted) if edition.note.strip() else ""


def edition_title(edition: Edition, t: Any) -> str:
    return edition.title or t("newsletter.edition", date=date_text(edition.day, edition.lang))


def edition_stories(views: Any, edition: Edition) -> tuple[list[Story], list[str]]:
    """The stories an edition lists that readers can see, and the ones it lists that they cannot."""
    found, missing = [], []
    for path in edition.stories:
        story = views.by_content.get(path)
        if story is not None and is_published(story, views.now):
            found.append(story)
        else:
            missing.append(path)
    return found, missing


# --- the web archive: a build provider (site/pages.py) ----------------------------------------

def plan_newsletter(plan: Planner) -> None:
    """`newsletter/`: every edition, newest first; `newsletter/<date>[-<lang>]/`: one edition."""
    from masthead.sources.newsletter import cached_editions

    settings = plan.settings
    editions, problems = cached_editions(plan.root, settings)
    plan.problems += problems
    made = sorted((e for e in editions if e.is_made), key=lambda e: (e.day, e.lang), reverse=True)
    if not made:
        return
    missing = missing_templates(plan.theme)
    if missing:
        plan.problems.append(Problem(made[0].source, 0, "", f"the theme has no {missing[0]}",
                                     fix="copy it from masthead's sample theme (theme/templates/)",
                                     code="newsletter-template"))
        return
    lang = settings.language
    t = plan.theme.translator(lang)
    rows = [_plan_edition(plan, e) for e in made]
    plan.add_page(page_spec(urls.newsletter_path(), "newsletter.html", "content/newsletter", title=t("newsletter.heading"),
              lang=lang, kind="newsletter", description=t("newsletter.intro", title=settings.title),
              own={"editions": rows, "edition": None}))


def _plan_edition(plan: Planner, e: Edition) -> View:
    settings, views = plan.settings, plan.views
    t = plan.theme.translator(e.lang)
    stories, _ = edition_stories(views, e)  # a story unpublished since is left out; the command warns
    path = urls.newsletter_path(edition_slug(e, settings.language))
    title = edition_title(e, t)
    plan.add_page(page_spec(path, "newsletter.html", e.source, title=title, lang=e.lang, kind="newsletter",
              lastmod=e.day.isoformat(),
              own={"edition": {"title": title, "date_text": date_text(e.day, e.lang), "date_iso": e.day.isoformat(),
                                 "note": Markup(note_html(e, settings.trust_raw_html)),
                                 "items": [views.card(s) for s in stories]}, "editions": []}))
    return {"title": title, "url": path, "lang": e.lang, "date_iso": e.day.isoformat(),
            "date_text": date_text(e.day, e.lang), "count": len(stories)}


def missing_templates(theme: Any) -> list[str]:
    """Themes made before editions existed lack their templates: said plainly, not as a traceback."""
    return [f"theme/templates/{name}" for name in ("newsletter.html", EMAIL_TEMPLATE)
            if not (theme.folder / "templates" / name).is_file()]


# --- the e-mail ---------------------------------------------------------------------------------

def render_email(views: Any, edition: Edition, unsubscribe: str) -> EmailParts:
    """The edition as an e-mail: HTML with its CSS inlined, and the same as plain text."""
    settings, theme = views.settings, views.theme
    t = theme.translator(edition.lang)
    stories, _ = edition_stories(views, edition)
    web_url = urls.absolute(settings.url, urls.newsletter_path(edition_slug(edition, settings.language)))
    title = edition_title(edition, t)
    items = [_email_item(views, s) for s in stories]
    note = IMG_RE.sub("", resolve_links(note_html(edition, settings.trust_raw_html), web_url))
    context = {"title": title, "site": {"title": settings.title, "url": settings.url}, "lang": edition.lang,
               "date_text": date_text(edition.day, edition.lang), "note": Markup(note), "items": items,
               "web_url": web_url, "unsubscribe": unsubscribe, "t": t}
    page = theme.render(EMAIL_TEMPLATE, context)
    return EmailParts(subject=f"{settings.title} · {title}", html=inline_css(page), text=email_text(title, edition, items, web_url,
                                                                         unsubscribe, t), web_url=web_url)


def resolve_links(body: str, base: str) -> str:
    """Relative links resolved against the web version's address (`../x/` included), as a browser would."""
    return RELATIVE_RE.sub(lambda m: f'{m.group(1)}="{urljoin(base, m.group(2))}"', body)


def _email_item(views: Any, s: Story) -> dict[str, Any]:
    card = views.card(s)
    return {"title": s.title, "url": urls.absolute(views.settings.url, card["url"]), "summary": s.summary,
            "authors": ", ".join(a["name"] for a in card["authors"]), "section": card["section"]["title"],
            "date_text": card["date_text"]}


def email_text(title: str, edition: Edition, items: list[dict[str, Any]], web_url: str, unsubscribe: str,
               t: Any) -> str:
    """The plain-text part: the note as its authors wrote it (Markdown reads as text), then the stories."""
    lines = [title, "=" * min(len(title), 72), ""]
    if edition.note.strip():
        lines += [edition.note.strip(), ""]
    lines += [t("newsletter.in_this_edition"), ""]
    for item in items:
        lines += [f"* {item['title']}", f"  {item['authors']} · {item['section']} · {item['date_text']}"]
        if item["summary"]:
            lines.append(f"  {item['summary']}")
        lines += [f"  {item['url']}", ""]
    lines += [f"{t('newsletter.web_version')}: {web_url}", f"{t('newsletter.unsubscribe')}: {unsubscribe}", ""]
    return "\n".join(lines)


def inline_css(page: str) -> str:
    """The template's <style> rules moved into style attributes (mail clients drop <style>);
    nothing is fetched: remote stylesheets are off."""
    import css_inline

    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False, keep_link_tags=False)
    return inliner.inline(page)
