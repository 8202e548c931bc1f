#!/usr/bin/env python3
"""Bytes a reader downloads for one search query on a built site, counted in headless Chromium.

    python benchmarks/search_bytes.py SITE_DIR en:warehouse ru:кооператив

SITE_DIR is a built masthead site (e.g. benchmarks/work/run/masthead-10000/site); each
argument is LANG:WORD. The site is served on 127.0.0.1; the search page of that language
is opened with ?q=WORD and every response counted (Playwright's responseBodySize) until the
network is idle, by kind: Pagefind's code, WebAssembly, shard metadata, filters, index
chunks and fragments. It prints the hosts asked too (nothing should leave 127.0.0.1 but a
corpus's own remote images). Needs Debian's chromium and the test requirements (playwright).
"""

from __future__ import annotations

import functools
import http.server
import json
import sys
import threading
from pathlib import Path

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def kind(url: str) -> str:
    for folder in ("fragment", "index", "filter"):
        if f"/{folder}/" in url:
            return folder
    name = url.split("?", 1)[0].rsplit("/", 1)[-1]
    return {"pagefind": "wasm", "pf_meta": "shard metadata"}.get(name.rsplit(".", 1)[-1], name)


def main(site: Path, queries: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=FLAGS)
        for query in queries:
            lang, word = query.split(":", 1)
            page = browser.new_page()
            sizes: list[tuple[str, int]] = []
            hosts: set[str] = set()
            page.on("requestfinished", lambda r: sizes.append((r.url, r.sizes()["responseBodySize"])))
            page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
            default = json.loads((site / "pagefind" / lang / "shards.json").read_text())
            prefix = "" if f'<html lang="{lang}"' in (site / "index.html").read_text() else f"{lang}/"
            page.goto(f"{base}{prefix}search/?q={word}")
            page.wait_for_selector(".pagefind-ui__result-link", timeout=60_000)
            page.wait_for_load_state("networkidle")
            message = page.locator(".pagefind-ui__message").inner_text()
            page.close()
            found = [(url, size) for url, size in sizes if "/pagefind/" in url]
            by_kind: dict[str, int] = {}
            for url, size in found:
                by_kind[kind(url)] = by_kind.get(kind(url), 0) + size
            print(f"{lang} {word!r} ({len(default['shards'])} shard(s)), {message!r}: "
                  f"{sum(size for _, size in found):,} B in {len(found)} Pagefind files; "
                  + ", ".join(f"{k} {v:,}" for k, v in sorted(by_kind.items(), key=lambda kv: -kv[1]))
                  + f"; hosts asked: {', '.join(sorted(hosts))}")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]), sys.argv[2:])
