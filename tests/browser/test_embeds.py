"""Click-to-load embeds in headless Chromium: nothing is requested from the embed's host until
the reader clicks; without JavaScript the link is there and the button is not."""

from __future__ import annotations

import functools
import http.server
import threading
from typing import Any, Iterator

import pytest

from ..conftest import Magazine
from .conftest import CHROMIUM, Quiet

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/setup.sh --test installs it)"),
]


@pytest.fixture
def server(magazine: Magazine) -> Iterator[str]:
    magazine.story("city/film.md", 'Before.\n\n<iframe src="https://player.vimeo.com/video/76979871" '
                   'title="The film"></iframe>\n\nAfter.\n', title="Film")
    magazine.build()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            functools.partial(Quiet, directory=str(magazine.root / "site")))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


def test_the_frame_loads_only_after_the_click(browser: Any, server: str) -> None:
    context = browser.new_context()
    outside: list[str] = []

    def stand_in(route: Any) -> None:  # the embed's host, answered here: no request leaves the machine
        outside.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p>player</p>")

    context.route("https://**/*", stand_in)
    page = context.new_page()
    page.goto(server + "city/film/", wait_until="networkidle")
    assert outside == []
    button = page.get_by_role("button", name="Load content from player.vimeo.com")
    assert button.is_visible()
    assert page.locator(".embed iframe").count() == 0
    button.click()
    frame = page.locator(".embed iframe.embed-frame")
    frame.wait_for()
    assert frame.get_attribute("src") == "https://player.vimeo.com/video/76979871"
    assert frame.get_attribute("title") == "The film"
    page.wait_for_load_state("networkidle")
    assert outside == ["https://player.vimeo.com/video/76979871"]
    context.close()


def test_without_javascript_the_link_is_the_way_in(browser: Any, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "city/film/")
    link = page.get_by_role("link", name="The film")
    assert link.is_visible() and link.get_attribute("href") == "https://vimeo.com/76979871"
    assert page.get_by_role("button", name="Load content from player.vimeo.com").count() == 0  # hidden
    context.close()
