"""Home and section pages in Chromium at 1280 and 360 px: a one-story section fills the row, every
grid row is full, and the theme button's label tells the truth after a click and a reload
(docs/theme.md, "Lists" and "Theme button")."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from ..conftest import Magazine
from .conftest import CHROMIUM, Quiet

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/setup.sh --test installs it)"),
]


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


@pytest.fixture(scope="module")
def server(sample: Path) -> Iterator[str]:
    httpd, url = serve(sample)
    yield url
    httpd.shutdown()


@pytest.fixture(scope="module")
def lonely(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A magazine whose City section has one story, with a picture."""
    from PIL import Image

    mag = Magazine(tmp_path_factory.mktemp("lonely") / "mag")
    (mag.root / "content" / "city").mkdir()
    Image.new("RGB", (1200, 800), (40, 90, 140)).save(mag.root / "content" / "city" / "river.jpg")
    mag.story("city/only.md", title="The only story in the city", cover="river.jpg", cover_alt="A blue river")
    mag.story("culture/b.md", title="Elsewhere", section="culture")
    mag.build()
    httpd, url = serve(mag.root / "site")
    yield url
    httpd.shutdown()


# Width of the content box of the page's main column, and of an element in it.
CONTENT_WIDTH = """() => { const w = document.querySelector('.wrap.listing, .wrap.home'); const s = getComputedStyle(w);
  return w.getBoundingClientRect().width - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); }"""
ROWS = """(grid) => { const g = grid.getBoundingClientRect(); const rows = {};
  for (const c of grid.children) { const r = c.getBoundingClientRect();
    (rows[Math.round(r.top)] ||= []).push([r.left - g.left, g.right - r.right]); }
  return Object.values(rows).map(cells => [Math.min(...cells.map(c => c[0])), Math.min(...cells.map(c => c[1]))]); }"""


def test_a_section_with_one_story_spans_the_content_width(browser: Any, lonely: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(lonely + "city/")
    width = page.evaluate(CONTENT_WIDTH)
    story = page.locator(".story-feature article.card").bounding_box()
    picture = page.locator(".story-feature .card-media img").bounding_box()
    assert story["width"] >= 0.9 * width, (story, width)
    assert picture["width"] >= 0.4 * width  # the feature shows its picture large, beside the text
    assert page.locator(".card-grid").count() == 0
    page.close()


@pytest.mark.parametrize("width", [1280, 900, 360])
@pytest.mark.parametrize("path", ["", "city/", "work/", "ko/culture/", "tags/boats/", "authors/anna-sokolova/"])
def test_every_row_of_a_card_grid_is_full(browser: Any, server: str, path: str, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(server + path)
    grids = page.locator(".card-grid")
    assert grids.count() > 0
    for i in range(grids.count()):
        for left, right in grids.nth(i).evaluate(ROWS):
            assert left <= 1 and right <= 1, (path, width, i, left, right)  # no empty track at either end
    page.close()


def label(page: Any) -> tuple[str, str, str]:
    button = page.locator("[data-theme-toggle]")
    return (button.locator(".theme-label").text_content(), button.get_attribute("data-to-dark"),
            button.get_attribute("data-to-light"))


@pytest.mark.parametrize("path", ["", "ru/", "ko/city/"])
def test_theme_button_names_the_other_theme_after_a_click_and_a_reload(browser: Any, server: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    page = context.new_page()
    seen: list[str] = []
    # The theme must be set before the body is parsed (no flash): a probe right after <body>.
    def probe(route: Any) -> None:
        response = route.fetch()
        html = re.sub(r"(<body[^>]*>)", r"\1<script>window.__theme=document.documentElement.dataset.theme||''</script>",
                      response.text(), count=1)
        route.fulfill(response=response, body=html)
    page.route(re.compile(r".*/$"), probe)
    page.goto(server + path)
    shown, to_dark, to_light = label(page)
    assert shown == to_dark and page.locator("[data-theme-toggle]").is_visible()
    page.click("[data-theme-toggle]")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert label(page)[0] == to_light
    page.reload()
    seen.append(page.evaluate("window.__theme"))
    assert seen == ["dark"] and label(page)[0] == to_light
    page.click("[data-theme-toggle]")
    page.reload()
    assert page.evaluate("window.__theme") == "light" and label(page)[0] == to_dark
    context.close()


def test_theme_button_follows_the_systems_dark_preference(browser: Any, server: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 800}, color_scheme="dark")
    page = context.new_page()
    page.goto(server + "fr/")
    shown, _, to_light = label(page)
    assert shown == to_light
    name = page.locator("[data-theme-toggle]").evaluate("b => b.textContent.trim()")
    assert name == to_light  # the accessible name on a phone, where the label is visually hidden
    context.close()
