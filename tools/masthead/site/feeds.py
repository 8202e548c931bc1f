"""RSS 2.0 and Atom feeds: the one module that imports feedgen.

Dates come from front matter only (never the build's clock): a feed's own date is its newest
entry's. Links are absolute; entries are newest first.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING


from masthead.domain import urls
from masthead.domain.stories import Story, is_published

from .markdown import absolutize
from .plan import Job, Planner, digest
from .story_pages import body_html

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator

EPOCH = datetime(2000, 1, 1).astimezone()


def build_feed(plan: Planner, list_path: str, title: str, lang: str, stories: list[Story], kind: str) -> "FeedGenerator":
    from feedgen.feed import FeedGenerator  # lxml and all: only in builds that write a feed

    settings, views = plan.settings, plan.views
    page_url = urls.absolute(settings.url, list_path)
    rss_path, atom_path = urls.feed_paths(list_path)
    fg = FeedGenerator()
    fg.load_extension("dc")
    fg.id(page_url)
    fg.title(title)
    fg.link(href=page_url, rel="alternate")
    fg.link(href=urls.absolute(settings.url, rss_path), rel="self")
    fg.description(settings.description(lang) or settings.title)
    fg.language(lang)
    fg.generator("masthead")
    newest = max((s.updated or s.date for s in stories), default=EPOCH)
    fg.lastBuildDate(newest)
    fg.updated(newest)
    for s in stories:
        card = views.card(s)
        url = urls.absolute(settings.url, card["url"])
        entry = fg.add_entry(order="append")
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.title(s.title)
        entry.link(href=url)
        for author in card["authors"]:
            entry.author({"name": author["name"], "uri": urls.absolute(settings.url, author["url"])})
        entry.dc.dc_creator([a["name"] for a in card["authors"]])
        entry.published(s.date)
        entry.updated(s.updated or s.date)
        entry.summary(s.summary or s.title)
        entry.category([{"term": t} for t in s.tags])
        if settings.feed_content == "full":
            links = {target: views.story_url(target) for target in s.links}
            body = body_html(plan.root, s, links, settings.trust_raw_html, "",
                             plan.theme.translator(s.lang))
            entry.content(absolutize(str(body), url), type="html")
    return fg


_MADE: dict[str, bytes] = {}  # the Atom twin of the RSS feed this process just made


def feed_bytes(plan: Planner, list_path: str, title: str, lang: str, stories: list[Story], kind: str) -> bytes:
    """Each feed's entries are gathered once for both formats (its two jobs sit side by side)."""
    twin = _MADE.pop(f"{kind}:{list_path}", None)
    if twin is not None:
        return twin
    fg = build_feed(plan, list_path, title, lang, stories, kind)
    rss = fg.rss_str(pretty=False)
    rss_path, atom_path = urls.feed_paths(list_path)
    fg.link([{"href": urls.absolute(plan.settings.url, list_path), "rel": "alternate"},
             {"href": urls.absolute(plan.settings.url, atom_path), "rel": "self"}], replace=True)
    atom = fg.atom_str(pretty=False)
    _MADE.clear()
    _MADE["atom:" + list_path if kind == "rss" else "rss:" + list_path] = atom if kind == "rss" else rss
    return rss if kind == "rss" else atom


def plan_feed(plan: Planner, list_path: str, title: str, lang: str, stories: list[Story], owner: str) -> None:
    if not stories:
        return
    items = stories[: plan.settings.feed_items]
    card_keys = plan.views.card_keys()
    key = digest(("feed", title, lang, [(card_keys[s.source], s.digest) for s in items], plan.site(lang)["key"],
                  plan.settings.feed_content, sorted({t: plan.views.story_url(t) for s in items for t in s.links}.items())))
    for kind, path in zip(("rss", "atom"), urls.feed_paths(list_path)):
        plan.add(Job(path, key + kind, _maker(plan, list_path, title, lang, items, kind)), owner)
        if plan.settings.feed_content == "full":
            plan.in_feeds[path] = [s.source for s in items]


def _maker(plan: Planner, list_path: str, title: str, lang: str, items: list[Story], kind: str):  # type: ignore[no-untyped-def]
    return lambda: feed_bytes(plan, list_path, title, lang, items, kind)


def plan_feeds(plan: Planner) -> None:
    """The whole site, each section, each author and each language."""
    settings, views = plan.settings, plan.views
    published = [s for s in views.stories if is_published(s, views.now)]  # previews never reach a feed
    lang = settings.language
    plan_feed(plan, "", settings.title, lang, published, "site_config/magazine.yml")
    groups: dict[tuple[str, str], list[Story]] = defaultdict(list)
    for s in published:
        groups[("section", s.section)].append(s)
        groups[("lang", s.lang)].append(s)
        for a in s.authors:
            groups[("author", a)].append(s)
    for (kind, value), stories in sorted(groups.items()):
        if kind == "section":
            section = views.section(value, lang)
            plan_feed(plan, section["url"], f"{settings.title} · {section['title']}", lang, stories, f"section:{value}")
        elif kind == "lang":
            name = views.card(stories[0])["lang_name"]
            plan_feed(plan, urls.language_path(value), f"{settings.title} · {name}", value, stories, f"language:{value}")
        elif value in views.magazine.people:
            person = views.magazine.people[value]
            plan_feed(plan, urls.author_path(value), f"{settings.title} · {person.name}", lang, stories, person.source)
