"""Story pages: body, byline, translations, related stories, previous/next, and images."""

from __future__ import annotations

import os
import posixpath
from collections import defaultdict
from typing import Any

from masthead.domain import urls
from masthead.domain.stories import Story

from .board import story_promise  # promises
from .markdown import render_markdown, rewrite_story_links, split_body
from .plan import Job, Planner, compact, json_ld, key_of
from .render import date_text
from .views import View

RELATED = 3
NEIGHBOURS = 6  # stories looked at on each side, in each shared tag's timeline


def related_stories(stories: list[Story]) -> dict[str, list[Story]]:
    """For each story, up to three others sharing tags (then section), nearest in time first.

    Only a few neighbours in each tag's timeline are scored, so the cost stays linear."""
    tags = [frozenset(t.casefold() for t in s.tags) for s in stories]
    by_tag: dict[str, list[int]] = defaultdict(list)
    for n, mine in enumerate(tags):  # stories are newest first, so each timeline is too
        for tag in mine:
            by_tag[tag].append(n)
    position = {tag: {n: i for i, n in enumerate(items)} for tag, items in by_tag.items()}
    out: dict[str, list[Story]] = {}
    for n, s in enumerate(stories):
        mine = tags[n]
        scored: dict[int, int] = {}
        for tag in mine:
            items = by_tag[tag]
            at = position[tag][n]
            for other in items[max(0, at - NEIGHBOURS): at + NEIGHBOURS + 1]:
                if other != n and other not in scored:
                    scored[other] = 2 * len(mine & tags[other]) + (stories[other].section == s.section)
        # newest first among equals: a lower index is a newer story
        best = sorted(scored, key=lambda o: (-scored[o], o))[:RELATED]
        out[s.source] = [stories[o] for o in best]
    return out


def translation_groups(stories: list[Story]) -> dict[str, list[Story]]:
    """Stories linked by `translation_of`, each mapped to all versions of its group."""
    by_content = {s.content_path: s for s in stories}
    groups: dict[str, list[Story]] = defaultdict(list)
    for s in stories:
        head = s
        seen = set()
        while head.translation_of and head.translation_of in by_content and head.source not in seen:
            seen.add(head.source)
            head = by_content[head.translation_of]
        groups[head.source].append(s)
    out: dict[str, list[Story]] = {}
    for members in groups.values():
        for s in members:
            out[s.source] = sorted((m for m in members if m is not s), key=lambda m: m.lang)
    return out


def plan_stories(plan: Planner) -> None:
    views = plan.views
    stories = views.stories
    related = related_stories(stories)
    versions = translation_groups(stories)
    by_lang: dict[str, list[Story]] = defaultdict(list)
    for s in stories:
        by_lang[s.lang].append(s)
    neighbours: dict[str, tuple[Story | None, Story | None]] = {}
    for items in by_lang.values():  # newest first: "previous" is older, "next" is newer
        for n, s in enumerate(items):
            neighbours[s.source] = (items[n + 1] if n + 1 < len(items) else None, items[n - 1] if n else None)
    for s in stories:
        plan_story(plan, s, related[s.source], versions.get(s.source, []), neighbours[s.source])
        plan_images(plan, s)


def plan_story(plan: Planner, s: Story, related: list[Story], versions: list[Story],
               around: tuple[Story | None, Story | None]) -> None:
    views, settings = plan.views, plan.settings
    card = views.card(s)
    path = card["url"]
    t = plan.theme.translator(s.lang)
    versions_view = [{"lang": v.lang, "lang_name": views.card(v)["lang_name"], "title": v.title,
                      "url": views.card(v)["url"], "key": views.card(v)["key"]} for v in versions]
    related_cards = [views.card(r) for r in related]
    prev, nxt = (views.card(x) if x else None for x in around)
    promise = story_promise(views, s.promise)  # promises: the topic, linked to board/

    def story_view() -> dict[str, Any]:
        story: View = {k: v for k, v in card.items() if k != "key"}  # the page shows more than the card
        story.update({
            "updated_iso": s.updated.isoformat() if s.updated else None,
            "updated_text": date_text(views.magazine.local_day(s.updated), s.lang) if s.updated else None,
            "translations": versions_view, "related": related_cards, "prev": prev, "next": nxt,
            "promise": promise,
        })
        return {"story": story}

    shape = (card["key"], [v["key"] for v in versions_view], [c["key"] for c in related_cards],
             prev["key"] if prev else None, nxt["key"] if nxt else None, compact(promise),
             s.updated.isoformat() if s.updated else None)
    links = {target: views.story_url(target) for target in s.links}
    image = None
    if card["cover"]:
        image = (card["cover"]["url"] if card["cover"]["remote"] else urls.absolute(settings.url, card["cover"]["url"]),
                 card["cover"]["alt"])
    root_dir = plan.root

    def late(context: dict[str, Any]) -> None:
        context["story"] = dict(context["story"], body=body_html(root_dir, s, links, context["page"]["lang"],
                                                                 plan.settings.trust_raw_html, context["root"],
                                                                 plan.theme.translator(s.lang)))
        # JSON-LD is made only when the page is written; the card's key already covers its facts
        context["page"] = dict(context["page"], jsonld=json_ld(article_ld(plan, s, card, image)))

    plan.page(path, "story.html", s.source, title=s.title, lang=s.lang, kind="story",
              description=s.summary, feeds=plan.feeds_of(card["section"]["url"], card["section"]["title"]),
              extra=story_view, extra_key=shape, image=image,
              preview=not card["published"], lastmod=(s.updated or s.date).date().isoformat(), late=late,
              key_extra=(s.digest, sorted(links.items()), settings.trust_raw_html, t("admonition.note")))


_BODIES: dict[tuple[str, str, bool, str], str] = {}


def rendered_body(root: Any, s: Story, trusted: bool, t: Any) -> str:
    """The story's body as HTML, rendered once per process (pages and feeds share it)."""
    key = (s.source, s.digest, trusted, t("admonition.note"))
    html = _BODIES.get(key)
    if html is None:
        with open(os.path.join(root, s.source), encoding="utf-8-sig") as fh:
            body = split_body(fh.read())
        html = render_markdown(body, trusted=trusted, title_of=lambda kind: t(f"admonition.{kind}"))
        if len(_BODIES) > 4096:
            _BODIES.clear()
        _BODIES[key] = html
    return html


def body_html(root: Any, s: Story, links: dict[str, str | None], lang: str, trusted: bool, rel_root: str,
              t: Any) -> Any:
    """The body with links to other stories' files turned into their addresses from `rel_root`."""
    from markupsafe import Markup

    folder = posixpath.dirname(s.content_path)
    return Markup(rewrite_story_links(rendered_body(root, s, trusted, t), folder, links.get, rel_root))


def article_ld(plan: Planner, s: Story, card: View, image: tuple[str, str] | None) -> dict[str, Any]:
    settings = plan.settings
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Article", "headline": s.title,
        "description": s.summary, "inLanguage": s.lang, "datePublished": s.date.isoformat(),
        "dateModified": (s.updated or s.date).isoformat(),
        "mainEntityOfPage": urls.absolute(settings.url, card["url"]),
        "articleSection": card["section"]["title"], "wordCount": s.words,
        "author": [{"@type": "Person", "name": a["name"], "url": urls.absolute(settings.url, a["url"])}
                   for a in card["authors"]],
        "publisher": {"@type": "Organization", "name": settings.title, "url": settings.url},
        "keywords": list(s.tags),
    }
    if image:
        data["image"] = image[0]
    return data


def plan_images(plan: Planner, s: Story) -> None:
    """Images next to the story are copied beside its page."""
    base = plan.views.card(s)["url"]
    folder = os.path.dirname(os.path.join(plan.root, s.source))
    for name in s.images:
        source = os.path.normpath(os.path.join(folder, name))
        if not os.path.isfile(source):
            continue
        st = os.stat(source)
        plan.add(Job(posixpath.normpath(base + name), key_of("copy", source, st.st_mtime_ns, st.st_size),
                     _reader(source)), s.source)


def _reader(path: str):  # type: ignore[no-untyped-def]
    def read() -> bytes:
        with open(path, "rb") as fh:
            return fh.read()
    return read
