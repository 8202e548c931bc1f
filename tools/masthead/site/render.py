"""Templates and interface strings: the Jinja2 environment over `theme/`.

Interface strings are gettext catalogs, `theme/locale/<lang>/LC_MESSAGES/messages.po`, with
symbolic message ids (`nav.archive`) and English as a catalog like the others. The build
reads the `.po` files with Babel and compiles them in memory (a few milliseconds): no binary
`.mo` is committed or can go stale, and an edited catalog is seen by the next build (the theme
digest covers it). Plural forms follow each language's CLDR rules (Babel writes them into the
catalog's `Plural-Forms` header); a plural message is chosen by its `n`.
"""

from __future__ import annotations

import hashlib
import io
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from datetime import date

from .fragments import FragmentCache


ROOT_MARK = "@@masthead-root@@"  # stands for a page's `root` in fragments shared across depths


def _compiled(po: Path, lang: str, folder: Path | None) -> bytes:
    """The `.mo` bytes of the catalog `po`, from `folder` when it holds them already."""
    source = po.read_bytes()
    kept = folder / f"{lang}-{hashlib.blake2b(source, digest_size=16).hexdigest()}.mo" if folder else None
    if kept is not None and kept.is_file():
        return kept.read_bytes()
    compiled = io.BytesIO()
    write_mo(compiled, read_po(io.BytesIO(source), locale=lang))
    if kept is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        for earlier in kept.parent.glob(f"{lang}-*.mo"):  # an edited catalog's older versions
            earlier.unlink(missing_ok=True)
        temporary = kept.with_name(f".{kept.name}.{os.getpid()}")
        temporary.write_bytes(compiled.getvalue())
        os.replace(temporary, kept)
    return compiled.getvalue()


class Theme:
    """The theme folder: templates, assets and translations, with a digest of all of them."""

    def __init__(self, folder: Path, cache: Path | None = None, sandboxed: bool = False) -> None:
        """`cache`: a folder of the build state to keep compiled templates in; `sandboxed`:
        the templates are not trusted (a submission branch's, in `masthead review`), so they
        run in Jinja's sandbox, which refuses `__globals__`, `__init__` and the like."""
        self.folder = folder
        bytecode = None
        if cache is not None:  # compiled templates kept in the build state (0.2-0.8 s a build)
            folder_for = cache / "sandboxed" if sandboxed else cache
            folder_for.mkdir(parents=True, exist_ok=True)
            bytecode = jinja2.FileSystemBytecodeCache(str(folder_for))
        kind = SandboxedEnvironment if sandboxed else jinja2.Environment
        self.env = kind(bytecode_cache=bytecode,
            loader=jinja2.FileSystemLoader(str(folder / "templates")),
            autoescape=True, undefined=jinja2.ChainableUndefined, trim_blocks=True, lstrip_blocks=True,
            auto_reload=False, extensions=[FragmentCache, "jinja2.ext.i18n"])
        self.catalogs = self._load_catalogs(cache / "catalogs" if cache is not None else None)
        self._locales: dict[str, str] = {}
        self._modules: dict[str, Any] = {}
        # rendered cards by (card key, level, size, language): filled by `card_renderer`, and
        # ahead of the page workers (and from the build state) by site/cards.py
        self.cards: dict[tuple[Any, ...], str] = {}
        # each language's sections by id (set by the planner): a card's kicker names its
        # section in the page's language and links to that language's section page
        self.sections: dict[str, dict[str, Any]] = {}
        self.digest = self._digest()

    def _load_catalogs(self, compiled_in: Path | None = None) -> dict[str, NullTranslations]:
        """Every language's catalog, each falling back to English. `compiled_in`: a folder of
        the build state where each catalog is kept compiled, named by the digest of its `.po`
        (reading and compiling the four catalogs took 0.2 s of every build)."""
        catalogs: dict[str, NullTranslations] = {}
        folder = self.folder / "locale"
        for path in sorted(folder.glob("*/LC_MESSAGES/messages.po")) if folder.is_dir() else []:
            lang = path.parent.parent.name
            catalogs[lang] = Translations(io.BytesIO(_compiled(path, lang, compiled_in)))
        english = catalogs.get("en")
        for lang, translations in catalogs.items():
            if english is not None and lang != "en":
                translations.add_fallback(english)
        return catalogs

    def next_build(self) -> "Theme":
        """The theme, ready to be used by another build in the same process (`masthead serve`):
        compiled templates and rendered cards are kept (a card's key stands for what it
        shows); what one build's inputs put in is dropped: section titles, and the fragments
        of `{% cache %}`, whose keys are unique within one build only (a footer is keyed by its
        feeds' addresses, not their titles, which carry a contributor's name)."""
        self._modules.clear()
        self.sections = {}
        for extension in self.env.extensions.values():
            if isinstance(extension, FragmentCache):
                extension.store.clear()
        return self

    @property
    def languages(self) -> list[str]:
        """The languages the theme has a catalog for."""
        return sorted(self.catalogs)

    def _digest(self) -> str:
        h = hashlib.blake2b(digest_size=16)
        for base, _, files in sorted(os.walk(self.folder)):
            for name in sorted(files):
                path = os.path.join(base, name)
                h.update(path.encode())
                with open(path, "rb") as fh:
                    h.update(fh.read())
        return h.hexdigest()

    def translator(self, lang: str) -> Callable[..., str]:
        """`t(key, **values)` in `lang` (falling back to English, then to the key itself);
        `{name}` placeholders are filled from `values`. When the message has plural forms and
        `n` is a number, the form is the one `lang` uses for `n`, and `n` is written with the
        language's digits grouping."""
        catalog = self.catalogs.get(lang) or self.catalogs.get("en") or NullTranslations()
        singular, plural = catalog.gettext, catalog.ngettext

        def t(key: str, **values: Any) -> str:
            n = values.get("n")
            text = plural(key, key, n) if type(n) is int else key
            if text == key:  # not a plural message (or no number): the singular one
                text = singular(key)
            if type(n) is int:
                values["n"] = _number(n, self.locale(lang))
            for name, value in values.items():
                text = text.replace("{" + name + "}", str(value))
            return text

        return t

    def locale(self, lang: str) -> str:
        """The locale `lang`'s pages are written for: the catalog's `meta.og_locale` (`en_GB`
        in the English catalog), so dates and numbers follow the magazine's own conventions."""
        cached = self._locales.get(lang)
        if cached is None:
            found = self.translator(lang)("meta.og_locale")
            cached = self._locales[lang] = found if found.split("_")[0] == lang.split("-")[0] else lang
        return cached

    def date_text(self, day: date, lang: str) -> str:
        """`day` written the way the magazine's readers of `lang` write it: '14 September 2026'."""
        return date_text(day, self.locale(lang))

    def template_globals(self, lang: str) -> dict[str, Any]:
        """What templates call for strings in `lang`: `t`, and jinja2.ext.i18n's `_`,
        `gettext` and `ngettext` (which take the same symbolic ids)."""
        t = self.translator(lang)

        def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
            return t(singular, n=n, **values)

        return {"t": t, "_": t, "gettext": t, "ngettext": ngettext}

    def card_renderer(self, lang: str, root: str) -> Callable[..., Markup]:
        """`card(c, level, size)` for pages in `lang` at depth `root`: each card is rendered
        once per language (with a stand-in for `root`, filled in per page) and reused by
        every list that shows it."""
        module = self._modules.get(lang)
        if module is None:
            template = self.env.get_template("partials/card.html")
            module = self._modules[lang] = template.make_module(  # its macros are attributes
                {**self.template_globals(lang), "root": ROOT_MARK, "page": {"lang": lang},
                 "sections": self.sections.get(lang, {})})
        cards = self.cards

        def card(c: dict[str, Any], level: int = 2, size: str = "default") -> Markup:
            key = (c["key"], level, size, lang)
            html = cards.get(key)
            if html is None:
                if len(cards) > 200_000:
                    cards.clear()
                html = cards[key] = str(getattr(module, "card")(c, level, size))
            return Markup(html.replace(ROOT_MARK, root))

        return card

    def preload(self) -> None:
        """Compile every template once, before worker processes are forked."""
        for name in self.env.list_templates(extensions=("html", "xml", "txt")):
            self.env.get_template(name)

    def render(self, template: str, context: dict[str, Any]) -> str:
        return self.env.get_template(template).render(context)

    def assets(self) -> list[Path]:
        folder = self.folder / "assets"
        return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


@lru_cache(maxsize=None)
def language_name(code: str) -> str:
    """The language's name in itself: 'русский', 'français', '한국어'."""
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (UnknownLocaleError, ValueError):
        return code
    if code == "fr" or not name[:1].isalpha() or ord(name[0]) >= 0x0530:  # no capital in Georgian, CJK...
        return name
    return name[:1].upper() + name[1:]


@lru_cache(maxsize=65536)
def date_text(day: date, lang: str) -> str:
    """A date as readers of `lang` write it: '14 May 2026', '14 мая 2026 г.', '2026년 5월 14일'."""
    try:
        return format_date(day, format="long", locale=lang)
    except (UnknownLocaleError, ValueError):
        return day.isoformat()


@lru_cache(maxsize=4096)
def _number(n: int, lang: str) -> str:
    try:
        return format_decimal(n, locale=lang)
    except (UnknownLocaleError, ValueError):
        return str(n)


@lru_cache(maxsize=1)
def _territory_codes() -> dict[str, str]:
    """CLDR's English country and region names, to their codes ('south korea' -> 'KR')."""
    return {name.casefold(): code for code, name in Locale("en").territories.items() if code.isalpha()}


@lru_cache(maxsize=65536)
def place_name(place: str, lang: str) -> str | None:
    """CLDR's name for a country or region in `lang` ('South Korea', 'ru' -> 'Южная Корея'),
    or None when `place` is not one CLDR knows by that English name."""
    code = _territory_codes().get(place.casefold())
    if code is None:
        return None
    try:
        return Locale.parse(lang).territories.get(code)
    except (UnknownLocaleError, ValueError):
        return None
