"""The sample magazine in headless Chromium: no request leaves localhost, keyboard use,
dark mode, the narrowest phones, and search."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from typing import Iterator

import pytest

from .conftest import CHROMIUM, Quiet

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/setup.sh --test installs it)"),
]


@pytest.fixture(scope="module")
def server(sample: Path) -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(sample)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


def test_story_page_requests_only_its_own_host(browser: object, server: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    hosts: list[str] = []
    page.on("request", lambda r: hosts.append(r.url))
    page.goto(server + "city/river-festival/", wait_until="networkidle")
    assert hosts and all(u.startswith(server) or u.startswith("data:") for u in hosts), hosts
    weight = sum(len(r) for r in [page.content().encode()])
    assert weight < 60_000
    page.close()


def test_keyboard_reaches_content_through_the_skip_link(browser: object, server: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server + "city/river-festival/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"
    page.close()


def test_no_horizontal_scroll_at_320_px(browser: object, server: str) -> None:
    page = browser.new_page(viewport={"width": 320, "height": 640})  # type: ignore[attr-defined]
    for path in ("", "city/river-festival/", "work/rent-in-hours/", "leaderboard/", "ko/world/nakdong/",
                 "events/", "events/boat-parade-2027/", "fr/events/boat-parade-2027/accreditation/"):
        page.goto(server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (path, overflow)
    page.close()


def test_dark_mode_follows_the_system(browser: object, server: str) -> None:
    light = browser.new_page(color_scheme="light")  # type: ignore[attr-defined]
    dark = browser.new_page(color_scheme="dark")  # type: ignore[attr-defined]
    colours = []
    for page in (light, dark):
        page.goto(server)
        colours.append(page.evaluate("getComputedStyle(document.body).backgroundColor"))
        page.close()
    assert colours[0] != colours[1]


def test_search_finds_a_story_by_a_word_of_its_title(browser: object, server: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server + "search/")
    page.locator(".pagefind-ui__search-input").fill("boats")  # Pagefind's UI (tests/browser/test_search.py)
    page.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)
    links = page.locator(".pagefind-ui__result-link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert any("river-festival" in (href or "") for href in links), links
    page.close()


@pytest.mark.parametrize("path", ["leaderboard/", "ru/leaderboard/", "board/", "ko/board/"])
def test_tables_become_cards_at_360_px(browser: object, server: str, path: str) -> None:
    """Every cell of every ranking is inside the screen at 360 px: none hides in a scroll area."""
    page = browser.new_page(viewport={"width": 360, "height": 740})  # type: ignore[attr-defined]
    page.goto(server + path)
    cells = page.evaluate("""() => [...document.querySelectorAll('table.ranking tbody :is(td, th)')].map(c => {
        const r = c.getBoundingClientRect(); return [r.left, r.right, r.width]; })""")
    assert cells, path
    assert all(left >= 0 and right <= 360 and width > 0 for left, right, width in cells), (path, cells[:5])
    page.close()


def test_pictures_load_in_a_modern_format_without_layout_shift(browser: object, server: str) -> None:
    """Chromium takes an AVIF or WebP source of every picture, each decodes, and nothing on the
    page moves while they load (docs/images.md)."""
    page = browser.new_page(viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
    page.add_init_script("""window.__shift = 0; new PerformanceObserver(list => { for (const e of list.getEntries())
        if (!e.hadRecentInput) window.__shift += e.value; }).observe({type: 'layout-shift', buffered: true});""")
    for path in ("", "work/rent-in-hours/", "world/tbilisi-balconies/", "ko/work/night-bakery/"):
        page.goto(server + path, wait_until="networkidle")
        page.evaluate("""async () => { for (const img of document.images) { img.loading = 'eager';
            await img.decode().catch(() => {}); } }""")
        shown = page.evaluate("""[...document.querySelectorAll('picture img')].map(i =>
            [i.currentSrc, i.naturalWidth, i.complete])""")
        assert shown, path
        for src, width, complete in shown:
            assert complete and width > 0, (path, src)
            assert src.endswith((".avif", ".webp")), (path, src)
        assert page.evaluate("window.__shift") < 0.01, path
    page.close()
def test_copy_link_button_copies_the_story_address(browser: object, server: str) -> None:
    """share.js shows the button and copies the address (docs/reach.md, "Share links");
    the share links themselves load nothing until clicked."""
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])  # type: ignore[attr-defined]
    page = context.new_page()
    hosts: list[str] = []
    page.on("request", lambda r: hosts.append(r.url))
    page.goto(server + "city/river-festival/", wait_until="networkidle")
    assert all(u.startswith(server) or u.startswith("data:") for u in hosts), hosts
    button = page.locator(".share-copy-button")
    assert button.is_visible()
    button.click()
    page.wait_for_function("document.querySelector('.share-status').textContent.length > 0")
    assert page.locator(".share-status").text_content() == "Link copied"
    assert page.evaluate("navigator.clipboard.readText()") == page.locator("#share-url").input_value()
    page.goto(server + "events/boat-parade-2027/")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    context.close()
