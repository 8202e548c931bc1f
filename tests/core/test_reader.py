"""What a reader sees, in every language the sample publishes in: no literal markup, and a
language kept from page to page (navigation, footer, switcher, hreflang)."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Callable

import pytest
from bs4 import BeautifulSoup

from babel.messages.catalog import Catalog, Message

from masthead.domain.stories import Story
from masthead.domain.typography import typeset_text
from tests.conftest import REPO, Magazine

Page = Callable[[str], BeautifulSoup]
LANGUAGES = ("en", "ru", "fr", "ko")
PREFIX = {"en": "", "ru": "ru/", "fr": "fr/", "ko": "ko/"}
STORY = {"en": "city/river-festival/", "ru": "ru/city/rynok-na-naberezhnoy/", "fr": "fr/city/river-festival/",
         "ko": "ko/culture/pansori/"}
LITERAL = ("<p>", "</", "{{", "{%", "&lt;", "&amp;lt;")


def authored_text() -> list[str]:
    """Titles and summaries written with these characters on purpose (a story about template
    syntax): shown verbatim, so left out of the check."""
    found = []
    for path in (REPO / "content").rglob("*.md"):
        for line in path.read_text(encoding="utf-8").splitlines():
            m = re.match(r'^(title|summary): "(.*)"$', line)
            if m and any(mark in m.group(2) for mark in LITERAL):
                found += [m.group(2), typeset_text(m.group(2), "en")]  # as written, and as shown (quotes curled)
    return found


def visible_text(doc: BeautifulSoup) -> str:
    """What a reader reads: no scripts, styles, or story bodies (authored text, tested in
    test_site.py for shown-verbatim template syntax)."""
    for el in doc.select("script, style, template, .story-body"):
        el.decompose()
    return doc.get_text(" ")


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html"))


def target(site: Path, page_path: str, href: str) -> Path | None:
    """The file a relative link on `page_path` (site-relative) leads to, or None if not HTML here."""
    if "://" in href or href.startswith(("#", "mailto:")):
        return None
    href = href.split("#", 1)[0]
    path = posixpath.normpath(posixpath.join(posixpath.dirname(page_path), href))
    file = site / path
    if file.is_dir() or href.endswith("/") or href in ("", "./"):
        file = file / "index.html"
    return file if file.suffix == ".html" else None


def lang_of(file: Path) -> str:
    doc = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
    return str(doc.html["lang"])


# --- 1. no literal markup anywhere --------------------------------------------------------

def test_author_pages_show_their_bio_as_paragraphs(page: Page, sample: Path) -> None:
    authors = sorted((sample / "authors").glob("*/index.html"))
    assert len(authors) >= 10
    shown = 0
    for file in authors:
        bio = page(str(file.relative_to(sample))).select_one(".profile-bio")
        if bio is None:
            continue
        shown += 1
        assert bio.find("p") is not None, file
        assert "<p>" not in bio.get_text() and "</" not in bio.get_text(), file
    assert shown >= 10


def test_no_literal_markup_on_any_page_in_any_language(sample: Path) -> None:
    pages = html_pages(sample)
    kinds: dict[str, set[str]] = {}
    authored = authored_text()
    ids = sorted(msgid(m) for m in catalogs()["en"] if m.id)
    for file in pages:
        doc = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
        kinds.setdefault(str(doc.html["lang"]), set()).add(doc.body["class"][0])
        text = visible_text(doc)
        for piece in authored:
            text = text.replace(piece, "")
        found = [mark for mark in LITERAL if mark in text] + [i for i in ids if i in text]
        assert not found, f"{file.relative_to(sample)} shows {found}"
    every = {"kind-home", "kind-section", "kind-archive", "kind-masthead", "kind-leaderboard", "kind-search",
             "kind-board", "kind-send", "kind-story"}
    for lang in LANGUAGES:
        assert every <= kinds[lang], (lang, every - kinds[lang])
    assert {"kind-author", "kind-tag", "kind-place", "kind-page", "kind-404"} <= kinds["en"]


def test_a_bio_is_sanitised_before_it_is_marked_safe(magazine: Magazine) -> None:
    magazine.person("eve", {"name": "Eve", "roles": ["author"], "joined": "2025-01-01",
                            "bio": 'Writes **about** rivers.<script>alert(1)</script> [x](javascript:alert(2))'
                                   ' <img src=x onerror="alert(3)">'})
    magazine.story("city/a.md", authors=["eve"])
    magazine.build()
    bio = magazine.html("authors/eve/index.html").select_one(".profile-bio")
    assert bio.select_one("strong").get_text() == "about"
    assert not bio.select("script")  # GFM's tag filter shows it as text; no element either way
    assert all(not a.get("href", "").startswith("javascript") for a in bio.select("a"))
    assert all(not any(k.startswith("on") for k in img.attrs) for img in bio.select("img"))


# --- 2. a reader keeps their language -----------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_nav_and_footer_link_stays_in_the_language(sample: Path, lang: str) -> None:
    for start in (PREFIX[lang], STORY[lang]):
        rel = start + "index.html"
        doc = BeautifulSoup((sample / rel).read_text(encoding="utf-8"), "html.parser")
        assert doc.html["lang"] == lang
        links = doc.select("nav.site-nav a, footer.site-footer a")
        followed = 0
        for a in links:
            file = target(sample, rel, a["href"])
            if file is None:
                continue
            assert file.is_file(), f"{rel}: {a['href']} leads nowhere"
            # a page not written in `lang` (About, in English only) is marked with its language
            expected = a.get("hreflang", lang)
            assert lang_of(file) == expected, f"{rel}: {a.get_text(strip=True)!r} -> {a['href']} is not in {expected}"
            followed += 1
        assert followed >= 12, (rel, followed)  # 5 sections, 4 pages in the nav; the footer's
        texts = {a.get_text(strip=True) for a in links}
        assert len(texts) >= 10
        pages = {target(sample, rel, a["href"]) for a in links}
        assert sample / "about/index.html" in pages and sample / "contribute/index.html" in pages


@pytest.mark.parametrize("lang", LANGUAGES)
def test_language_switcher_goes_to_the_same_page_in_each_language(sample: Path, lang: str) -> None:
    for local in ("", "city/", "archive/", "masthead/", "leaderboard/", "board/", "search/", "send/"):
        rel = PREFIX[lang] + local + "index.html"
        doc = BeautifulSoup((sample / rel).read_text(encoding="utf-8"), "html.parser")
        for a in doc.select("nav.lang-switch a"):
            other = a["hreflang"]
            file = target(sample, rel, a["href"])
            assert file is not None and file == sample / (PREFIX[other] + local) / "index.html", (rel, a["href"])
            assert lang_of(file) == other


def test_switcher_on_a_story_goes_to_its_translation_or_the_front_page(sample: Path) -> None:
    rel = "fr/city/river-festival/index.html"
    doc = BeautifulSoup((sample / rel).read_text(encoding="utf-8"), "html.parser")
    hrefs = {a["hreflang"]: target(sample, rel, a["href"]) for a in doc.select("nav.lang-switch a")}
    assert hrefs["en"] == sample / "city/river-festival/index.html"
    assert hrefs["ru"] == sample / "ru/index.html" and hrefs["ko"] == sample / "ko/index.html"
    alternates = {link["hreflang"]: link["href"] for link in doc.select("link[rel=alternate][hreflang]")}
    assert alternates == {"en": "https://confluence.example.org/city/river-festival/",
                          "fr": "https://confluence.example.org/fr/city/river-festival/"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_hreflang_alternates_lead_to_pages_in_that_language(sample: Path, lang: str) -> None:
    for local in ("", "city/", "leaderboard/"):
        doc = BeautifulSoup((sample / PREFIX[lang] / local / "index.html").read_text(encoding="utf-8"),
                            "html.parser")
        alternates = {link["hreflang"]: link["href"] for link in doc.select("link[rel=alternate][hreflang]")}
        assert set(alternates) == set(LANGUAGES)
        for code, href in alternates.items():
            file = sample / href.removeprefix("https://confluence.example.org/") / "index.html"
            assert lang_of(file) == code


@pytest.mark.parametrize("lang", ("ru", "fr", "ko"))
def test_each_language_has_a_front_page(page: Page, lang: str) -> None:
    doc = page(PREFIX[lang] + "index.html")
    lead = doc.select_one(".home-lead article.card--lead")
    assert lead is not None and lead.get("lang") is None  # the lead is in the page's language
    blocks = doc.select("section.section-block")
    assert len(blocks) >= 3
    for block in blocks:
        heading = block.select_one(".block-heading").get_text(strip=True)
        assert heading not in [k.get_text(strip=True) for k in block.select(".kicker")]  # no kicker repeats it
        more = block.select_one("a.block-more")["href"]
        assert more.startswith(f"../{lang}/") or more.startswith(f"{lang}/") or not more.startswith("../")
    titles = [a["href"] for a in doc.select("article.card .card-title a")]
    lead_href = lead.select_one(".card-title a")["href"]
    assert titles.count(lead_href) == 1  # the lead is not repeated below


def test_section_pages_put_the_readers_language_first(page: Page) -> None:
    cards = page("ru/city/index.html").select(".story-list article.card")
    langs = [c.get("lang", "ru") for c in cards]
    assert langs[0] == "ru" and "en" in langs
    assert langs == sorted(langs, key=lambda code: code != "ru")


def test_section_descriptions_are_in_the_readers_language(magazine: Magazine) -> None:
    magazine.settings({"title": "T", "language": "en", "languages": ["en", "ru"], "timezone": "UTC",
                       "sections": [{"id": "city", "title": {"en": "City", "ru": "Город"},
                                     "description": {"en": "Streets.", "ru": "Улицы."}}]})
    magazine.story("city/a.md")
    magazine.story("city/b.ru.md", title="Рассказ", lang="ru")
    magazine.build()
    assert magazine.html("city/index.html").select_one(".page-intro").get_text() == "Streets."
    ru = magazine.html("ru/city/index.html")
    assert ru.html["lang"] == "ru" and ru.select_one(".page-intro").get_text() == "Улицы."
    assert ru.select_one("h1").get_text() == "Город"


# --- 4. related stories -------------------------------------------------------------------

def _story(source: str, lang: str = "en", translation_of: str = "") -> Story:
    from datetime import datetime, timezone

    return Story(source=f"content/{source}", slug=source.split("/")[-1].split(".")[0], lang=lang, title=source,
                 authors=("a",), date=datetime(2026, 1, 1, tzinfo=timezone.utc), section="city", digest=source,
                 translation_of=translation_of)


def test_related_rule_prefers_the_reader_and_never_repeats() -> None:
    from masthead.domain.reading import related_for_reader

    me, my_fr = _story("city/me.md"), _story("city/me.fr.md", "fr", "city/me.md")
    x, x_ru = _story("city/x.md"), _story("city/x.ru.md", "ru", "city/x.md")
    y_ru, z = _story("city/y.ru.md", "ru"), _story("city/z.md")
    versions = {me.source: [my_fr], my_fr.source: [me], x.source: [x_ru], x_ru.source: [x]}
    # for an English reader: never the story's own translation, never x twice
    got = related_for_reader([my_fr, x, x_ru, z, y_ru, z], me, "en", 3, versions)
    assert [s.source for s in got] == [x.source, z.source, y_ru.source]
    # for a Russian reader: x shown in Russian, Russian first
    ru_me = _story("city/me.ru.md", "ru")
    got = related_for_reader([z, x, y_ru], ru_me, "ru", 3, versions)
    assert [s.source for s in got] == [x_ru.source, y_ru.source, z.source]


def test_related_on_the_sample_skip_the_translation_and_repeat_nothing(sample: Path) -> None:
    for rel, own in (("city/river-festival/", "fr/city/river-festival/"),
                     ("fr/city/river-festival/", "city/river-festival/")):
        doc = BeautifulSoup((sample / rel / "index.html").read_text(encoding="utf-8"), "html.parser")
        hrefs = [target(sample, rel + "index.html", a["href"]) for a in doc.select("aside.related .card-title a")]
        assert hrefs and len(hrefs) == len(set(hrefs))
        assert sample / own / "index.html" not in hrefs and sample / rel / "index.html" not in hrefs
        slugs = [h.parent.name for h in hrefs if h]
        assert len(slugs) == len(set(slugs))  # not two versions of one story


# --- 5. the leaderboard -------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_leaderboard_windows_are_labelled_distinct_and_ranked_by_one_rule(page: Page, lang: str) -> None:
    doc = page(PREFIX[lang] + "leaderboard/index.html")
    windows = doc.select(".board-window")
    assert windows
    headings = [w.select_one("h2").get_text(strip=True) for w in windows]
    for heading in headings:
        assert heading and not re.search(r"last-30-days|this-year|all-time", heading), heading
    if lang in ("ru", "ko"):
        assert not any(re.search(r"[A-Za-z]{3}", h) for h in headings), headings  # in the reader's language
    tables = [w.select_one("table").get_text("|", strip=True) for w in windows if w.select_one("table")]
    assert len(tables) == len(set(tables))  # a window ranking as another is named with it, not repeated
    rules = [li.get_text(" ", strip=True) for li in doc.select(".rules li")]
    assert len(rules) == len(set(rules)) >= 4
    if lang == "en":
        ordering = [r for r in rules if re.search(r"\b(rank goes|ranks? (first|by)|decides)\b", r.lower())]
        assert len(ordering) == 1 and ordering[0].startswith("Rank goes by published pieces")


# --- 3. gettext catalogs --------------------------------------------------------------------

THEME = REPO / "theme"
SHIPPED = ("en", "ru", "fr", "ko", "ja", "zh", "es", "de", "uk")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def catalogs() -> dict[str, Catalog]:
    from babel.messages.pofile import read_po

    out = {}
    for lang in SHIPPED:
        with (THEME / "locale" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            out[lang] = read_po(fh, locale=lang)
    return out


def msgid(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def used_ids() -> set[str]:
    """Every message id the templates and masthead's code name literally (Babel's extraction,
    with theme/babel.cfg's keywords), plus the families named by a computed key."""
    from babel.messages.extract import extract_from_dir

    from masthead.domain import leaderboard, promises
    from masthead.domain.contributors import ROLES
    from masthead.submissions.site_page import ERROR_CODES

    keywords = {"t": None, "_": None, "gettext": None, "ngettext": (1, 2)}
    options = {"**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}}
    ids = {m[2] if isinstance(m[2], str) else m[2][0]
           for m in extract_from_dir(str(THEME / "templates"), method_map=[("**.html", "jinja2")],
                                     options_map=options, keywords=keywords)}
    ids |= {m[2] if isinstance(m[2], str) else m[2][0]
            for m in extract_from_dir(str(REPO / "tools" / "masthead"), method_map=[("**.py", "python")],
                                      keywords=keywords)}
    ids |= {f"role.{r}" for r in ROLES} | set(leaderboard.RULES) | set(promises.RULES)
    ids |= {f"send.error.{c}" for c in ERROR_CODES}
    ids |= {f"admonition.{k}" for k in ("note", "tip", "important", "warning", "caution")}
    ids |= {"leaderboard.window.days", "leaderboard.window.year", "leaderboard.window.all", "tags.heading",
            "places.heading"}
    return ids


def test_every_catalog_has_every_string_the_templates_use() -> None:
    used = used_ids()
    assert len(used) > 150 and "nav.archive" in used and "masthead.pieces" in used
    for lang, catalog in catalogs().items():
        present = {msgid(m) for m in catalog if m.id and (m.string if isinstance(m.string, str) else all(m.string))}
        assert not used - present, f"theme/locale/{lang}: no translation for {sorted(used - present)}"


def test_a_catalog_missing_a_string_is_caught(tmp_path: Path) -> None:
    """The check above can fail: a catalog without one message the templates use."""
    from babel.messages.pofile import read_po

    with (THEME / "locale/de/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="de")
    del catalog["nav.archive"]
    present = {msgid(m) for m in catalog if m.id}
    assert "nav.archive" in used_ids() - present


def test_translations_keep_placeholders_and_cldr_plural_forms() -> None:
    from babel.messages.plurals import get_plural

    found = catalogs()
    english = {msgid(m): m for m in found["en"] if m.id}
    for lang, catalog in found.items():
        assert catalog.num_plurals == get_plural(lang).num_plurals, lang  # Babel's CLDR-derived rule
        for m in catalog:
            if not m.id:
                continue
            ref = english[msgid(m)]
            ref_text = ref.string if isinstance(ref.string, str) else ref.string[-1]
            forms = [m.string] if isinstance(m.string, str) else list(m.string)
            assert len(forms) == (1 if isinstance(m.string, str) else catalog.num_plurals), (lang, msgid(m))
            for form in forms:
                assert set(PLACEHOLDER.findall(form)) <= set(PLACEHOLDER.findall(ref_text)) | {"n"}, (lang, msgid(m))


def test_russian_counts_take_their_plural_form(page: Page) -> None:
    from masthead.site.render import Theme

    t = Theme(THEME).translator("ru")
    assert [t("archive.count", n=n) for n in (1, 3, 5, 11, 21, 22, 25)] == [
        f"{n}\u00a0{w}" for n, w in ((1, "материал"), (3, "материала"), (5, "материалов"), (11, "материалов"),
                                     (21, "материал"), (22, "материала"), (25, "материалов"))]
    assert Theme(THEME).translator("uk")("masthead.pieces", n=3) == "3\u00a0матеріали"
    assert Theme(THEME).translator("en")("masthead.pieces", n=1) == "1 piece"
    shown = [c.get_text() for c in page("ru/archive/index.html").select(".count")]
    assert shown and all(re.fullmatch(r"\d+\u00a0материал(а|ов)?", text) for text in shown), shown
    for text in shown:
        n = int(text.split("\u00a0")[0])
        form = "материал" if n % 10 == 1 and n % 100 != 11 else (
            "материала" if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else "материалов")
        assert text.endswith(form), text
    meta = [p.get_text(" ", strip=True) for p in page("ru/masthead/index.html").select(".person-meta")]
    assert meta and not any("Материалов:" in m for m in meta)


@pytest.mark.parametrize(("lang", "archive", "search"), [("ja", "アーカイブ", "検索"), ("zh", "归档", "搜索"),
                                                         ("es", "Archivo", "Buscar"), ("de", "Archiv", "Suche"),
                                                         ("uk", "Архів", "Пошук")])
def test_a_story_in_a_new_language_gets_its_own_chrome(magazine: Magazine, lang: str, archive: str,
                                                       search: str) -> None:
    from tests.conftest import SETTINGS

    magazine.settings({**SETTINGS, "languages": ["en", lang]})
    magazine.story("city/a.md")
    magazine.story("city/b.md", title="B", lang=lang)
    magazine.build()
    doc = magazine.html(f"{lang}/index.html")
    assert doc.html["lang"] == lang
    labels = [a.get_text(strip=True) for a in doc.select("nav.site-nav a")]
    assert archive in labels and search in labels, labels
    story = magazine.html(f"{lang}/city/b/index.html")
    assert story.select_one(".skip-link").get_text() != "Skip to content"


# --- 6. dates in the magazine's locale ------------------------------------------------------

def test_dates_follow_the_magazines_locale(page: Page) -> None:
    """The English catalog's locale is en_GB: day, month, year."""
    doc = page("city/river-festival/index.html")
    assert doc.select_one(".byline time").get_text(strip=True) == "14 September 2026"
    ru = page("ru/city/rynok-na-naberezhnoy/index.html").select_one(".byline time").get_text(strip=True)
    assert re.fullmatch(r"\d{1,2} [а-я]+ 2026\s?г\.", ru), ru  # Babel puts a narrow no-break space


# --- 6. tables on narrow screens ------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_ranking_cell_is_labelled_for_narrow_screens(page: Page, lang: str) -> None:
    """On phones the tables become stacked cards whose lines are labelled by `data-label`
    (assets/pages.css): every cell but the row's heading carries its column's heading."""
    checked = 0
    for path in ("leaderboard/", "board/"):
        for table in page(PREFIX[lang] + path + "index.html").select("table.ranking"):
            heads = [th.get_text(strip=True) for th in table.select("thead th")]
            for row in table.select("tbody tr"):
                cells = row.find_all(["th", "td"], recursive=False)
                for head, cell in zip(heads, cells):
                    if cell.name == "th" and cell.get("scope") == "row" and "data-label" not in cell.attrs:
                        continue  # the card's title
                    assert cell.get("data-label") == head, (path, head, cell)
                    checked += 1
    assert checked >= 20


# --- 6. tags and places in the reader's language ---------------------------------------------

def test_tags_and_places_are_written_in_the_story_language(page: Page) -> None:
    doc = page("ko/world/nakdong/index.html")
    places = [a.get_text(strip=True) for a in doc.select(".chips--places a")]
    assert "대한민국" in places and "South Korea" not in places  # CLDR's name for the country
    ru = page("ru/city/rynok-na-naberezhnoy/index.html")
    tags = {a.get_text(strip=True): a["href"] for a in ru.select("a[rel=tag]")}
    assert "рынки" in tags and "markets" not in tags
    assert tags["рынки"] == "../../../ru/tags/markets/"  # the term's slug, below the language's prefix
    assert "Лион" in [a.get_text(strip=True) for a in ru.select(".chips--places a")]
    en = page("city/river-festival/index.html")
    assert "river" in [a.get_text(strip=True) for a in en.select("a[rel=tag]")]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_authors_tags_and_places_of_a_story_stay_in_its_language(sample: Path, lang: str) -> None:
    rel = STORY[lang] + "index.html"
    doc = BeautifulSoup((sample / rel).read_text(encoding="utf-8"), "html.parser")
    links = doc.select("a[rel=author], a[rel=tag], .chips--places a")
    assert len(links) >= 4
    for a in links:
        file = target(sample, rel, a["href"])
        assert file is not None and file.is_file(), a["href"]
        assert lang_of(file) == lang, a["href"]
    masthead = PREFIX[lang] + "masthead/index.html"
    people = BeautifulSoup((sample / masthead).read_text(encoding="utf-8"), "html.parser").select(".person-name a")
    assert people and all(lang_of(target(sample, masthead, a["href"])) == lang for a in people)  # type: ignore[arg-type]


def test_labels_are_checked_like_every_setting(magazine: Magazine) -> None:
    from tests.conftest import SETTINGS

    magazine.settings({**SETTINGS, "labels": {"tags": {"river": {"ru": "река"}}, "colours": {}}})
    magazine.story("city/a.md", tags=["River"], lang="ru")
    with pytest.raises(Exception) as err:
        magazine.build()
    assert "labels.colours" in str(err.value)
    magazine.settings({**SETTINGS, "labels": {"tags": {"river": {"ru": "река"}}}})
    magazine.build()
    assert [a.get_text() for a in magazine.html("ru/city/a/index.html").select("a[rel=tag]")] == ["река"]


def test_author_description_is_plain_words(magazine: Magazine) -> None:
    magazine.person("eve", {"name": "Eve", "roles": ["author"], "joined": "2025-01-01",
                            "bio": "Writes **about** [rivers](https://rivers.example.org/) & *boats*."})
    magazine.story("city/a.md", authors=["eve"])
    magazine.build()
    meta = magazine.html("authors/eve/index.html").find("meta", attrs={"name": "description"})
    assert meta["content"] == "Writes about rivers & boats."


def test_every_link_on_every_page_leads_somewhere(sample: Path) -> None:
    """With every page in every language, no relative link is left pointing at nothing."""
    broken = []
    for file in html_pages(sample):
        rel = str(file.relative_to(sample))
        doc = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
        for a in doc.select("a[href]"):
            href = a["href"]
            if "://" in href or href.startswith(("#", "mailto:", "/")):
                continue
            path = posixpath.normpath(posixpath.join(posixpath.dirname(rel), href.split("#", 1)[0] or "."))
            found = sample / path
            if not (found.is_file() or (found / "index.html").is_file()):
                broken.append((rel, href))
    assert not broken, broken[:10]


def test_a_section_feed_is_named_in_the_page_language(page: Page) -> None:
    """The feed is the site's language's, but its link on a Russian page says "Город"."""
    doc = page("ru/city/index.html")
    titles = [link["title"] for link in doc.select('link[rel=alternate][type="application/rss+xml"]')]
    assert "Город · RSS" in titles, titles
    assert "Город · RSS" in visible_text(doc)
