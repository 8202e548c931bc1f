"""Jobs: one per output file, each with a key that changes whenever its content would.

Planning builds every page's context cheaply (cards are shared, bodies are not rendered);
only jobs whose key differs from the last build's are rendered. A key is the fingerprint of
the whole context, where any view carrying a `key` stands for itself by that key.

Planning itself is skipped where nothing changed: a *unit* (a story's page, a list with its
pages) is planned under a signature of its inputs, and when the last build planned it from an
equal signature its entries are taken over as they were (see `Planner.unit` and `memo.py`).
"""

from __future__ import annotations

import hashlib
import json
import operator
from datetime import date, datetime
from functools import partial
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from masthead.domain import urls
from masthead.domain.problems import Problem
from masthead.store import DeltaStore

from .render import Theme, language_name
from .specs import PageSpec, Shared, SpecsFn, check_context
from .views import View, Views

TEXT_DIRECTION = {"ar": "rtl", "he": "rtl", "fa": "rtl", "ur": "rtl", "yi": "rtl"}


@dataclass
class Job:
    """One output file: where it goes, its key, and how to make its bytes."""

    path: str
    key: str
    make: Callable[[], bytes]
    lastmod: str | None = None  # for the sitemap: set on HTML pages readers should find
    html: bool = False


Entry = tuple[str, str, "str | None", bool]  # a planned file: path, key, lastmod, html
Unit = tuple[Any, str, tuple[Entry, ...]]  # a unit as the last build planned it: signature, owner, entries

def _entry(job: Job) -> Entry:
    return job.path, job.key, job.lastmod, job.html


_SCALARS = (str, int, float, bool, type(None))
# Types whose values `repr` fingerprints as they are: scalars, dates, and the plain records
# inputs are made of (`plain_record`). A tuple counts as plain (inputs are plain data by the
# rule of site/specs.py; were one to hold a view, `repr` would still stand for it, only less
# cheaply than the view's key). Checked in C (`issuperset(map(type, ...))`), not item by item:
# a unit's signature is worked out for every story and list at every build.
_PLAIN: set[type] = {*_SCALARS, tuple, datetime, date}


RecordType = TypeVar("RecordType", bound=type)


def plain_record(cls: RecordType) -> RecordType:
    """Mark a record type (a NamedTuple or frozen dataclass of plain data, with a `repr` that
    shows every field) as fingerprinted by its `repr`."""
    _PLAIN.add(cls)
    return cls


_KEYED: dict[type, Callable[[Any], Any]] = {}


def keyed_record(*fields: str) -> Callable[[RecordType], RecordType]:
    """Mark a record type as standing for itself by some of its fields (as a view stands for
    itself by its `key`): a story's facts by its file's digest, since every other field is
    read from that file by masthead's code (which every key covers, `memo.global_signature`)."""
    def mark(cls: RecordType) -> RecordType:
        _KEYED[cls] = operator.attrgetter(*fields)
        return cls
    return mark


def compact(value: Any, depth: int = 0) -> Any:
    """The context with every keyed view replaced by its key, so that `repr` (fast, in C)
    can stand for the rest."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    keyed = _KEYED.get(kind)
    if keyed is not None:
        return keyed(value)
    if kind is dict:
        key = value.get("key")
        if isinstance(key, str):
            return key
        if _PLAIN.issuperset(map(type, value.values())):
            return value  # insertion order is deterministic: views are built by the same code each time
        return [(k, compact(v, depth + 1)) for k, v in value.items()] if depth < 4 else value
    if isinstance(value, (list, tuple)):
        if _PLAIN.issuperset(map(type, value)):
            return value
        return [compact(v, depth + 1) for v in value] if depth < 4 else value
    if isinstance(value, dict):
        return compact(dict(value), depth)
    if callable(value):
        return getattr(value, "__qualname__", "fn")
    return value


def file_reader(path: str | Path) -> Callable[[], bytes]:
    """A job's maker that copies a file as it is (images, assets)."""
    def read() -> bytes:
        with open(path, "rb") as fh:
            return fh.read()
    return read


def digest(value: Any) -> str:
    """A value's fingerprint, by its `repr` (scalars, strings and containers of them)."""
    return hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()


def key_of(*parts: Any) -> str:
    return hashlib.blake2b(repr(compact(parts)).encode(), digest_size=16).hexdigest()


def json_ld(data: dict[str, Any]) -> str:
    """JSON for a <script> element: `<`, `>` and `&` escaped so no text can close it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@dataclass
class Planner:
    """Collects jobs; owns the common context every page gets."""

    views: Views
    theme: Theme
    root: Path
    jobs: list[Job] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    registry: urls.PathRegistry = field(default_factory=urls.PathRegistry)
    _site: dict[str, View] = field(default_factory=dict)
    _navs: dict[tuple[str, str], list[View]] = field(default_factory=dict)
    _feeds: dict[tuple[str, str], list[View]] = field(default_factory=dict)
    _frames: dict[tuple[str, str], tuple[View, list[View], tuple[int, ...]]] = field(default_factory=dict)
    _shared: dict[str, Shared] = field(default_factory=dict)
    memo: dict[str, Unit] = field(default_factory=dict)  # the last build's units
    units: dict[str, Unit] = field(default_factory=dict)  # this build's units, for the next
    kept: list[Unit] = field(default_factory=list)  # units taken over without planning
    signature: str | None = None  # what all pages share (memo.global_signature)
    store: DeltaStore | None = None  # where `memo` came from, to save `units` into
    in_feeds: dict[str, list[str]] = field(default_factory=dict)  # feed path -> stories whose bodies it shows
    pictures: Any = None  # the image pipeline's facts and pending derived files (site/pictures.py)

    def reuse(self, name: str, signature: Any, owner: str) -> bool:
        """`add_unit` in two halves: take the unit over if its signature is the last
        build's; otherwise plan it, then `record` the jobs planned since `start`."""
        old = self.memo.get(name)
        if old is not None and old[1] == owner and old[0] == signature:
            self.units[name] = old
            self.kept.append(old)
            return True
        return False

    def record(self, name: str, signature: Any, owner: str, start: int) -> None:
        self.units[name] = (signature, owner, tuple(_entry(j) for j in self.jobs[start:]))

    def claim_kept(self) -> None:
        """Kept units claim their paths too, so that a clash with a new page is still reported."""
        for _, owner, entries in self.kept:
            for path, *_ in entries:
                self._claim(path, owner)

    def entries(self) -> Iterator[Entry]:
        """Every file of the site: the ones planned now and the ones kept."""
        for j in self.jobs:
            yield _entry(j)
        for _, _, entries in self.kept:
            yield from entries

    def _claim(self, path: str, owner: str) -> bool:
        """Claim `path` for `owner`; a path another source has already is reported."""
        earlier = self.registry.claim(path, owner)
        if earlier:
            self.problems.append(Problem(owner, 0, "", f"two sources claim /{path}: {earlier} and {owner}",
                                         fix="rename one of them", code="duplicate-url"))
        return not earlier

    @property
    def settings(self):  # type: ignore[no-untyped-def]
        return self.views.settings

    def add(self, job: Job, owner: str) -> None:
        if self._claim(job.path, owner):
            self.jobs.append(job)

    def site(self, lang: str) -> View:
        cached = self._site.get(lang)
        if cached is not None:
            return cached
        s = self.settings
        here = partial(urls.localise, lang=lang, site_language=s.language)
        view: View = {
            "title": s.title, "tagline": s.tagline(lang), "description": s.description(lang),
            "url": s.url, "lang": s.language, "licence": s.licence, "year": self.views.now.year,
            "languages": [{"code": c, "name": language_name(c), "url": urls.lang_prefix(c, s.language)}
                          for c in self.views.languages],
            "sections": [self.views.section(x.id, lang) for x in s.sections],
            "home_url": here(""),
            "links": {name: here(path) for name, path in urls.CHROME.items()
                      if name != "send" or s.send_form},
            "send_url": here(urls.CHROME["send"]) if s.send_form else None,
            "board_url": here(urls.CHROME["board"]),
            "pages": self._pages(lang),
        }
        view["key"] = key_of(sorted((k, v) for k, v in view.items()), self.theme.digest, repr(s))
        self._site[lang] = view
        self.theme.sections[lang] = {x["id"]: x for x in view["sections"]}
        return view

    def _pages(self, lang: str) -> list[View]:
        """Stand-alone pages (About, Contribute) for the footer: those written in `lang`, or
        else the site language's, each with its `lang` so the theme marks it as such."""
        pages = self.views.magazine.pages
        mine = [p for p in pages if p.lang == lang] or [p for p in pages if p.lang == self.settings.language]
        return [{"title": p.title, "url": f"{p.slug}/", "lang": p.lang} for p in sorted(mine, key=lambda p: p.slug)]

    def _head(self, path: str, lang: str) -> str:
        """The first folder of `path` below its language's prefix: what the nav marks current."""
        return urls.unlocalise(path, lang, self.settings.language).split("/", 1)[0] + "/"

    def nav(self, lang: str, path: str) -> list[View]:
        """Header links, the one holding `path` marked current; one list per language and place.
        Every link stays in `lang` (docs/theme.md, "Addresses")."""
        head = self._head(path, lang)
        cached = self._navs.get((lang, head))
        if cached is None:
            t = self.theme.translator(lang)
            links = self.site(lang)["links"]
            prefix = urls.lang_prefix(lang, self.settings.language)
            items = [(x["title"], x["url"]) for x in self.site(lang)["sections"]] + [
                (t("nav.archive"), links["archive"]), (t("nav.masthead"), links["masthead"]),
                (t("nav.leaderboard"), links["leaderboard"]), (t("nav.search"), links["search"])]
            cached = self._navs[(lang, head)] = [{"label": label, "url": url, "current": url == prefix + head}
                                                 for label, url in items]
        return cached

    def counterparts(self, path: str, lang: str, only: list[str] | None = None) -> list[View]:
        """The same page in every language (pages every language has: front page, sections,
        archive, masthead...), or in the languages `only`, for the language switcher and
        `hreflang`; a language without it links to its front page."""
        site_lang = self.settings.language
        local = urls.unlocalise(path, lang, site_lang)
        return [{"code": c, "name": language_name(c), "url": urls.localise(local, c, site_lang), "exists": True}
                if only is None or c in only else
                {"code": c, "name": language_name(c), "url": urls.lang_prefix(c, site_lang), "exists": False}
                for c in self.views.languages]

    def alternates(self, path: str, lang: str, versions: dict[str, str] | None = None) -> list[View]:
        """For a page that exists in `lang` only (or in the languages of `versions`: code ->
        path): the page itself, its versions, and every other language's front page."""
        site_lang, versions = self.settings.language, versions or {}
        if not versions and urls.unlocalise(path, lang, site_lang) in urls.CHROME.values():
            return self.counterparts(path, lang)
        out = []
        for c in self.views.languages:
            url = path if c == lang else versions.get(c)
            out.append({"code": c, "name": language_name(c), "exists": url is not None,
                        "url": url if url is not None else urls.lang_prefix(c, site_lang)})
        return out

    def page_view(self, path: str, *, title: str, lang: str, kind: str, description: str = "",
                  feeds: list[View] | None = None, image: tuple[str, str] | None = None,
                  jsonld: dict[str, Any] | None = None, preview: bool = False,
                  alternates: list[View] | None = None) -> View:
        """The `page` every template receives; `alternates` default to `self.alternates`."""
        return {
            "title": title, "description": description or self.settings.description(lang), "lang": lang,
            "dir": TEXT_DIRECTION.get(lang.split("-")[0], "ltr"), "path": path,
            "canonical": urls.absolute(self.settings.url, path), "kind": kind, "feeds": feeds or [],
            "og_type": "article" if kind == "story" else "website",
            "image": image[0] if image else None, "image_alt": image[1] if image else None,
            "image_size": image[2:4] if image and len(image) == 4 else None,  # type: ignore[misc]
            "jsonld": json_ld(jsonld) if jsonld else None, "preview": preview, "noindex": kind == "404" or preview,
            "alternates": alternates if alternates is not None else self.alternates(path, lang),
        }

    def _frame(self, path: str, lang: str, root: str | None) -> tuple[View, list[View], tuple[int, ...], str]:
        """What every page of `lang` at `path` shares: site, nav (and which item is current), root."""
        head = self._head(path, lang)
        cached = self._frames.get((lang, head))
        if cached is None:
            nav = self.nav(lang, path)
            cached = self._frames[(lang, head)] = (self.site(lang), nav,
                                                   tuple(n for n, item in enumerate(nav) if item["current"]))
        return (*cached, urls.relative_root(path) if root is None else root)

    def shared(self, lang: str) -> Shared:
        """The `Shared` door of pages in `lang` (specs.py), one per language."""
        door = self._shared.get(lang)
        if door is None:
            door = self._shared[lang] = Shared(self, lang)
        return door

    def add_page(self, spec: PageSpec) -> None:
        """Plan an HTML page from its spec: its key is derived from the spec's declared inputs
        and the frame its language shares; its context is made from the same inputs, only
        when the page is written (see specs.py)."""
        check_context(spec.context)
        frame = self._frame(spec.path, spec.lang, spec.root)
        key = digest((spec.template, spec.path, spec.lang, spec.kind, frame[0]["key"], frame[2], frame[3],
                      [(name, compact(value, 1)) for name, value in spec.inputs.items()]))
        self.add(Job(urls.output_file(spec.path), key, self._maker(spec, frame),
                     lastmod=spec.lastmod if spec.indexed else None, html=spec.indexed), spec.owner)

    def add_unit(self, name: str, owner: str, inputs: Any, specs: SpecsFn) -> None:
        """Plan a unit (a list and its pages, a story's page): its page specs are derived from
        `inputs` by `specs`, a function that, like a context, reads nothing else (specs.py).
        The unit's signature is the digest of `inputs`: when the last build planned `name`
        from an equal one, its files are known to be unchanged and are taken over as they were."""
        check_context(specs)
        signature = digest(compact(inputs))
        if not self.reuse(name, signature, owner):
            start = len(self.jobs)
            for spec in specs(inputs):
                self.add_page(spec)
            self.record(name, signature, owner, start)

    def _maker(self, spec: PageSpec, frame: tuple[View, list[View], tuple[int, ...], str]) -> Callable[[], bytes]:
        theme = self.theme
        site, nav, nav_key, root = frame
        lang, shared = spec.lang, self.shared(spec.lang)

        def make() -> bytes:
            c = spec.context(spec.inputs, shared)
            page = self.page_view(spec.path, title=c.title, lang=lang, kind=spec.kind, description=c.description,
                                  feeds=c.feeds, image=c.image, jsonld=c.jsonld, preview=c.preview,
                                  alternates=c.alternates)
            full = {"site": site, "page": page, "root": root, "nav": nav, "nav_key": nav_key, **c.own,
                    **theme.template_globals(lang), "card": theme.card_renderer(lang, root)}
            if c.late is not None:
                c.late(full)
            return theme.render(spec.template, full).encode("utf-8")

        return make

    def feeds_of(self, list_path: str, title: str) -> list[View]:
        cached = self._feeds.get((list_path, title))
        if cached is None:
            rss, atom = urls.feed_paths(list_path)
            cached = self._feeds[(list_path, title)] = [
                {"title": f"{title} · RSS", "type": "application/rss+xml",
                 "url": urls.absolute(self.settings.url, rss), "key": f"{title}|{rss}"},
                {"title": f"{title} · Atom", "type": "application/atom+xml",
                 "url": urls.absolute(self.settings.url, atom), "key": f"{title}|{atom}"},
                {"title": f"{title} · JSON Feed", "type": "application/feed+json",  # docs/reach.md
                 "url": urls.absolute(self.settings.url, urls.json_feed_path(list_path)),
                 "key": f"{title}|{urls.json_feed_path(list_path)}"}]
        return cached
