"""Templates and interface strings: the Jinja2 environment over `theme/`."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import jinja2
from markupsafe import Markup
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from datetime import date

from masthead.sources.frontmatter import parse_yaml_file

from .fragments import FragmentCache


ROOT_MARK = "@@masthead-root@@"  # stands for a page's `root` in fragments shared across depths


class Theme:
    """The theme folder: templates, assets and translations, with a digest of all of them."""

    def __init__(self, folder: Path, cache: Path | None = None) -> None:
        self.folder = folder
        bytecode = None
        if cache is not None:  # compiled templates survive between runs (about 0.5 s each build)
            (cache / "jinja").mkdir(parents=True, exist_ok=True)
            bytecode = jinja2.FileSystemBytecodeCache(str(cache / "jinja"))
        self.env = jinja2.Environment(bytecode_cache=bytecode,
            loader=jinja2.FileSystemLoader(str(folder / "templates")),
            autoescape=True, undefined=jinja2.ChainableUndefined, trim_blocks=True, lstrip_blocks=True,
            auto_reload=False, extensions=[FragmentCache])
        self.strings = self._load_strings()
        self._modules: dict[str, Any] = {}
        self._cards: dict[tuple[Any, ...], str] = {}
        # each language's sections by id (set by the planner): a card's kicker names its
        # section in the page's language and links to that language's section page
        self.sections: dict[str, dict[str, Any]] = {}
        self.digest = self._digest()

    def _load_strings(self) -> dict[str, dict[str, str]]:
        strings: dict[str, dict[str, str]] = {}
        folder = self.folder / "i18n"
        for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
            parsed = parse_yaml_file(f"theme/i18n/{path.name}", path.read_bytes())
            strings[path.stem] = {str(k): str(v) for k, v in (parsed.data or {}).items()}
        return strings

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
        """`t(key, **values)` in `lang`, falling back to English, then to the key itself."""
        table = self.strings.get(lang, {})
        fallback = self.strings.get("en", {})

        def t(key: str, **values: Any) -> str:
            text = table.get(key) or fallback.get(key) or key
            for name, value in values.items():
                text = text.replace("{" + name + "}", str(value))
            return text

        return t

    def card_renderer(self, lang: str, root: str) -> Callable[..., Markup]:
        """`card(c, level, size)` for pages in `lang` at depth `root`: each card is rendered
        once per language (with a stand-in for `root`, filled in per page) and reused by
        every list that shows it."""
        module = self._modules.get(lang)
        if module is None:
            template = self.env.get_template("partials/card.html")
            module = self._modules[lang] = template.make_module(  # its macros are attributes
                {"t": self.translator(lang), "root": ROOT_MARK, "page": {"lang": lang},
                 "sections": self.sections.get(lang, {})})
        cards = self._cards

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
    return name[:1].upper() + name[1:] if code not in ("fr",) else name


@lru_cache(maxsize=65536)
def date_text(day: date, lang: str) -> str:
    """A date as readers of `lang` write it: '14 May 2026', '14 мая 2026 г.', '2026년 5월 14일'."""
    try:
        return format_date(day, format="long", locale=lang)
    except (UnknownLocaleError, ValueError):
        return day.isoformat()
