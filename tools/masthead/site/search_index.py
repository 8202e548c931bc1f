"""Full-text search: the one module that talks to Pagefind (docs/search.md).

After the pages are rendered, the published story pages of each language are handed to
Pagefind (its Python API drives the binary shipped in the `pagefind[extended]` wheel), one
bundle per language in `pagefind/<lang>/`: Russian is stemmed as Russian, Korean, Japanese and
Chinese are segmented, and a reader downloads only their own language's index. Pagefind reads
what the story template marks: `data-pagefind-body` (the article), `data-pagefind-filter`
(section, author, language) and `data-pagefind-meta` (title, date, image).

The bundle's files are outputs like the pages: written into the staging tree (never into the
live site) and recorded in the manifest with a key, the digest of the language's story pages
(path and content) and Pagefind's version. A build where no story page of a language changed
takes that language's bundle over as it is; one where any did indexes that language again,
and only that one. Pagefind's output depends only on its input (same pages in the same
order, same bytes), so `build --verify` compares it like any other file.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from masthead.domain import urls
from masthead.domain.stories import is_published

from .publish import FileInfo, write_file

if TYPE_CHECKING:
    from .publish import Publisher
    from .views import Views

log = logging.getLogger(__name__)
BUNDLE = "pagefind/"
# What a reader's browser loads; the rest of Pagefind's output (its other UIs, the highlighter)
# is left out of the site.
RUNTIME = {"pagefind.js", "pagefind-worker.js", "pagefind-ui.js", "pagefind-ui.css", "pagefind-entry.json"}
RUNTIME_FOLDERS = ("index/", "fragment/", "filter/")


class SearchIndexError(RuntimeError):
    """Pagefind failed; the build stops with the site as it was."""


def is_bundle(path: str) -> bool:
    """A file of a search bundle (the build's plan does not list them)."""
    return path.startswith(BUNDLE)


def bundle_path(lang: str) -> str:
    """The folder of a language's bundle, from the site's root."""
    return f"{BUNDLE}{lang}/"


def _wanted(rel: str) -> bool:
    return (rel in RUNTIME or rel.startswith(RUNTIME_FOLDERS) or rel.endswith(".pf_meta")
            or (rel.startswith("wasm.") and rel.endswith(".pagefind")))


def story_pages(views: "Views") -> dict[str, list[str]]:
    """The output files of the published stories, by language, in a stable order."""
    out: dict[str, list[str]] = {lang: [] for lang in views.languages}
    for s in views.stories:
        if is_published(s, views.now):
            out.setdefault(s.lang, []).append(urls.output_file(views.paths[s.source]))
    return {lang: sorted(paths) for lang, paths in out.items()}


def page_url(path: str) -> str:
    """The address Pagefind gives a result, from the site's root (the search page's script
    puts the site's own base in front)."""
    return "/" + (path[: -len("index.html")] if path.endswith("index.html") else path)


def index_key(lang: str, pages: list[tuple[str, str]]) -> str:
    """What a language's bundle is made from: its pages' paths and digests, and Pagefind."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"pagefind {metadata.version('pagefind')} {lang}\n".encode())
    for path, content_digest in pages:
        h.update(f"{path} {content_digest}\n".encode())
    return h.hexdigest()


async def _index(lang: str, pages: list[tuple[str, str]], out: str) -> None:
    from pagefind.index import PagefindIndex

    async with PagefindIndex(config={"force_language": lang, "output_path": out}) as index:
        for url, html in pages:
            await index.add_html_file(content=html, url=url)


def bundle(lang: str, pages: list[tuple[str, str]]) -> dict[str, bytes]:
    """Pagefind's bundle for `pages` ((url, html), all in `lang`): relative path -> bytes."""
    with tempfile.TemporaryDirectory(prefix="masthead-pagefind-") as out:
        try:
            asyncio.run(_index(lang, pages, out))
        except Exception as exc:  # noqa: BLE001 - Pagefind's service reports many kinds
            raise SearchIndexError(f"Pagefind could not index the {lang} stories: {type(exc).__name__}: {exc}") from exc
        made: dict[str, bytes] = {}
        for folder, dirs, names in os.walk(out):
            dirs.sort()
            for name in sorted(names):
                rel = os.path.relpath(os.path.join(folder, name), out).replace(os.sep, "/")
                if _wanted(rel):
                    with open(os.path.join(folder, name), "rb") as fh:
                        made[rel] = fh.read()
    return made


def add_to_site(views: "Views", files: dict[str, FileInfo], written: set[str] | dict[str, FileInfo],
                publisher: "Publisher") -> list[str]:
    """Put every language's bundle into the staging tree and `files` (the new site's files:
    path -> manifest entry); the bundles taken over from the published site are returned, as
    the build's `kept` files are. `written`: the files rendered into the staging tree this
    build (the others are read from the published site)."""
    kept: list[str] = []
    for lang, paths in story_pages(views).items():
        present = [p for p in paths if p in files]
        key = index_key(lang, [(p, files[p][1]) for p in present])
        prefix = bundle_path(lang)
        old = {rel: info for rel, info in publisher.manifest.items() if rel.startswith(prefix)}
        if old and all(info[0] == key and rel not in publisher.damaged for rel, info in old.items()):
            files.update(old)
            kept += old
            continue
        started = time.process_time()
        pages = []
        for p in present:
            base = publisher.stage if p in written else publisher.site
            pages.append((page_url(p), (base / p).read_text(encoding="utf-8")))
        for rel, data in bundle(lang, pages).items():
            info = write_file(publisher.stage, prefix + rel, data, staged=True)
            info[0] = key
            files[prefix + rel] = info
        log.info("search: %d %s stories indexed in %.2f s of CPU", len(pages), lang, time.process_time() - started)
    return kept


def add_to_tree(views: "Views", site: Path) -> None:
    """Every bundle, written straight into `site` (the MkDocs plugin's builds)."""
    for lang, paths in story_pages(views).items():
        pages = [(page_url(p), (site / p).read_text(encoding="utf-8")) for p in paths if (site / p).is_file()]
        for rel, data in bundle(lang, pages).items():
            write_file(site, bundle_path(lang) + rel, data)
