"""Full-text search with Pagefind in headless Chromium, on the sample magazine: body words in
Russian, French and Korean found from each language's own search page, filters, and no
request to any host but the site's. Each test runs on the sample as it is (one shard per
language) and on the sample split into shards of one or two stories (merged in the browser)."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from .conftest import CHROMIUM, Quiet

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/setup.sh --test installs it)"),
]


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample magazine built with at most one story a shard (so several shards a language)."""
    from masthead.site.build import build_site

    from ..conftest import NOW, REPO

    root = tmp_path_factory.mktemp("sharded")
    for name in ("content", "contributors", "site_config", "theme"):
        shutil.copytree(REPO / name, root / name)
    settings = yaml.safe_load((root / "site_config/magazine.yml").read_text(encoding="utf-8"))
    (root / "site_config/magazine.yml").write_text(yaml.safe_dump({**settings, "search_shard_stories": 1},
                                                                  allow_unicode=True), encoding="utf-8")
    build_site(root, now=NOW, progress=False)
    return root / "site"


@pytest.fixture(scope="module", params=["whole", "sharded"])
def server(request: pytest.FixtureRequest) -> Iterator[str]:
    site = request.getfixturevalue("sample" if request.param == "whole" else "sharded")
    if request.param == "sharded":
        listing = json.loads((site / "pagefind/ru/shards.json").read_text())
        assert len(listing["shards"]) > 1, listing
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


def results(browser: Any, server: str, path: str, query: str) -> tuple[list[str], list[str]]:
    """The result links Pagefind's UI shows for `query` on the search page at `path`, and
    every address the page requested."""
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))  # the Web Worker's requests too
    page.goto(f"{server}{path}?q={query}")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)
    links = page.locator(".pagefind-ui__result-link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    titles = page.locator(".pagefind-ui__result-title").all_inner_texts()
    assert titles and not any(t.rstrip().endswith("#") for t in titles), titles  # no anchor in a heading
    page.close()
    return links, requested


@pytest.mark.parametrize(("path", "query", "story"), [
    ("ru/search/", "рынке", "/ru/city/rynok-na-naberezhnoy/"),  # an inflected form: Russian stemming
    ("fr/search/", "lanternes", "/fr/city/river-festival/"),
    ("ko/search/", "자갈치", "/ko/world/nakdong/"),  # a word of the body only, not of title or summary
])
def test_a_body_word_finds_its_story(browser: Any, server: str, path: str, query: str, story: str) -> None:
    links, requested = results(browser, server, path, query)
    assert story in links, links
    assert all(u.startswith(server) for u in requested), [u for u in requested if not u.startswith(server)]
    lang = path.split("/")[0]
    bundles = {u[len(server):].split("/")[1] for u in requested if u[len(server):].startswith("pagefind/")}
    assert bundles == {lang}  # only the reader's language's index is loaded


def test_each_language_searches_only_its_own_stories(browser: Any, server: str) -> None:
    links, _ = results(browser, server, "search/", "river")
    assert links and all(not link.startswith(("/ru/", "/fr/", "/ko/")) for link in links), links


def pagefind_search(browser: Any, server: str, lang: str, query: str | None, filters: dict[str, str]) -> Any:
    page = browser.new_page()
    page.goto(f"{server}{'' if lang == 'en' else lang + '/'}search/")
    found = page.evaluate("""async ([bundle, query, filters]) => {
        const shards = (await (await fetch(bundle + "shards.json")).json()).shards;
        const pagefind = await import(bundle + shards[0] + "pagefind.js");
        for (const shard of shards.slice(1)) await pagefind.mergeIndex(bundle + shard);
        const search = await pagefind.search(query, {filters});
        const data = await Promise.all(search.results.map(r => r.data()));
        return {urls: data.map(d => d.url), meta: data.map(d => d.meta), filters: await pagefind.filters()};
    }""", [f"/pagefind/{lang}/", query, filters])
    page.close()
    return found


def test_filters_by_section_author_and_language(browser: Any, server: str) -> None:
    every = pagefind_search(browser, server, "ru", None, {})
    assert {"Рубрика", "Автор", "Язык"} <= every["filters"].keys()  # named in the reader's language
    assert every["filters"]["Язык"] == {"Русский": len(every["urls"])}
    city = pagefind_search(browser, server, "ru", None, {"Рубрика": "Город"})
    assert "/ru/city/rynok-na-naberezhnoy/" in city["urls"] and 0 < len(city["urls"]) < len(every["urls"])
    anna = pagefind_search(browser, server, "ru", None, {"Автор": "Анна Соколова"})
    assert "/ru/city/rynok-na-naberezhnoy/" in anna["urls"]
    assert not pagefind_search(browser, server, "ru", "рынке", {"Рубрика": "Работа"})["urls"]
    meta = city["meta"][city["urls"].index("/ru/city/rynok-na-naberezhnoy/")]
    assert meta["title"] == "Рынок на набережной в\u00a0семь утра" and meta["date"]  # typeset (docs/theme.md)


def page_get(server: str, path: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(server + path) as response:  # 127.0.0.1 only
        return bytes(response.read())


def test_bytes_a_reader_downloads_for_one_query(browser: Any, server: str) -> None:
    """Everything the search page loads to show the first results of a query (the page
    itself and the theme's assets left out); printed for the benchmark notes."""
    page = browser.new_page()
    sizes: list[tuple[str, int]] = []
    page.on("requestfinished", lambda r: sizes.append((r.url, r.sizes()["responseBodySize"])))
    page.goto(f"{server}ru/search/?q=рынке")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)
    page.wait_for_load_state("networkidle")
    page.close()
    sizes = [(url, size) for url, size in sizes if "/pagefind/" in url]
    assert any("/index/" in url for url, _ in sizes) and any("/fragment/" in url for url, _ in sizes)
    total = sum(size for _, size in sizes)
    shards = len(json.loads(page_get(server, "pagefind/ru/shards.json"))["shards"])
    print(f"\nsearch bytes for one query (ru, sample, {shards} shard(s)): {total} B in {len(sizes)} files")
    assert 0 < total < 400_000  # Pagefind documents 100-300 KB for a site's first query


@pytest.mark.parametrize(("path", "lang", "query"), [
    ("ru/search/", "ru", "рынке"),  # one story: "one" form
    ("ru/search/", "ru", "между"),  # two stories: "few" form (материала), which Pagefind's strings cannot say
    ("search/", "en", "river"),
])
def test_the_count_of_results_is_in_the_readers_plural_form(browser: Any, server: str, path: str, lang: str,
                                                             query: str) -> None:
    """The message above the results is the catalog's plural form for the count shown
    (search.js picks it with Intl.PluralRules from the samples search.html gives), not
    Pagefind's own one/many strings."""
    from masthead.site.render import Theme

    from ..conftest import REPO

    page = browser.new_page()
    page.goto(f"{server}{path}?q={query}")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)
    page.wait_for_function("""() => { const m = document.querySelector('.pagefind-ui__message');
        return m && !/^\\s*\\d+\\s*$/.test(m.textContent); }""", timeout=10_000)
    shown = len(page.locator(".pagefind-ui__result").all())
    message = page.locator(".pagefind-ui__message").inner_text().strip()
    page.close()
    assert message == Theme(REPO / "theme").translator(lang)("search.count", n=shown), (message, shown)
    if lang == "ru" and shown in (2, 3, 4):
        assert message.endswith("материала")


@pytest.mark.parametrize(("path", "lang", "query"), [("search/", "en", "river"), ("ru/search/", "ru", "рынке")])
def test_a_count_over_a_thousand_is_in_the_readers_plural_form(browser: Any, server: str, path: str,
                                                               lang: str, query: str) -> None:
    """Pagefind writes a count over a thousand with its digits grouped ("8,913", seen on the
    10,000-story benchmark site); the message is still the catalog's form for that number."""
    from masthead.site.render import Theme

    from ..conftest import REPO

    page = browser.new_page()
    page.goto(f"{server}{path}?q={query}")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)  # the search is done (every shard)
    page.wait_for_function("""() => { const m = document.querySelector('.pagefind-ui__message');
        return m && !/^\\s*\\d+\\s*$/.test(m.textContent); }""", timeout=10_000)
    page.evaluate("() => { document.querySelector('.pagefind-ui__message').textContent = '8,913'; }")
    page.wait_for_function("""() => !/^[\\d,]+$/.test(document.querySelector('.pagefind-ui__message').textContent)""",
                           timeout=10_000)
    message = page.locator(".pagefind-ui__message").inner_text().strip()
    page.close()
    assert message == Theme(REPO / "theme").translator(lang)("search.count", n=8913), message
