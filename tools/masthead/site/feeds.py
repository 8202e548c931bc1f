"""RSS 2.0, Atom and JSON Feed: the one module that imports feedgen.

Each feed's entries are gathered once (`gather`: cards, sanitised bodies) into plain data,
which feedgen writes as RSS and Atom and `jsonfeed.py` as JSON Feed 1.1, so the three formats
cannot disagree and no format has a path of its own to a story's body.
Dates come from front matter only (never the build's clock): a feed's own date is its newest
entry's. Links are absolute; entries are newest first. A WebSub hub, when the settings name one,
is advertised in all three (docs/reach.md).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from masthead.domain import urls
from masthead.domain.stories import Story, is_published

from .jsonfeed import render_json_feed
from .embeds import without_buttons
from .markdown import absolutize
from .plan import Job, Planner, digest
from .story_pages import BodyRef, body_html

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator

EPOCH = datetime(2000, 1, 1).astimezone()
KINDS = ("rss", "atom", "json")
ATOM_NS = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str
    authors: tuple[tuple[str, str], ...]  # name, absolute address
    published: datetime
    updated: datetime
    summary: str
    tags: tuple[str, ...]
    lang: str
    content_html: str | None  # sanitised (story_pages.body_html), links absolute; None: summaries only


@dataclass(frozen=True)
class FeedData:
    """One feed, whatever its format."""

    page_url: str
    title: str
    description: str
    lang: str
    newest: datetime
    hub: str
    urls: dict[str, str]  # kind -> the feed's own absolute address
    entries: tuple[FeedEntry, ...]


def feed_urls(base_url: str, list_path: str) -> dict[str, str]:
    rss, atom = urls.feed_paths(list_path)
    return {"rss": urls.absolute(base_url, rss), "atom": urls.absolute(base_url, atom),
            "json": urls.absolute(base_url, urls.json_feed_path(list_path))}


def feed_files(list_path: str) -> dict[str, str]:
    rss, atom = urls.feed_paths(list_path)
    return {"rss": rss, "atom": atom, "json": urls.json_feed_path(list_path)}


class EntryInputs(NamedTuple):
    """Everything a feed entry shows of its story, as plain data: the entry is made from these
    alone (`entry_of`) and a feed's key is made from their digests (`entry_key`), so a field
    shown in feeds is added here and in `entry_of`, and nowhere else."""

    url: str  # absolute
    title: str
    authors: tuple[tuple[str, str], ...]  # name, absolute address
    published: datetime
    updated: datetime
    summary: str
    tags: tuple[str, ...]
    lang: str
    body: BodyRef | None  # the body, rendered when the feed is written; None: summaries only
    links: tuple[tuple[str, str | None], ...]  # the body's links to other stories -> their addresses


def entry_inputs(plan: Planner, s: Story, full: bool) -> EntryInputs:
    """What an entry for `s` shows (`full`: with its body)."""
    settings, views = plan.settings, plan.views
    people = views.magazine.people
    url = urls.absolute(settings.url, views.paths[s.source])
    authors = tuple([(people[a].name if a in people else a,
                      urls.absolute(settings.url, views.localise(urls.author_path(a), s.lang))) for a in s.authors])
    body = BodyRef(s.source, s.digest, s.lang, s.content_path, settings.trust_raw_html, settings.embeds) if full else None
    links = tuple([(target, views.story_url(target)) for target in s.links]) if full else ()
    return EntryInputs(url, s.title, authors, s.date, s.updated or s.date, s.summary or s.title, tuple(s.tags),
                       s.lang, body, links)


def entry_key(e: EntryInputs) -> str:
    return digest(e)


def entry_of(e: EntryInputs, root: str, settings: Any, translator: Callable[[str], Any]) -> FeedEntry:
    """A feed's entry from its inputs; the body comes through the sanitising renderer."""
    content = None
    if e.body is not None:
        # links made absolute from the site's root (not the story's address, as "" made them)
        body = body_html(root, e.body, dict(e.links), e.body.trusted, settings.url.rstrip("/") + "/",
                         translator(e.lang), e.body.embeds)
        content = without_buttons(absolutize(str(body), e.url))
    return FeedEntry(url=e.url, title=e.title, lang=e.lang, published=e.published, updated=e.updated,
                     authors=e.authors, summary=e.summary, tags=e.tags, content_html=content)


def gather(list_path: str, title: str, lang: str, entries: tuple[EntryInputs, ...], root: str, settings: Any,
           translator: Callable[[str], Any]) -> FeedData:
    """The feed as plain data, from its entries' inputs."""
    return FeedData(page_url=urls.absolute(settings.url, list_path), title=title,
                    description=settings.description(lang) or settings.title, lang=lang,
                    newest=max((e.updated for e in entries), default=EPOCH),
                    hub=settings.websub_hub, urls=feed_urls(settings.url, list_path),
                    entries=tuple(entry_of(e, root, settings, translator) for e in entries))


def _hub_extension(hub: str) -> tuple[type, type]:
    """A feedgen extension adding `<atom:link rel="hub">` to RSS (feedgen writes only rel=self there)."""
    from feedgen.ext.base import BaseEntryExtension, BaseExtension

    class HubExtension(BaseExtension):  # type: ignore[misc]
        def extend_ns(self) -> dict[str, str]:
            return {"atom": ATOM_NS}

        def extend_rss(self, feed: Any) -> Any:
            from lxml import etree

            channel = feed[0]
            link = etree.Element(f"{{{ATOM_NS}}}link", href=hub, rel="hub")
            selves = channel.findall(f"{{{ATOM_NS}}}link")
            channel.insert(channel.index(selves[-1]) + 1 if selves else 3, link)
            return feed

    return HubExtension, BaseEntryExtension


def build_feed(data: FeedData, self_url: str) -> "FeedGenerator":
    from feedgen.feed import FeedGenerator  # lxml and all: only in builds that write a feed

    fg = FeedGenerator()
    fg.load_extension("dc")
    fg.id(data.page_url)
    fg.title(data.title)
    fg.link(href=self_url, rel="self")
    if data.hub:
        fg.link(href=data.hub, rel="hub")
        feed_ext, entry_ext = _hub_extension(data.hub)
        fg.register_extension("websub", feed_ext, entry_ext, atom=False, rss=True)
    fg.link(href=data.page_url, rel="alternate")  # last: feedgen takes the last link for RSS's <link>
    fg.description(data.description)
    fg.language(data.lang)
    fg.generator("masthead")
    fg.lastBuildDate(data.newest)
    fg.updated(data.newest)
    for e in data.entries:
        entry = fg.add_entry(order="append")
        entry.id(e.url)
        entry.guid(e.url, permalink=True)
        entry.title(e.title)
        entry.link(href=e.url)
        for name, uri in e.authors:
            entry.author({"name": name, "uri": uri})
        entry.dc.dc_creator([name for name, _ in e.authors])
        entry.published(e.published)
        entry.updated(e.updated)
        entry.summary(e.summary)
        entry.category([{"term": t} for t in e.tags])
        if e.content_html is not None:
            entry.content(e.content_html, type="html")
    return fg


def render_feeds(data: FeedData) -> dict[str, bytes]:
    """All three formats of one feed."""
    return {"rss": build_feed(data, data.urls["rss"]).rss_str(pretty=False),
            "atom": build_feed(data, data.urls["atom"]).atom_str(pretty=False),
            "json": render_json_feed(data)}


_MADE: dict[str, dict[str, bytes]] = {}  # the other formats of the feed this process just made


def feed_bytes(data: FeedInputs, kind: str) -> bytes:
    """Each feed's entries are gathered once for its three formats (its jobs sit side by side)."""
    made = _MADE.get(data.list_path)
    if made is None or kind not in made:
        _MADE.clear()
        made = _MADE[data.list_path] = render_feeds(gather(data.list_path, data.title, data.lang, data.entries,
                                                           data.root, data.settings, data.translator))
    return made.pop(kind)


@dataclass(frozen=True)
class FeedInputs:
    """A feed's job: its entries' inputs, and the frame they are written in."""

    list_path: str
    title: str
    lang: str
    entries: tuple[EntryInputs, ...]
    root: str
    settings: Any
    translator: Callable[[str], Any]


EntryCache = dict[tuple[str, bool], tuple[EntryInputs, str]]  # each story's entry inputs and their digest


def plan_feed(plan: Planner, list_path: str, title: str, lang: str, stories: list[Story], owner: str,
              made: dict[str, str], cache: EntryCache, bodies: bool = True) -> None:
    """A list's three feeds; `made` collects each feed's address and key (for `feeds/digests.json`).
    `bodies`: entries carry the stories' bodies when `feed_content` is `full` (else summaries);
    `cache`: the entries' inputs made so far (a story is in several feeds).
    The key is made from the entries' inputs (`EntryInputs`), each by its digest."""
    if not stories:
        return
    items = stories[: plan.settings.feed_items]
    full = bodies and plan.settings.feed_content == "full"
    entries, keys = [], []
    for s in items:
        got = cache.get((s.source, full))
        if got is None:
            e = entry_inputs(plan, s, full)
            got = cache[(s.source, full)] = (e, entry_key(e))
        entries.append(got[0])
        keys.append(got[1])
    shown = (title, lang, keys, plan.settings.websub_hub)
    key = digest(("feed", shown, plan.site(lang)["key"]))
    # The record's key leaves out the site's key, which holds the theme's digest (made from its
    # files' absolute paths): the record must be the same in any checkout of the same tree.
    record = digest(("feed-record", shown, repr(plan.settings)))
    addresses = feed_urls(plan.settings.url, list_path)
    data = FeedInputs(list_path, title, lang, tuple(entries), str(plan.root), plan.settings, plan.theme.translator)
    for kind, path in feed_files(list_path).items():
        plan.add(Job(path, key + kind, partial(feed_bytes, data, kind)), owner)
        made[addresses[kind]] = record + kind
        if full:
            plan.in_feeds[path] = [s.source for s in items]


def plan_feeds(plan: Planner) -> None:
    """The whole site, each section, each author, each language and each tag; then the record
    of every feed's key that `masthead publish-notify` compares (docs/reach.md).
    Only the site's, the sections' and the languages' feeds carry bodies: an author's or a
    tag's feed lists the same stories again, and with bodies the feeds were 90% of the
    site's bytes (docs/benchmarks.md)."""
    settings, views = plan.settings, plan.views
    published = [s for s in views.stories if is_published(s, views.now)]  # previews never reach a feed
    lang = settings.language
    made: dict[str, str] = {}
    cache: EntryCache = {}
    plan_feed(plan, "", settings.title, lang, published, "site_config/magazine.yml", made, cache)
    groups: dict[tuple[str, str], list[Story]] = defaultdict(list)
    tag_names: dict[str, str] = {}  # tag path -> the first spelling met (newest story), as on the tag page
    for s in published:
        groups[("section", s.section)].append(s)
        groups[("lang", s.lang)].append(s)
        for a in s.authors:
            groups[("author", a)].append(s)
        for tag in s.tags:
            path = urls.tag_path(tag)
            tag_names.setdefault(path, tag)
            groups[("tag", path)].append(s)
    for (kind, value), stories in sorted(groups.items()):
        if kind == "section":
            section = views.section(value, lang)
            plan_feed(plan, section["url"], f"{settings.title} · {section['title']}", lang, stories,
                      f"section:{value}", made, cache)
        elif kind == "lang":
            name = views.card(stories[0])["lang_name"]
            plan_feed(plan, urls.language_path(value), f"{settings.title} · {name}", value, stories,
                      f"language:{value}", made, cache)
        elif kind == "tag":
            plan_feed(plan, value, f"{settings.title} · {tag_names[value]}", lang, _once(stories),
                      f"tag:{tag_names[value]}", made, cache, bodies=False)
        elif value in views.magazine.people:
            person = views.magazine.people[value]
            plan_feed(plan, urls.author_path(value), f"{settings.title} · {person.name}", lang, stories,
                      person.source, made, cache, bodies=False)
    plan_feed_digests(plan, made)


def _once(stories: list[Story]) -> list[Story]:
    """A story tagged twice with one tag's spellings ('Food', 'food') is listed once."""
    return list({s.source: s for s in stories}.values())  # first occurrence kept, in order


def plan_feed_digests(plan: Planner, made: dict[str, str]) -> None:
    """`feeds/digests.json`: each feed's address and the key of what it shows. Published with the
    site, so the copy online is the record of the last deploy (`masthead publish-notify`)."""
    data = json.dumps({"version": 1, "hub": plan.settings.websub_hub, "feeds": dict(sorted(made.items()))},
                      ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
    plan.add(Job(urls.FEED_DIGESTS, digest(("feed-digests", data)), lambda: data), "site_config/magazine.yml")
