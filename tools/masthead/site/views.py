"""Domain objects as the plain dictionaries templates receive (see docs/theme.md).

Each view is built once per build and shared by every page that shows it; its `key` is a
digest of everything it shows, so pages can tell cheaply whether they changed.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
from datetime import datetime
from typing import Any, NamedTuple

from masthead.domain import urls
from masthead.domain.contributors import Contributor, fediverse_url
from masthead.domain.magazine import Magazine
from masthead.domain.stories import Story, is_published, reading_minutes

from markupsafe import Markup

from .markdown import CLEANER, render_markdown
from .render import Theme, language_name, place_name

View = dict[str, Any]
BLOCK_RE = re.compile(r"</?(?:p|br|li|ul|ol|h[1-6]|div|blockquote)\b[^>]*>")
TAGS_RE = re.compile(r"<[^>]+>")


def safe_markdown(text: str) -> Markup:
    """Contributor-written Markdown (a bio) as HTML the template shows as it is: always passed
    through the site's sanitiser first, with no fast path, and only then marked safe."""
    return Markup(CLEANER.clean(render_markdown(text, trusted=False)))


def plain_text(html_text: str) -> str:
    """Sanitised HTML (a bio) as the words a meta description shows."""
    return " ".join(html.unescape(TAGS_RE.sub("", BLOCK_RE.sub(" ", html_text))).split())


def digest(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


class CardInputs(NamedTuple):
    """Everything a story's card shows, as plain data: the card view is built from these alone
    (`card_view`) and its key is their digest (`card_key`), so a field shown on cards is added
    here and in `card_view`, and nowhere else."""

    source: str
    url: str
    title: str
    summary: str
    date: datetime
    lang: str
    reading_minutes: int
    section: str
    authors: tuple[tuple[str, str], ...]  # handle, name
    tags: tuple[str, ...]
    places: tuple[str, ...]
    cover: str
    cover_alt: str
    cover_facts: Any  # the cover file's ImageFacts (size, format, digest), or None
    published: bool
    promise: str


def card_key(inputs: CardInputs, context: str) -> str:
    """A card's key: the digest of its inputs, and of the settings its frame reads (`context`)."""
    return hashlib.blake2b(repr((inputs, context)).encode(), digest_size=12).hexdigest()


class CardFrame:
    """What a card may read besides its inputs: the settings and the theme (section titles,
    labels, dates as readers write them, the image pipeline's formats), which its key covers
    through the settings' digest and the theme's (the card cache's table)."""

    __slots__ = ("section", "term", "localise", "date_text", "local_day", "_views")

    def __init__(self, views: "Views") -> None:
        self.section, self.term, self.localise = views.section, views.term, views.localise
        self.date_text, self.local_day = views.theme.date_text, views.magazine.local_day
        self._views = views

    @property
    def pictures(self) -> Any:
        """The image pipeline (site/pictures.py), set by the planner once the views exist."""
        return self._views.pictures


def card_view(c: CardInputs, key: str, frame: CardFrame) -> View:
    """The card view templates receive (docs/theme.md), from its inputs only."""
    lang = c.lang
    cover = None
    if c.cover:
        remote = "://" in c.cover
        src = c.cover if remote else c.url + c.cover
        cover = {"url": src, "alt": c.cover_alt, "remote": remote}
        pictures = frame.pictures
        if pictures is not None and not remote:
            cover["picture"] = pictures.view(src, c.cover_facts, "card")
    return {
        "source": c.source, "title": c.title, "url": c.url, "summary": c.summary,
        "date_iso": c.date.isoformat(), "date_text": frame.date_text(frame.local_day(c.date), lang), "lang": lang,
        "lang_name": language_name(lang), "reading_minutes": c.reading_minutes,
        "section": frame.section(c.section, lang),
        "authors": [{"handle": h, "name": name, "url": frame.localise(urls.author_path(h), lang)}
                    for h, name in c.authors],
        "tags": [frame.term(t, "tag", lang) for t in c.tags],
        "places": [frame.term(p, "place", lang) for p in c.places],
        "cover": cover, "published": c.published, "promise": c.promise or None, "key": key,
    }


class Views:
    """Cards, people, sections and terms of one build."""

    def __init__(self, magazine: Magazine, theme: Theme, now: datetime, preview: bool) -> None:
        self.magazine = magazine
        self.settings = magazine.settings
        self.theme = theme
        self.now = now
        self.preview = preview
        self.stories = magazine.visible(now, preview)
        self.paths = {s.source: urls.story_path(s, self.settings.language) for s in magazine.stories}
        self.by_content = {s.content_path: s for s in magazine.stories}
        self._cards: dict[str, View] = {}
        self._card_keys: dict[str, str] = {}
        self._by_key: dict[str, str] = {}  # card key -> source, of the keys made so far
        self._by_source = {s.source: s for s in magazine.stories}
        self._context = digest(repr(self.settings))
        self._frame = CardFrame(self)
        self._people: dict[tuple[str, str], View] = {}
        self.pictures: Any = None  # the build's image facts (site/pictures.py), set by the planner
        self.languages = sorted({s.lang for s in self.stories} | {self.settings.language})  # the site's, and its stories'
        self.pieces: dict[str, int] = {}
        for s in self.stories:
            for a in s.authors:
                self.pieces[a] = self.pieces.get(a, 0) + 1

    # Made again by `with_stories` (what depends on the stories' bodies, the moment or the
    # planner), and taken over as they are (what follows from the stories' front matter and
    # the settings alone). Every attribute is in one of the two (tests/core/test_serve.py).
    PER_BUILD = ("magazine", "theme", "now", "stories", "by_content", "_by_source", "_cards", "_card_keys",
                 "_by_key", "_frame", "_people", "pictures")
    SHARED = ("settings", "preview", "paths", "_context", "languages", "pieces")

    def with_stories(self, magazine: Magazine, swapped: dict[str, Story], theme: Theme, now: datetime) -> "Views | None":
        """These views for `magazine`, which is this one's magazine with the stories `swapped`
        (by source) in place of their versions here, each differing in its body only
        (`stories.same_but_body`), as of `now`: addresses, languages and the authors' counts
        are taken over, and cards are made anew (a card shows the reading time, and whether
        its story is out as of `now`). None when `now` shows other stories than this one's
        moment did (one fell due in between): then `Views` must be made whole."""
        if not self.preview and any(not s.draft and (self.now < s.date <= now or now < s.date <= self.now)
                                    for s in magazine.stories):
            return None
        new = object.__new__(Views)
        for name in self.SHARED:
            setattr(new, name, getattr(self, name))
        new.magazine, new.theme, new.now = magazine, theme, now
        new.stories = [swapped.get(s.source, s) for s in self.stories]
        new.by_content = {**self.by_content, **{s.content_path: s for s in swapped.values()}}
        new._by_source = {**self._by_source, **swapped}
        new._cards, new._card_keys, new._by_key, new._people = {}, {}, {}, {}
        new._frame = CardFrame(new)
        new.pictures = None
        return new

    # --- small pieces ---------------------------------------------------------------------

    def section(self, section_id: str, lang: str) -> View:
        sec = self.settings.section(section_id)
        site_lang = self.settings.language
        title = sec.title(lang, site_lang) if sec else section_id
        return {"id": section_id, "title": title, "url": urls.localise(urls.section_path(section_id), lang, site_lang)}

    def term(self, name: str, kind: str, lang: str = "") -> View:
        """A tag or place as readers of `lang` write it (site_config labels, then CLDR's name
        for a country), and its page in `lang`."""
        label = self.settings.labels.label(kind, name, lang) if lang else None
        if label is None and kind == "place" and lang:
            label = place_name(name, lang)
        path = urls.tag_path(name) if kind == "tag" else urls.place_path(name)
        return {"name": label or name, "url": self.localise(path, lang) if lang else path}

    def author_link(self, handle: str, lang: str = "") -> View:
        """A linked name: the author's page in `lang` (the site's language by default)."""
        person = self.magazine.people.get(handle)
        path = urls.author_path(handle)
        return {"handle": handle, "name": person.name if person else handle,
                "url": self.localise(path, lang) if lang else path}

    def localise(self, path: str, lang: str) -> str:
        return urls.localise(path, lang, self.settings.language)

    def story_url(self, content_path: str) -> str | None:
        """The address of the story at `content_path` (below content/), if it is shown."""
        story = self.by_content.get(content_path)
        if story is None or not (self.preview or is_published(story, self.now)):
            return None
        return self.paths[story.source]

    # --- cards and people -----------------------------------------------------------------

    def card(self, story: Story) -> View:
        """The story's card view: built from its `CardInputs` alone, keyed by their digest."""
        cached = self._cards.get(story.source)
        if cached is not None:
            return cached
        view = self._cards[story.source] = card_view(self.card_inputs(story), self.card_key(story), self._frame)
        return view

    def card_inputs(self, story: Story) -> CardInputs:
        """Everything a card shows of its story, as plain data (see `CardInputs`)."""
        people = self.magazine.people
        return CardInputs(
            story.source, self.paths[story.source], story.title, story.summary, story.date, story.lang,
            reading_minutes(story.words, self.settings.words_per_minute), story.section,
            tuple([(a, people[a].name if a in people else a) for a in story.authors]), story.tags, story.places,
            story.cover, story.cover_alt, self.cover_facts(story),
            not story.draft and story.date <= self.now,  # is_published, inlined: 10,000 calls
            story.promise)

    def card_key(self, story: Story) -> str:
        """The digest of the card's inputs and of the settings its frame reads (section
        titles, labels, time zone): an edit that leaves all of these alone (the body, most
        often) leaves every list showing the story as it was."""
        key = self._card_keys.get(story.source)
        if key is None:
            key = self._card_keys[story.source] = card_key(self.card_inputs(story), self._context)
            self._by_key[key] = story.source
        return key

    def cover_facts(self, story: Story) -> Any:
        """The cover file's `ImageFacts` (size, digest), or None (remote, missing, no pipeline)."""
        if self.pictures is None or not story.cover or "://" in story.cover:
            return None
        source = self.pictures.locate(os.path.join(self.pictures.root, os.path.dirname(story.source), story.cover))
        return self.pictures.facts(source) if source is not None else None

    def card_by_key(self, key: str) -> View:
        """The card whose key is `key` (a key names one story: its source is part of it)."""
        source = self._by_key.get(key)  # the keys made so far (a page's cards were keyed when it was planned)
        if source is None:
            self.card_keys()
            source = self._by_key[key]
        return self.card(self._by_source[source])

    def card_keys(self) -> dict[str, str]:
        """`card_key` of every story of the magazine, by source."""
        if len(self._card_keys) < len(self.magazine.stories):
            for story in self.magazine.stories:
                self.card_key(story)
        return self._card_keys

    def _avatar(self, handle: str, p: Contributor) -> View | None:
        if not p.avatar:
            return None
        if "://" in p.avatar:
            return {"url": p.avatar, "alt": p.avatar_alt or p.name}
        url = f"authors/{handle}/{p.avatar.rsplit('/', 1)[-1]}"
        view: View = {"url": url, "alt": p.avatar_alt or p.name}
        if self.pictures is not None:
            from masthead.domain.images import AVATAR_WIDTHS
            source = self.pictures.locate(os.path.join(self.pictures.root, "contributors", p.avatar))
            facts = self.pictures.facts(source) if source is not None else None
            view["picture"] = self.pictures.view(url, facts, "avatar", AVATAR_WIDTHS)
        return view

    def person(self, handle: str, lang: str) -> View:
        cached = self._people.get((handle, lang))  # roles and dates are in `lang`
        if cached is not None:
            return cached
        p: Contributor = self.magazine.people[handle]
        t = self.theme.translator(lang)
        feeds = urls.feed_paths(urls.author_path(handle))
        view: View = {
            "handle": handle, "name": p.name, "url": self.localise(urls.author_path(handle), lang),
            "bio": safe_markdown(p.bio) if p.bio else Markup(""),
            "links": [{"label": x.label, "url": x.url} for x in p.links],
            "avatar": self._avatar(handle, p),
            "roles": [{"id": r, "label": t(f"role.{r}")} for r in p.roles],
            "languages": [{"code": c, "name": language_name(c)} for c in p.languages],
            "places": list(p.places), "joined_iso": p.joined.isoformat(),
            "joined_text": self.theme.date_text(p.joined, lang), "pieces": self.pieces.get(handle, 0),
            "is_editor": p.is_editor,
            "fediverse": {"account": p.fediverse, "url": fediverse_url(p.fediverse)} if p.fediverse else None,
            "feeds": [{"title": f"{p.name} · RSS", "type": "application/rss+xml",
                       "url": urls.absolute(self.settings.url, feeds[0])},
                      {"title": f"{p.name} · Atom", "type": "application/atom+xml",
                       "url": urls.absolute(self.settings.url, feeds[1])},
                      {"title": f"{p.name} · JSON Feed", "type": "application/feed+json",  # docs/reach.md
                       "url": urls.absolute(self.settings.url, urls.json_feed_path(urls.author_path(handle)))}],
        }
        view["key"] = digest(sorted((k, repr(v)) for k, v in view.items()))
        self._people[(handle, lang)] = view
        return view
