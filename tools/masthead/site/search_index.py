"""Full-text search: the one module that talks to Pagefind (docs/search.md).

After the pages are rendered, the published story pages of each language are handed to
Pagefind (the binary shipped in the `pagefind[extended]` wheel, run on a folder of links to
them), one bundle per language in `pagefind/<lang>/`: Russian is stemmed as Russian, Korean, Japanese and
Chinese are segmented, and a reader downloads only their own language's index. Pagefind reads
what the story template marks: `data-pagefind-body` (the article), `data-pagefind-filter`
(section, author, language) and `data-pagefind-meta` (title, date, image).

The bundle's files are outputs like the pages: written into the staging tree (never into the
live site) and recorded in the manifest with a key, the digest of the language's story pages
(path and content) and Pagefind's version. A build where no story page of a language changed
takes that language's bundle over as it is; one where any did indexes that language again,
and only that one.

Pagefind's output is not quite byte-deterministic: the values of a filter (the authors, say)
are written in the order of a Rust hash map, which changes from run to run, and so do the
names of the filter files and the digests naming them. Everything else (words, pages,
fragments, their numbering) is the same for the same pages. `build --verify` and the tests
therefore compare bundles by content (`canonical`): filter values sorted, file names that
are digests of filters replaced by what they name.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import shutil
import subprocess
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


def _executable() -> str:
    """The Pagefind binary: the `pagefind[extended]` wheel's, or PAGEFIND_BINARY_PATH's."""
    from pagefind.service import get_executable

    found = get_executable()
    if found is None:
        raise SearchIndexError("Pagefind's binary is missing: install the locked requirements "
                               "(pip install --require-hashes -r requirements/runtime.txt)")
    return str(found)


def _place(source: Path, target: Path) -> None:
    """`target` made a hard link to `source` (a copy across file systems)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def bundles(jobs: dict[str, list[tuple[str, Path]]], work: Path) -> dict[str, dict[str, bytes]]:
    """Pagefind's bundle for each language of `jobs` (lang -> [(path in the site, file)]):
    lang -> relative path -> bytes. Each language's pages are linked into a folder of their
    own under `work` and indexed by Pagefind's command line, all languages at once. (Its
    Python API answers one request per 100 ms: 100 s for 1,000 stories.)"""
    binary = _executable()
    running: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}
    try:
        made: dict[str, dict[str, bytes]] = {}
        for lang, pages in jobs.items():
            folder = Path(tempfile.mkdtemp(prefix=f"pagefind-{lang}-", dir=work))
            if not pages:  # the command line refuses an empty site; the API makes an empty index
                asyncio.run(_empty(lang, str(folder / "out")))
                made[lang] = _read(folder / "out")
                shutil.rmtree(folder, ignore_errors=True)
                continue
            for rel, source in pages:
                _place(source, folder / "site" / rel)
            (folder / "site").mkdir(exist_ok=True)
            running[lang] = (subprocess.Popen(
                [binary, "--site", str(folder / "site"), "--output-path", str(folder / "out"),
                 "--force-language", lang, "--silent"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=folder), folder)
        for lang, (process, folder) in running.items():
            output, _ = process.communicate()
            if process.returncode != 0:
                said = output.decode("utf-8", "replace").strip().splitlines()[-3:]
                raise SearchIndexError(f"Pagefind could not index the {lang} stories (exit {process.returncode}): "
                                       + " / ".join(said))
            made[lang] = _read(folder / "out")
        return made
    except Exception as exc:  # noqa: BLE001 - the binary missing, or Pagefind's service failing
        if isinstance(exc, SearchIndexError):
            raise
        raise SearchIndexError(f"Pagefind could not be run: {type(exc).__name__}: {exc}") from exc
    finally:
        for process, folder in running.values():
            if process.poll() is None:
                process.kill()
                process.wait()
            shutil.rmtree(folder, ignore_errors=True)


async def _empty(lang: str, out: str) -> None:
    from pagefind.index import PagefindIndex

    async with PagefindIndex(config={"force_language": lang, "output_path": out}):
        pass


def _read(out: Path) -> dict[str, bytes]:
    made: dict[str, bytes] = {}
    for folder, dirs, names in os.walk(out):
        dirs.sort()
        for name in sorted(names):
            rel = os.path.relpath(os.path.join(folder, name), out).replace(os.sep, "/")
            if _wanted(rel):
                with open(os.path.join(folder, name), "rb") as fh:
                    made[rel] = fh.read()
    return made


def bundle(lang: str, pages: list[tuple[str, str]]) -> dict[str, bytes]:
    """The bundle of `pages` ((path in the site, html), all in `lang`), for tests and tools."""
    with tempfile.TemporaryDirectory(prefix="masthead-pagefind-") as work:
        sources = []
        for n, (rel, html) in enumerate(pages):
            source = Path(work) / f"page-{n}.html"
            source.write_text(html, encoding="utf-8")
            sources.append((rel, source))
        return bundles({lang: sources}, Path(work))[lang]


def add_to_site(views: "Views", files: dict[str, FileInfo], written: set[str] | dict[str, FileInfo],
                publisher: "Publisher") -> list[str]:
    """Put every language's bundle into the staging tree and `files` (the new site's files:
    path -> manifest entry); the bundles taken over from the published site are returned, as
    the build's `kept` files are. `written`: the files rendered into the staging tree this
    build (the others are linked from the published site)."""
    kept: list[str] = []
    jobs: dict[str, list[tuple[str, Path]]] = {}
    keys: dict[str, str] = {}
    for lang, paths in story_pages(views).items():
        present = [p for p in paths if p in files]
        key = keys[lang] = index_key(lang, [(p, files[p][1]) for p in present])
        prefix = bundle_path(lang)
        old = {rel: info for rel, info in publisher.manifest.items() if rel.startswith(prefix)}
        if old and all(info[0] == key and rel not in publisher.damaged for rel, info in old.items()):
            files.update(old)
            kept += old
            continue
        jobs[lang] = [(p, (publisher.stage if p in written else publisher.site) / p) for p in present]
    if not jobs:
        return kept
    started = time.perf_counter()
    publisher.records.mkdir(parents=True, exist_ok=True)
    for lang, made in bundles(jobs, publisher.records).items():
        prefix = bundle_path(lang)
        for rel, data in made.items():
            path = prefix + rel
            same = publisher.manifest.get(path)
            if (same is not None and path not in publisher.damaged
                    and same[1] == hashlib.blake2b(data, digest_size=16).hexdigest()):
                # most of a re-made bundle is the same files (fragments are named by content):
                # linked from the published site like any unchanged output
                files[path] = [keys[lang], *same[1:]]
                kept.append(path)
                continue
            info = write_file(publisher.stage, path, data, staged=True)
            info[0] = keys[lang]
            files[path] = info
    log.info("search: %s indexed (%s stories) in %.2f s", " ".join(jobs),
             " ".join(str(len(pages)) for pages in jobs.values()), time.perf_counter() - started)
    return kept


def add_to_tree(views: "Views", site: Path) -> None:
    """Every bundle, written straight into `site` (the MkDocs plugin's builds)."""
    jobs = {lang: [(p, site / p) for p in paths if (site / p).is_file()] for lang, paths in story_pages(views).items()}
    with tempfile.TemporaryDirectory(prefix="masthead-pagefind-") as work:
        for lang, made in bundles(jobs, Path(work)).items():
            for rel, data in made.items():
                write_file(site, bundle_path(lang) + rel, data)


# --- comparing bundles by content (build --verify, tests) ---------------------------------

MAGIC = b"pagefind_dcd"


def _cbor(data: bytes, at: int = 0) -> tuple[object, int]:
    """One CBOR item of Pagefind's files (ints, strings, arrays, maps, simple values)."""
    head = data[at]
    major, info = head >> 5, head & 31
    at += 1
    if info < 24:
        value = info
    elif info <= 27:
        size = 1 << (info - 24)
        value = int.from_bytes(data[at:at + size], "big")
        at += size
    else:
        raise ValueError(f"unsupported CBOR item {head:#x}")
    if major == 0:
        return value, at
    if major == 1:
        return -1 - value, at
    if major in (2, 3):
        raw = data[at:at + value]
        return (raw if major == 2 else raw.decode("utf-8")), at + value
    if major in (4, 5):
        items = []
        for _ in range(value * (2 if major == 5 else 1)):
            item, at = _cbor(data, at)
            items.append(item)
        return (tuple(items) if major == 4 else tuple(sorted(zip(items[::2], items[1::2]), key=repr))), at
    return ("simple", value), at


def _decoded(raw: bytes) -> object:
    import gzip

    data = gzip.decompress(raw)
    if not data.startswith(MAGIC):
        return data
    return _cbor(data, len(MAGIC))[0]


def _sorted(value: object) -> object:
    """A filter file: its values in a stable order."""
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], tuple):
        return (value[0], tuple(sorted(value[1], key=repr)))
    return value


def canonical(folder: Path) -> dict[str, object]:
    """A language's bundle by content: what two runs of Pagefind on the same pages agree on."""
    files = {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}
    filters = {rel.split("/")[-1].split(".")[0]: _sorted(_decoded(p.read_bytes()))
               for rel, p in files.items() if rel.startswith("filter/")}

    def named(value: object) -> object:
        if isinstance(value, str) and value in filters:
            return ("filter", filters[value])
        if isinstance(value, tuple):
            return tuple(sorted((named(v) for v in value), key=repr)) if any(
                isinstance(v, str) and v in filters for v in _flat(value)) else tuple(named(v) for v in value)
        return value

    out: dict[str, object] = {}
    for rel, path in files.items():
        if rel.startswith("filter/"):
            continue
        if rel.endswith(".pf_meta"):
            out["meta"] = named(_decoded(path.read_bytes()))
        elif rel == "pagefind-entry.json":
            import json

            entry = json.loads(path.read_bytes())
            for language in entry.get("languages", {}).values():
                language.pop("hash", None)
            out[rel] = entry
        else:
            out[rel] = path.read_bytes()
    return out


def _flat(value: tuple[object, ...]) -> list[object]:
    return [x for v in value for x in (_flat(v) if isinstance(v, tuple) else [v])]


def differing_bundles(a: Path, b: Path) -> list[str]:
    """The bundles (`pagefind/<lang>/`) two sites hold with other content, or only one holds."""
    mine = {p.name for p in (a / BUNDLE).iterdir()} if (a / BUNDLE).is_dir() else set()
    theirs = {p.name for p in (b / BUNDLE).iterdir()} if (b / BUNDLE).is_dir() else set()
    return sorted(bundle_path(lang) for lang in mine | theirs
                  if lang not in mine or lang not in theirs
                  or canonical(a / BUNDLE / lang) != canonical(b / BUNDLE / lang))
