"""Typography per language (domain/typography.py) as a reader meets it: story pages, titles and
summaries, feeds; code, URLs and attributes kept as written. The rules are in docs/theme.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import feedparser
import pytest
from bs4 import BeautifulSoup

from tests.conftest import SETTINGS, Magazine
from masthead.domain.typography import typeset_html, typeset_text

NBSP, NNBSP = "\u00a0", "\u202f"

BODY = """\
She said "it's the river's year" and 'left'. See https://example.org/it's-"here" too.

Inline `print("x")` stays, as does <kbd>"Ctrl"</kbd>.

```
print("hello 'world'")
```
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    mag = Magazine(tmp_path_factory.mktemp("typography") / "mag")
    mag.settings(dict(SETTINGS, languages=["en", "ru", "fr", "de", "uk", "ko"]))
    mag.story("city/quotes.md", BODY, title='The "river" isn\'t gone', summary="It's back.")
    mag.story("city/fr.md", 'Il a dit : "Bonjour !" Vraiment? Oui; à 10:30.\n\n```\nx = "a" ; y ?\n```\n',
              lang="fr", title="Quoi ? Le \"fleuve\"", summary="L'eau : revenue !")
    mag.story("city/ru.md", 'Он пошёл в лес и "нашёл" гриб — белый. А я остался.', lang="ru",
              title='Дом у "реки"', summary="С утра и до ночи")
    mag.story("city/de.md", 'Er sagte "Hallo" und \'ja\'.', lang="de", title='Die "Brücke"')
    mag.story("city/uk.md", "Він пішов у ліс і з лісу з м'ятою.", lang="uk", title="Ліс і річка")
    mag.build()
    return mag.root / "site"


def parse(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")


def body_text(doc: BeautifulSoup) -> str:
    return " ".join(p.get_text() for p in doc.select("article p"))


def test_english_story_gets_curly_quotes_and_apostrophes(site: Path) -> None:
    doc = parse(site, "city/quotes/index.html")
    assert doc.find("h1").get_text(strip=True) == "The \u201criver\u201d isn\u2019t gone"
    assert "She said \u201cit\u2019s the river\u2019s year\u201d and \u2018left\u2019." in body_text(doc)
    assert '"' not in doc.find("h1").get_text() and "'" not in body_text(doc).split("https://")[0]


def test_code_urls_and_attributes_are_kept_as_written(site: Path) -> None:
    doc = parse(site, "city/quotes/index.html")
    assert doc.select_one("pre code").get_text() == "print(\"hello 'world'\")\n"
    assert doc.select_one("p code").get_text() == 'print("x")'
    assert doc.select_one("kbd").get_text() == '"Ctrl"'
    link = doc.select_one("article a[href^='https://example.org/']")
    assert link.get_text() == "https://example.org/it's-\"here" and link["href"] == "https://example.org/it's-%22here"
    assert doc.find("meta", property="og:title")["content"] == "The \u201criver\u201d isn\u2019t gone"


def test_french_guillemets_and_spaces(site: Path) -> None:
    doc = parse(site, "fr/city/fr/index.html")
    text = body_text(doc)
    assert f"Il a dit{NBSP}: \u00ab{NBSP}Bonjour{NNBSP}!{NBSP}\u00bb" in text
    assert f"Vraiment{NNBSP}? Oui{NNBSP}; \u00e0 10:30." in text  # a missing space is added; not in 10:30
    assert doc.select_one("pre code").get_text() == 'x = "a" ; y ?\n'
    assert doc.find("h1").get_text(strip=True) == f"Quoi{NNBSP}? Le \u00ab{NBSP}fleuve{NBSP}\u00bb"


def test_russian_guillemets_and_no_widowed_one_letter_words(site: Path) -> None:
    doc = parse(site, "ru/city/ru/index.html")
    text = body_text(doc)
    assert f"Он пошёл в{NBSP}лес и{NBSP}\u00abнашёл\u00bb гриб{NBSP}\u2014 белый. А{NBSP}я{NBSP}остался." in text
    assert doc.find("h1").get_text(strip=True) == "Дом у\u00a0\u00abреки\u00bb"


def test_german_and_ukrainian(site: Path) -> None:
    assert "Er sagte \u201eHallo\u201c und \u201aja\u2018." in body_text(parse(site, "de/city/de/index.html"))
    uk = body_text(parse(site, "uk/city/uk/index.html"))
    assert f"Він пішов у{NBSP}ліс і{NBSP}з{NBSP}лісу з{NBSP}м\u2019ятою." in uk


def entry(site: Path, feed: str, link_end: str) -> Any:
    parsed = feedparser.parse((site / feed).read_bytes())
    [found] = [e for e in parsed.entries if e.link.endswith(link_end)]
    return found


@pytest.mark.parametrize("feed", ["atom.xml", "rss.xml"])
def test_feeds_carry_the_same_typography_as_the_pages(site: Path, feed: str) -> None:
    en = entry(site, feed, "/city/quotes/")
    page = parse(site, "city/quotes/index.html")
    assert en.title == page.find("h1").get_text(strip=True)
    content = BeautifulSoup(en.content[0].value if "content" in en else en.description, "html.parser")
    assert "She said \u201cit\u2019s the river\u2019s year\u201d" in content.get_text()
    assert content.select_one("pre code").get_text() == "print(\"hello 'world'\")\n"
    fr = entry(site, "fr/" + feed, "/fr/city/fr/")
    assert fr.title == f"Quoi{NNBSP}? Le \u00ab{NBSP}fleuve{NBSP}\u00bb"


def test_summaries_are_typeset_in_the_list_cards(site: Path) -> None:
    ru = parse(site, "ru/city/index.html").get_text()
    assert "С\u00a0утра и\u00a0до ночи" in ru


@pytest.mark.parametrize("lang, text, want", [
    ("en", "\"Why,\" he said, 'not?'", "\u201cWhy,\u201d he said, \u2018not?\u2019"),
    ("ko", "\"안녕\"", "\u201c안녕\u201d"),
    ("ja", "\"こんにちは\"", "\u300cこんにちは\u300d"),
    ("es", "Dijo \"hola\"", "Dijo \u00abhola\u00bb"),
    ("pt", "\"Olá\"", "\u201cOlá\u201d"),  # a language without rules of its own: English quotes
    ("fr-CA", "Oui!", f"Oui{NNBSP}!"),
])
def test_rule_table(lang: str, text: str, want: str) -> None:
    assert typeset_text(text, lang) == want


def test_html_outside_text_nodes_is_untouched() -> None:
    source = ('<p title="a \'b\'"><a href="https://x.org/?q=&quot;a&quot;">"link"</a> '
              '<!-- "comment" --><script>var s = "x";</script><svg><text>"t"</text></svg></p>')
    out = typeset_html(source, "en")
    assert out == ('<p title="a \'b\'"><a href="https://x.org/?q=&quot;a&quot;">\u201clink\u201d</a> '
                   '<!-- "comment" --><script>var s = "x";</script><svg><text>"t"</text></svg></p>')


def test_linear_in_the_length_of_the_text() -> None:
    import time

    def cpu(n: int) -> float:
        text = "<p>" + ("\"a\" l'eau : b ; <em>x</em> " * n) + "</p>"
        start = time.process_time()
        typeset_html(text, "fr")
        return time.process_time() - start
    small, large = cpu(2_000), cpu(20_000)
    assert large < small * 30  # ten times the text: about ten times the CPU time, never a hundred
