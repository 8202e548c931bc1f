"""Story pages: body, byline, translations, related stories, previous/next, and images."""

from __future__ import annotations

import os
import posixpath
from collections import defaultdict
from pathlib import Path
from datetime import datetime
from typing import Any, Callable, NamedTuple

from markupsafe import Markup

from masthead.domain import urls
from masthead.domain.reading import related_for_reader
from masthead.domain.share import share_links
from masthead.domain.stories import Story
from masthead.sources.files import copy_reader, inside
from masthead.sources.frontmatter import split_body
from masthead.sources.images import CardText
from masthead import state

from .board import story_promise  # promises
from .links import plan_downloads, rewrite_rooted, story_links
from .markdown import render_markdown, rewrite_story_links
from masthead.domain.typography import typeset_html
from masthead.domain.images import ImageFacts
from .pictures import body_facts, rewrite_body
from .plan import Job, Planner, digest, key_of, keyed_record, plain_record
from .specs import Inputs, PageContext, PageSpec, Shared
from .toc import dress_story  # heading anchors and contents, on the story page only
from .views import View

plain_record(ImageFacts)  # a body image's facts, in a story page's inputs

RELATED = 3
CANDIDATES = 3 * RELATED  # ranked by topic; the reader's rule (domain/reading.py) picks RELATED
NEIGHBOURS = 6  # stories looked at on each side, in each shared tag's timeline


def related_stories(stories: list[Story]) -> dict[str, list[Story]]:
    """For each story, up to CANDIDATES others sharing tags (then section), nearest in time first.

    Only a few neighbours in each tag's timeline are scored, so the cost stays linear."""
    tags = [frozenset(t.casefold() for t in s.tags) for s in stories]
    sections = [s.section for s in stories]
    by_tag: dict[str, list[int]] = {}
    where: list[list[tuple[list[int], int]]] = [[] for _ in stories]  # each story's timelines, and its place in each
    for n, mine in enumerate(tags):  # stories are newest first, so each timeline is too
        for tag in mine:
            items = by_tag.setdefault(tag, [])
            where[n].append((items, len(items)))
            items.append(n)
    out: dict[str, list[Story]] = {}
    for n, s in enumerate(stories):
        mine, section = tags[n], sections[n]
        scored: dict[int, int] = {}
        for items, at in where[n]:
            for other in items[max(0, at - NEIGHBOURS): at + NEIGHBOURS + 1]:
                if other != n and other not in scored:
                    scored[other] = 2 * len(mine & tags[other]) + (sections[other] == section)
        # newest first among equals: a lower index is a newer story
        out[s.source] = [stories[o] for _, o in sorted((-score, o) for o, score in scored.items())[:CANDIDATES]]
    return out


def cached_related(root: Path, stories: list[Story], only: set[str] | None = None) -> dict[str, list[Story]]:
    """`related_stories`, kept in the build state (table `related`) while no story's place,
    tags or section changes and masthead's code is the same (editing a body, the usual change,
    leaves it valid). `only`: the stories whose related ones are wanted (all by default;
    the table is still made whole when it is not valid)."""
    signature = digest((state.code_signature(), [(s.source, s.tags, s.section) for s in stories]))
    table = state.for_root(root).table("related", signature)
    saved = table.read()
    by_source = {s.source: s for s in stories}  # the signature names every story: all are here
    if saved and saved.keys() == by_source.keys():
        wanted = saved if only is None else {src: saved[src] for src in only if src in saved}
        if all(isinstance(v, list) and all(o in by_source for o in v) for v in wanted.values()):
            return {src: [by_source[o] for o in others] for src, others in wanted.items()}
    related = related_stories(stories)
    table.write({src: [o.source for o in others] for src, others in related.items()}, whole=True)
    return related


def translation_groups(stories: list[Story], by_content: dict[str, Story]) -> dict[str, list[Story]]:
    """Stories linked by `translation_of` (`by_content`: every story by its path below
    content/), each mapped to the other versions of its group that are in `stories`."""
    shown = {s.source for s in stories}
    groups: dict[str, list[Story]] = defaultdict(list)
    for s in stories:
        if not s.translation_of:
            continue  # most stories: alone, unless another one points here (then it heads a group)
        head, seen = s, set()
        while (head.translation_of in by_content and by_content[head.translation_of].source in shown
               and head.source not in seen):
            seen.add(head.source)
            head = by_content[head.translation_of]
        groups[head.source].append(s)
    heads = {s.source: s for s in stories if s.source in groups}
    out: dict[str, list[Story]] = {}
    for head_source, members in groups.items():
        leader = heads.get(head_source)
        if leader is not None and all(m is not leader for m in members):
            members.append(leader)
        for s in members:
            if s.source in shown:
                out[s.source] = sorted((m for m in members if m is not s and m.source in shown), key=lambda m: m.lang)
    return out


def plan_stories(plan: Planner, only: set[str] | None = None) -> None:
    """Every story's page and images; `only`: the pages of these stories only (by source),
    planned as they are when all are (`masthead serve` writes the edited pages first)."""
    views, settings = plan.views, plan.settings
    stories = views.stories
    related = cached_related(plan.root, stories, only)
    versions = translation_groups(stories, views.by_content)
    by_lang: dict[str, list[Story]] = defaultdict(list)
    for s in stories:
        by_lang[s.lang].append(s)
    neighbours: dict[str, tuple[Story | None, Story | None]] = {}
    for items in by_lang.values():  # newest first: "previous" is older, "next" is newer
        for n, s in enumerate(items):
            if only is None or s.source in only:
                neighbours[s.source] = (items[n + 1] if n + 1 < len(items) else None, items[n - 1] if n else None)
    key = views.card_key  # each story's own, cached: with `only`, just the few its pages show
    for s in stories if only is None else [s for s in stories if s.source in only]:  # 10,000: kept lean
        source = s.source
        others, (older, newer) = versions.get(source, ()), neighbours[source]
        mine = related_for_reader(related[source], s, s.lang, RELATED, versions)
        links = story_links(views, s, versions) if s.links else {}
        promise = story_promise(views, s.promise, s.lang) if s.promise else None  # promises: the topic, linked to board/
        published = not s.draft and s.date <= views.now  # is_published, inlined: 10,000 calls
        # everything the page shows: its file's facts, and the other stories by their cards' keys
        page = {"card": key(s), "facts": story_facts(s), "published": published,
                "versions": tuple([key(v) for v in others]),
                "related": tuple([key(r) for r in mine]),
                "older": key(older) if older else None,
                "newer": key(newer) if newer else None,
                "promise": promise, "fediverse": _fediverse(views, s),
                "body": BodyRef(source, s.digest, s.lang, s.content_path, settings.trust_raw_html, settings.embeds),
                "links": tuple(links.items()), "images": image_facts(plan, s),
                "social": plan.pictures.card_path(views.paths[source]) if plan.pictures is not None else None}
        plan.add_unit(source, source, {"path": views.paths[source], "owner": source, "lang": s.lang,
                                       "lastmod": (s.updated or s.date).date().isoformat(), "page": page},
                      story_specs)
        if s.images:
            plan_images(plan, s)
        if s.downloads:
            plan_downloads(plan, s)
        plan_social_card(plan, s)


def _fediverse(views: Any, s: Story) -> tuple[str, ...]:
    """The authors' fediverse accounts, for `<meta name="fediverse:creator">` (docs/reach.md)."""
    people = views.magazine.people
    return tuple(people[a].fediverse for a in s.authors if a in people and people[a].fediverse)


@keyed_record("digest")
class StoryFacts(NamedTuple):
    """What a story's page shows of its file besides its card; in a key, its file's digest
    stands for it (every field is read from that file)."""

    title: str
    summary: str
    lang: str
    date: datetime
    updated: datetime | None
    words: int
    cover_credit: str
    tags: tuple[str, ...]
    digest: str  # the story file's


def story_facts(s: Story) -> StoryFacts:
    return StoryFacts(s.title, s.summary, s.lang, s.date, s.updated, s.words, s.cover_credit, s.tags, s.digest)


@keyed_record("source", "digest", "trusted", "embeds")
class BodyRef(NamedTuple):
    """A body to render when the page is written: the file, by its path and digest, and how
    (in a key, `lang` and `content_path` follow from the path and the file)."""

    source: str
    digest: str
    lang: str
    content_path: str
    trusted: bool
    embeds: tuple[str, ...]


def story_specs(unit: Inputs) -> list[PageSpec]:
    """A story's unit is its page."""
    page = unit["page"]
    return [PageSpec(unit["path"], "story.html", unit["owner"], unit["lang"], "story", page, story_context,
                     lastmod=unit["lastmod"], indexed=page["published"])]


def story_context(inputs: Inputs, shared: Shared) -> PageContext:
    """The story page's context, from its inputs (`plan_stories`); the body is rendered late."""
    settings = shared.settings
    card = shared.card(inputs["card"])
    f: StoryFacts = inputs["facts"]
    image: tuple[Any, ...] | None = None
    if card["cover"]:
        image = (card["cover"]["url"] if card["cover"]["remote"] else urls.absolute(settings.url, card["cover"]["url"]),
                 card["cover"]["alt"])
    social = inputs["social"]
    if social is not None:  # the social card (docs/images.md) stands for the story everywhere it is shared
        path, width, height = social
        image = (urls.absolute(settings.url, path), f.title, width, height)
    versions = [shared.card(k) for k in inputs["versions"]]
    older, newer = inputs["older"], inputs["newer"]
    story: View = {k: v for k, v in card.items() if k != "key"}  # the page shows more than the card
    story.update({
        "words": f.words,
        "cover_credit": f.cover_credit,
        "updated_iso": f.updated.isoformat() if f.updated else None,
        "updated_text": shared.date_text(shared.local_day(f.updated), f.lang) if f.updated else None,
        "translations": [{"lang": v["lang"], "lang_name": v["lang_name"], "title": v["title"],
                          "url": v["url"]} for v in versions],
        "related": [shared.card(k) for k in inputs["related"]],
        "prev": shared.card(older) if older else None,
        "next": shared.card(newer) if newer else None,
        "promise": inputs["promise"],
        "fediverse_creators": list(inputs["fediverse"]),
        "share": share_links(settings.share, urls.absolute(settings.url, card["url"]), f.title),  # docs/reach.md
    })
    body, links, images = inputs["body"], dict(inputs["links"]), inputs["images"]

    def late(context: dict[str, Any]) -> None:
        t = shared.t
        html = body_html(shared.root, body, links, body.trusted, context["root"], t, body.embeds)
        if images:  # <picture> for every local raster image (docs/images.md)
            html = Markup(rewrite_body(str(html), dict(images), shared.modern))
        context["story"] = dict(context["story"], body=Markup(dress_story(str(html), t, settings.toc_headings)))

    alternates = shared.alternates(card["url"], f.lang, {v["lang"]: v["url"] for v in versions})
    published = inputs["published"]
    return PageContext(f.title, {"story": story}, f.summary, alternates=alternates,
                       feeds=shared.feeds_of(urls.section_path(card["section"]["id"]), card["section"]["title"]),
                       image=image, jsonld=article_ld(settings, f, card, image), preview=not published, late=late)


BodyKey = tuple[str, str, bool, str, tuple[str, ...]]
_BODIES: dict[BodyKey, str] = {}  # rendered in this process, on demand


class _Pack:
    """Bodies rendered before the page workers were forked (see `cards.prerender`), in one file
    they all read by offset: shared without a file per story, and without each worker holding
    a copy in memory."""

    fd: int | None = None
    index: dict[BodyKey, tuple[int, int]] = {}


def _body_key(s: "Story | BodyRef", trusted: bool, t: Any, embeds: tuple[str, ...]) -> BodyKey:
    return s.source, s.digest, trusted, t("admonition.note"), embeds


def rendered_body(root: Any, s: "Story | BodyRef", trusted: bool, t: Any, embeds: tuple[str, ...] = ()) -> str:
    """The story's body as HTML, rendered once per build where several files show it (its
    page and its feeds) and otherwise once per process. Rendering (0.6 ms) is cheaper than a
    file per story kept between builds on a loaded file system."""
    key = _body_key(s, trusted, t, embeds)
    html = _BODIES.get(key)
    if html is not None:
        return html
    where = _Pack.index.get(key)
    if where is not None and _Pack.fd is not None:
        return os.pread(_Pack.fd, where[1], where[0]).decode("utf-8")
    with open(os.path.join(root, s.source), encoding="utf-8-sig") as fh:
        body = split_body(fh.read())
    html = render_markdown(body, trusted=trusted, title_of=lambda kind: t(f"admonition.{kind}"), embeds=embeds,
                           say=t)
    html = typeset_html(html, s.lang)  # quotes and spaces of the story's language (docs/theme.md)
    if len(_BODIES) > 2048:
        _BODIES.clear()
    _BODIES[key] = html
    return html


def bodies_ahead(root: Any, stories: list[Story], trusted: bool, translator: Callable[[str], Any],
                 embeds: tuple[str, ...] = ()) -> list[tuple[BodyKey, bytes]]:
    """Render these stories' bodies now (in a worker of the card pool); see `BodyPack`."""
    out = []
    for s in stories:
        t = translator(s.lang)
        out.append((_body_key(s, trusted, t, embeds), rendered_body(root, s, trusted, t, embeds).encode("utf-8")))
    return out


class BodyPack:
    """Writes rendered bodies into one file as they come, then opens it for the page workers
    (which inherit the descriptor and the index)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.index: dict[BodyKey, tuple[int, int]] = {}
        self.offset = 0
        self.file = open(path, "wb")

    def add(self, entries: list[tuple[BodyKey, bytes]]) -> None:
        for key, data in entries:
            self.file.write(data)
            self.index[key] = (self.offset, len(data))
            self.offset += len(data)

    def share(self) -> None:
        self.file.close()
        close_pack()
        _Pack.fd, _Pack.index = os.open(self.path, os.O_RDONLY), self.index


def close_pack() -> None:
    if _Pack.fd is not None:
        os.close(_Pack.fd)
    _Pack.fd, _Pack.index = None, {}


def body_html(root: Any, s: "Story | BodyRef", links: dict[str, str | None], trusted: bool, rel_root: str,
              t: Any, embeds: tuple[str, ...] = ()) -> Any:
    """The body with links to other stories' files, and links from the site's root, turned
    into addresses from `rel_root`."""
    from markupsafe import Markup

    folder = posixpath.dirname(s.content_path)
    body = rewrite_story_links(rendered_body(root, s, trusted, t, embeds), folder, links.get, rel_root)
    return Markup(rewrite_rooted(body, rel_root))


def article_ld(settings: Any, s: StoryFacts, card: View, image: tuple[Any, ...] | None) -> dict[str, Any]:
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
    """Images next to the story are published beside its page: rasters through the image
    pipeline (no EXIF, a few widths, WebP and AVIF), SVG cleaned (docs/images.md)."""
    if not s.images:
        return
    base = plan.views.paths[s.source]
    folder = os.path.dirname(os.path.join(plan.root, s.source))
    for name in s.images:
        path = os.path.join(folder, name)  # links followed: never out of the repository
        source = plan.pictures.locate(path) if plan.pictures is not None else inside(plan.root, path)
        if source is None or not source.is_file():
            continue
        if plan.pictures is None:
            st = source.stat()
            plan.add(Job(posixpath.normpath(base + name), key_of("copy", str(source), st.st_mtime_ns, st.st_size),
                         copy_reader(source, name)), s.source)
        else:
            plan.pictures.publish(plan, base, name, source, s.source)


def image_facts(plan: Planner, s: Story) -> tuple[tuple[str, Any], ...] | None:
    """What the page shows of its images' files (their sizes and digests), by the name the
    body uses; None without the image pipeline or images."""
    if plan.pictures is None or not s.images:
        return None
    return tuple(sorted(body_facts(plan, s).items()))


def plan_social_card(plan: Planner, s: Story) -> None:
    """The story's Open Graph image, from its cover, title, section and the magazine's name."""
    if plan.pictures is None:
        return
    views = plan.views
    cover = None
    if s.cover and "://" not in s.cover:
        cover = plan.pictures.locate(os.path.join(os.path.dirname(os.path.join(plan.root, s.source)), s.cover))
    text = CardText(s.title, views.section(s.section, s.lang)["title"], plan.settings.title)
    plan.pictures.social_card(plan, views.paths[s.source], text, cover, s.source)
