"""Home and list pages as composed pages (docs/theme.md, "Lists"): the lead is shown once, no
kicker repeats the heading it sits under, the first story of a list is its feature."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from bs4 import BeautifulSoup, Tag

from ..conftest import Magazine

Page = Callable[[str], BeautifulSoup]
LANGS = ["en", "ru", "fr", "ko"]


def prefix(lang: str) -> str:
    return "" if lang == "en" else f"{lang}/"


def story_links(doc: BeautifulSoup) -> list[str]:
    return [str(a["href"]) for a in doc.select("article.card .card-title a")]


def text(doc: BeautifulSoup | Tag, selector: str) -> str:
    found = doc.select_one(selector)
    assert found is not None, selector
    return found.get_text(strip=True)


def href(doc: BeautifulSoup | Tag, selector: str) -> str:
    found = doc.select_one(selector)
    assert found is not None, selector
    return str(found["href"])


@pytest.mark.parametrize("lang", LANGS)
def test_home_lead_is_not_repeated_in_latest_or_section_blocks(page: Page, lang: str) -> None:
    doc = page(f"{prefix(lang)}index.html")
    lead = href(doc, ".home-lead .card-title a")
    assert story_links(doc).count(lead) == 1, lead


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("section", ["city", "work", "culture"])
def test_section_page_shows_its_feature_once_and_every_story_once(page: Page, lang: str, section: str) -> None:
    doc = page(f"{prefix(lang)}{section}/index.html")
    feature = doc.select(".story-feature article.card")
    assert len(feature) == 1
    assert "card--feature" in feature[0]["class"]
    links = story_links(doc)
    assert len(links) >= 3 and len(links) == len(set(links)), links
    assert href(feature[0], ".card-title a") in links


@pytest.mark.parametrize("lang", LANGS)
def test_no_kicker_repeats_the_heading_it_sits_under(page: Page, lang: str) -> None:
    for section in ("city", "work", "culture", "world", "letters"):
        doc = page(f"{prefix(lang)}{section}/index.html")
        heading = text(doc, "h1.page-title")
        kickers = [k.get_text(strip=True) for k in doc.select(".story-list .kicker")]
        assert heading not in kickers, (section, heading)
    home = page(f"{prefix(lang)}index.html")
    blocks = home.select("section.section-block")
    assert blocks
    for block in blocks:
        heading = text(block, ".block-heading")
        assert heading not in [k.get_text(strip=True) for k in block.select(".kicker")], heading


def test_tag_page_keeps_the_kicker_because_its_heading_is_not_a_section(page: Page) -> None:
    doc = page("tags/boats/index.html")
    kickers = [k.get_text(strip=True) for k in doc.select(".story-list .kicker")]
    assert kickers and text(doc, "h1.page-title") not in kickers


def test_a_section_with_one_story_is_one_feature_and_no_grid(magazine: Magazine) -> None:
    magazine.story("city/only.md", title="The only one")
    magazine.story("culture/a.md", title="First", date="2026-11-01 09:00", section="culture")
    magazine.story("culture/b.md", title="Second", date="2026-11-02 09:00", section="culture")
    magazine.build()
    doc = magazine.html("city/index.html")
    assert [a.get_text() for a in doc.select(".story-feature .card-title a")] == ["The only one"]
    assert doc.select(".card-grid") == [] and doc.select(".story-list .kicker") == []
    culture = magazine.html("culture/index.html")
    assert [a.get_text() for a in culture.select(".story-feature .card-title a")] == ["Second"]
    assert [a.get_text() for a in culture.select(".card-grid .card-title a")] == ["First"]


def test_theme_button_names_both_actions_in_every_language(page: Page, sample: Path) -> None:
    labels = set()
    for lang in LANGS:
        button = page(f"{prefix(lang)}index.html").select_one("[data-theme-toggle]")
        assert button is not None and not button.has_attr("aria-pressed")
        to_dark, to_light = button["data-to-dark"], button["data-to-light"]
        assert to_dark and to_light and to_dark != to_light
        assert text(button, ".theme-label") == to_dark
        labels.add(to_light)
    assert len(labels) == len(LANGS)  # translated, not English everywhere


def test_a_lead_without_picture_gets_two_pictured_stories_under_it_not_repeated_in_the_rail(
        magazine: Magazine) -> None:
    """None of the newest three has a picture, so the lead has none (domain/reading.py): the two
    newest pictured stories stand under it, and leave the rail of latest stories."""
    from ..conftest import PNG_1PX

    for day in (10, 11, 12):
        magazine.story(f"city/new-{day}.md", title=f"New {day}", date=f"2026-11-{day} 09:00")
    for day in (1, 2, 3):
        magazine.write(f"content/city/p{day}.png", PNG_1PX)
        magazine.story(f"city/pictured-{day}.md", title=f"Pictured {day}", date=f"2026-11-0{day} 09:00",
                       cover=f"p{day}.png", cover_alt=f"Picture {day}")
    magazine.build()
    doc = magazine.html("index.html")
    assert doc.select_one(".home-lead .card--lead .card-media") is None
    seconds = [a["href"] for a in doc.select(".home-seconds .card-title a")]
    assert seconds == ["city/pictured-3/", "city/pictured-2/"]
    assert len(doc.select(".home-seconds .card-media img")) == 2
    rail = [a["href"] for a in doc.select(".home-latest .card-title a")]
    assert rail and not set(seconds) & set(rail)
