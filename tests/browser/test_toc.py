"""A long story's contents in headless Chromium: open on a wide screen, folded on a phone
until the reader opens it; anchor links named for screen readers and drawn as `#`."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from .conftest import CHROMIUM, Quiet

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/setup.sh --test installs it)"),
]
STORY = "ru/city/rynok-na-naberezhnoy/"


@pytest.fixture(scope="module")
def server(sample: Path) -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(sample)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


def test_contents_open_on_wide_screens_and_fold_on_phones(browser: Any, server: str) -> None:
    wide = browser.new_page(viewport={"width": 1280, "height": 900})
    wide.goto(server + STORY)
    assert wide.locator(".toc-nav a").first.is_visible()
    wide.close()
    phone = browser.new_page(viewport={"width": 360, "height": 740})
    phone.goto(server + STORY)
    assert not phone.locator(".toc-nav a").first.is_visible()
    phone.get_by_text("Содержание", exact=True).click()
    assert phone.locator(".toc-nav a").first.is_visible()
    phone.locator(".toc-nav a").nth(1).click()
    target = phone.evaluate("decodeURIComponent(location.hash)")
    assert target and phone.locator(f"[id='{target[1:]}']").count() == 1  # ids are Cyrillic: quoted
    phone.close()


def test_anchor_links_have_a_name_and_show_a_hash(browser: Any, server: str) -> None:
    page = browser.new_page()
    page.goto(server + STORY)
    heading = page.locator(".story-body h2").first
    name = heading.inner_text().removesuffix("#").strip()
    link = page.get_by_role("link", name=f"Ссылка на этот раздел: {name}")
    assert link.count() == 1 and link.is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.heading-anchor'), '::before').content") == '"#"'
    page.close()
