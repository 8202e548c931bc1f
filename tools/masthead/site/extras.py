"""Search, sitemap, robots.txt, the 404 page, stand-alone pages and theme assets."""

from __future__ import annotations

import json
import os
from functools import partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from markupsafe import Markup

from masthead import state
from masthead.domain import urls
from masthead.sources.files import inside
from masthead.sources.frontmatter import split_body

from .markdown import render_markdown
from masthead.domain.typography import typeset_html
from .plan import Job, Planner, digest, file_reader, key_of
from .specs import Inputs, PageContext, PageSpec, Shared, page_spec

SITEMAP_LIMIT = 50_000  # URLs per sitemap file, as the protocol allows
SEARCH_ROWS = "search-rows"  # a table of the build state


def plan_search(plan: Planner) -> None:
    views, lang = plan.views, plan.settings.language
    t = plan.theme.translator(lang)
    stories = views.stories

    def row(s: Any, sections: dict[tuple[str, str], str]) -> str:
        section = sections.get((s.section, s.lang)) or sections.setdefault(
            (s.section, s.lang), views.section(s.section, s.lang)["title"])
        people = views.magazine.people
        return json.dumps({"t": s.title, "u": views.paths[s.source], "s": s.summary,
                           "a": ", ".join(people[a].name if a in people else a for a in s.authors),
                           "g": list(s.tags), "l": s.lang, "d": views.magazine.local_day(s.date).isoformat(),
                           "c": section}, ensure_ascii=False, separators=(",", ":"))

    def make() -> bytes:
        """The cards' fields, read from the stories; each story's row is kept by its card key
        between builds (the build state's `search-rows` table), so a rebuild writes only new rows."""
        card_keys = views.card_keys()
        saved = _load_rows(plan.root)
        sections: dict[tuple[str, str], str] = {}
        rows = {card_keys[s.source]: saved.get(card_keys[s.source]) or row(s, sections) for s in stories}
        if rows.keys() != saved.keys():
            _save_rows(plan.root, rows, saved)
        return ("[" + ",".join(rows.values()) + "]").encode("utf-8")

    card_keys = views.card_keys()
    plan.add(Job("search/index.json", digest(("search", [card_keys[s.source] for s in stories])), make), "search")
    plan.add_page(page_spec("search/", "search.html", "search", title=t("search.heading"), lang=lang, kind="search",
              own={"index_url": "search/index.json"}))


def _rows(root: Path) -> state.Table:
    return state.for_root(root).table(SEARCH_ROWS, digest(("search-rows", state.code_signature())))


def _load_rows(root: Path) -> dict[str, str]:
    return _rows(root).read()


def _save_rows(root: Path, rows: dict[str, str], saved: dict[str, str]) -> None:
    _rows(root).write({k: v for k, v in rows.items() if k not in saved}, saved.keys() - rows.keys())


def plan_404(plan: Planner) -> None:
    lang = plan.settings.language
    t = plan.theme.translator(lang)
    # Served at any depth, so its links start from the site's own path, not from where it is.
    root = "/" + plan.settings.url.split("://", 1)[-1].split("/", 1)[-1] if "://" in plan.settings.url else "/"
    plan.add_page(page_spec("404.html", "404.html", "404", title=t("notfound.title"), lang=lang, kind="404", root=root))


def plan_static_pages(plan: Planner) -> None:
    for p in plan.views.magazine.pages:
        plan.add_page(PageSpec(f"{p.slug}/", "page.html", p.source, p.lang, "page",
                               {"title": p.title, "body": (p.source, p.digest),  # the file, by path and digest
                                "trusted": plan.settings.trust_raw_html}, static_page))


def static_page(inputs: Inputs, shared: Shared) -> PageContext:
    """A stand-alone page (About): its body, read from its file (by path and digest) when written."""
    (name, _digest), trusted, lang = inputs["body"], inputs["trusted"], shared.lang
    source = os.path.join(shared.root, name)

    def late(context: dict[str, Any]) -> None:
        with open(source, encoding="utf-8-sig") as fh:
            html = render_markdown(split_body(fh.read()), trusted=trusted)
        context["body"] = Markup(typeset_html(html, lang))

    return PageContext(inputs["title"], {}, late=late)


def plan_assets(plan: Planner) -> None:
    folder = plan.theme.folder / "assets"
    for path in plan.theme.assets():
        if inside(plan.root, path) is None:
            continue  # a link out of the repository (theme/assets/x.css -> /etc/passwd) is never copied
        rel = path.relative_to(folder).as_posix()
        st = path.stat()
        plan.add(Job(f"assets/{rel}", key_of("asset", rel, st.st_mtime_ns, st.st_size),
                     file_reader(path)), f"theme/assets/{rel}")


def plan_sitemap(plan: Planner) -> None:
    """Every readable page, planned last so it sees them all; split past 50,000 addresses."""
    base = plan.settings.url.rstrip("/") + "/"
    entries = sorted((base + path.removesuffix("index.html"), lastmod)
                     for path, _, lastmod, html in plan.entries() if html)
    chunks = [entries[i:i + SITEMAP_LIMIT] for i in range(0, len(entries), SITEMAP_LIMIT)] or [[]]
    names = ["sitemap.xml"] if len(chunks) == 1 else [f"sitemap-{n + 1}.xml" for n in range(len(chunks))]
    for name, chunk in zip(names, chunks):
        plan.add(Job(name, digest(("sitemap", chunk)), partial(_urlset, chunk)), "sitemap")
    if len(chunks) > 1:
        index = [urls.absolute(plan.settings.url, n) for n in names]
        plan.add(Job("sitemap.xml", key_of("sitemap-index", index), lambda: _index(index)), "sitemap")
    robots = f"User-agent: *\nAllow: /\nSitemap: {urls.absolute(plan.settings.url, 'sitemap.xml')}\n"
    plan.add(Job("robots.txt", key_of("robots", robots), lambda: robots.encode()), "sitemap")


def _urlset(entries: list[tuple[str, str | None]]) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for loc, lastmod in entries:
        mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        lines.append(f"<url><loc>{escape(loc)}</loc>{mod}</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def _index(locs: list[str]) -> bytes:
    body = "".join(f"<sitemap><loc>{escape(loc)}</loc></sitemap>" for loc in locs)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{body}</sitemapindex>\n").encode("utf-8")
