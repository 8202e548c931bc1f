"""Full-text search: the one module that talks to Pagefind (docs/search.md).

After the pages are rendered, the published story pages of each language are handed to
Pagefind (the binary shipped in the `pagefind[extended]` wheel, run on a folder of links to
them), one index per language: Russian is stemmed as Russian, Korean, Japanese and
Chinese are segmented, and a reader downloads only their own language's index. Each
language's index is split into shards, `pagefind/<lang>/<k>/`, each a Pagefind bundle of its
own made from the stories a hash of their address puts in it (`shard_of`); the search page
merges them in the browser (Pagefind's `mergeIndex`), so an edit re-indexes one shard, never
the whole language. How many shards a language has depends only on how many published
stories it has (`shard_count`): a power of two, so that shards hold on average no more than
`search_shard_stories` (magazine.yml, default 700); it changes only when that count crosses
a power of two times the limit. Pagefind reads what the story template marks: `data-pagefind-body` (the article), `data-pagefind-filter`
(section, author, language) and `data-pagefind-meta` (title, date, image).

The bundle's files are outputs like the pages: written into the staging tree (never into the
live site) and recorded in the manifest with a key, the digest of the shard's story pages
(path, and the digest of the part of each that Pagefind reads: `indexed_part`, the article)
and Pagefind's version. A build where no story page of a shard changed
takes that shard's bundle over as it is; one where any did indexes that shard again, and
only that one. Shard 0 also holds Pagefind's code (`pagefind.js`, the UI, the WebAssembly,
which the merged shards share); `pagefind/<lang>/shards.json` lists the shards for the
search page. One difference with a single index: Pagefind skips a query word its index
lacks, and with shards it does so per shard (docs/search.md, "Known difference").

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
from typing import TYPE_CHECKING, Callable, Iterator

from masthead.domain import urls
from masthead.domain.stories import is_published

from masthead.state import read_json, write_json

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


class Stopped(Exception):
    """`bundles` was told to stop (a newer save in `masthead serve`); Pagefind was stopped."""


SHARDS_FILE = "shards.json"
BUILD_AT_ONCE = 1  # Pagefind runs at a time in `add_to_site` (a build): see there
SHARD_STORIES = 700  # the default `search_shard_stories` (docs/search.md: why 700)
PER_SHARD = ("pagefind-entry.json",)  # of RUNTIME, what every shard has; the rest only shard 0


def shard_count(stories: int, most: int = SHARD_STORIES) -> int:
    """How many shards a language of `stories` published stories is split into: the least
    power of two that keeps each shard, on average, at `most` stories or fewer. A function
    of the count alone, so an incremental build shards as a clean build does."""
    count = 1
    while count * most < stories:
        count *= 2
    return count


def shard_of(path: str, count: int) -> int:
    """The shard of the story page at `path` (its address: stable while the story's URL
    is), among `count` (a power of two: doubling it splits each shard in two)."""
    return int.from_bytes(hashlib.blake2b(path.encode(), digest_size=8).digest(), "big") & (count - 1)


def shard_path(lang: str, shard: int) -> str:
    """The folder of a shard's bundle, from the site's root."""
    return f"{BUNDLE}{lang}/{shard}/"


def shards_file(count: int) -> bytes:
    """`pagefind/<lang>/shards.json`: the shards' folders, relative to it; the first is the
    one the search page loads Pagefind from, the others are merged into it."""
    import json

    return json.dumps({"shards": [f"{k}/" for k in range(count)]}).encode()


def split(paths: list[str], most: int) -> list[list[str]]:
    """A language's story pages, by shard. No shard is left empty (Pagefind's browser code
    refuses to merge an empty index): where one would be, which happens only with a few
    stories per shard, the count is halved until none is."""
    count = shard_count(len(paths), most)
    while True:
        out: list[list[str]] = [[] for _ in range(count)]
        for path in paths:
            out[shard_of(path, count)].append(path)
        if count == 1 or all(out):
            return out
        count //= 2


def is_bundle(path: str) -> bool:
    """A file of a search bundle (the build's plan does not list them)."""
    return path.startswith(BUNDLE)


def _wanted(rel: str, runtime: bool = True) -> bool:
    if rel.startswith(RUNTIME_FOLDERS) or rel.endswith(".pf_meta") or rel in PER_SHARD:
        return True
    return runtime and (rel in RUNTIME or (rel.startswith("wasm.") and rel.endswith(".pagefind")))


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


def _place(source: Path, target: Path, replace: bool = False) -> None:
    """`target` made a hard link to `source` (a copy across file systems); `replace`: in the
    place of the file `target` is."""
    target.parent.mkdir(parents=True, exist_ok=True)
    made = target.with_name(f".{target.name}.{os.getpid()}") if replace else target
    try:
        os.link(source, made)
    except OSError:
        shutil.copyfile(source, made)
    if replace:
        os.replace(made, target)


Job = tuple[str, bool, list[tuple[str, Path]]]  # language, with Pagefind's code, (path in the site, file)


def bundles(jobs: dict[str, Job], work: Path, inputs: Path | None = None,
            stop: Callable[[], bool] = lambda: False) -> dict[str, dict[str, bytes]]:
    """Every job's bundle at once (see `each_bundle`)."""
    return dict(each_bundle(jobs, work, inputs, stop))


def each_bundle(jobs: dict[str, Job], work: Path, inputs: Path | None = None,
                stop: Callable[[], bool] = lambda: False,
                at_once: int | None = None) -> Iterator[tuple[str, dict[str, bytes]]]:
    """Pagefind's bundle for each job (name -> (language, whether it keeps Pagefind's code,
    [(path in the site, file)])): name -> relative path -> bytes. Each job's pages are linked
    into a folder of their own under `work` and indexed by Pagefind's command line, `at_once`
    at a time (default: as many as there are processors); each bundle is handed on as soon as
    it is read, so the caller need not hold them all. (Its Python API answers one request per
    100 ms: 100 s for 1,000 stories.) `inputs`: a folder of the build state where each job's folder of
    links is kept between builds and brought up to date (`keep_inputs`), instead of made
    and deleted each time: at 10,000 stories a shard's 500 folders cost 1-2 s to make and
    remove on this disk, for a one-story edit. `stop`: asked while Pagefind runs; when it
    answers true, every run is stopped and `Stopped` raised."""
    binary = _executable()
    running: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}
    waiting = list(jobs)
    at_once = at_once or max(1, os.cpu_count() or 1)
    try:
        while waiting or running:
            while waiting and len(running) < at_once:
                name = waiting.pop(0)
                lang, runtime, pages = jobs[name]
                folder = Path(tempfile.mkdtemp(prefix="pagefind-", dir=work))
                if not pages:  # the command line refuses an empty site; the API makes an empty index
                    asyncio.run(_empty(lang, str(folder / "out")))
                    empty = _read(folder / "out", runtime)
                    shutil.rmtree(folder, ignore_errors=True)
                    yield name, empty
                    continue
                if inputs is not None:
                    site = inputs / name.replace("/", "-")
                    keep_inputs(site, pages)
                else:
                    site = folder / "site"
                    for rel, source in pages:
                        _place(source, site / rel)
                with open(folder / "pagefind.log", "wb") as said_to:  # not a pipe: nobody reads it while it runs
                    running[name] = (subprocess.Popen(
                        [binary, "--site", str(site), "--output-path", str(folder / "out"),
                         "--force-language", lang, "--silent"],
                        stdout=said_to, stderr=subprocess.STDOUT, cwd=folder), folder)
            if not running:
                continue
            name = next(iter(running))  # in order: the first started is (about) the first done
            process, folder = running[name]
            while True:
                try:
                    process.wait(timeout=0.02)
                    break
                except subprocess.TimeoutExpired:
                    if stop():
                        raise Stopped()
            del running[name]
            try:
                if process.returncode != 0:
                    output = (folder / "pagefind.log").read_bytes()
                    said = output.decode("utf-8", "replace").strip().splitlines()[-3:]
                    raise SearchIndexError(f"Pagefind could not index the stories of {name} "
                                           f"(exit {process.returncode}): " + " / ".join(said))
                made = _read(folder / "out", jobs[name][1])
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            yield name, made
    except Exception as exc:  # noqa: BLE001 - the binary missing, or Pagefind's service failing
        if isinstance(exc, (SearchIndexError, Stopped)):
            raise
        raise SearchIndexError(f"Pagefind could not be run: {type(exc).__name__}: {exc}") from exc
    finally:
        for process, folder in running.values():
            if process.poll() is None:
                process.kill()
                process.wait()
            shutil.rmtree(folder, ignore_errors=True)


INPUT_RECORD = ".masthead-pages.json"  # in a kept input folder: what each link was made from


def keep_inputs(folder: Path, pages: list[tuple[str, Path]]) -> None:
    """Make `folder` hold a link to each of `pages` ((path in the site, file)) and nothing
    else, touching only what changed since it was last brought up to date: a page is linked
    again when its file is not the one linked (device, inode, size, mtime: the site's files
    are replaced, never written in place). The record is removed while the folder changes,
    so a build stopped half-way leaves a folder the next one makes anew."""
    record = folder / INPUT_RECORD
    old = read_json(record) if folder.is_dir() else None
    if not (isinstance(old, dict) and all(isinstance(v, list) for v in old.values())):
        shutil.rmtree(folder, ignore_errors=True)
        old = {}
    record.unlink(missing_ok=True)
    new: dict[str, list[int]] = {}
    for rel, source in pages:
        st = os.stat(source)
        stamp = [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]
        if old.get(rel) != stamp:
            _place(source, folder / rel, replace=True)  # never written through: it may be a link to a page
        new[rel] = stamp
    for rel in old.keys() - new.keys():
        if not os.path.isabs(rel) and ".." not in rel.split("/"):
            (folder / rel).unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    write_json(record, new)


async def _empty(lang: str, out: str) -> None:
    from pagefind.index import PagefindIndex

    async with PagefindIndex(config={"force_language": lang, "output_path": out}):
        pass


def _read(out: Path, runtime: bool = True) -> dict[str, bytes]:
    made: dict[str, bytes] = {}
    for folder, dirs, names in os.walk(out):
        dirs.sort()
        for name in sorted(names):
            rel = os.path.relpath(os.path.join(folder, name), out).replace(os.sep, "/")
            if _wanted(rel, runtime):
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
        return bundles({lang: (lang, True, sources)}, Path(work))[lang]


def shards(views: "Views", present: "set[str] | dict[str, FileInfo] | None" = None) -> dict[str, list[list[str]]]:
    """Each language's story pages by shard (only those in `present`, when given: the
    shards are chosen from the published stories, whether or not their page was written)."""
    most = views.settings.search_shard_stories
    return {lang: [[p for p in shard if present is None or p in present] for shard in split(paths, most)]
            for lang, paths in story_pages(views).items()}


def add_to_site(views: "Views", files: dict[str, FileInfo], written: set[str] | dict[str, FileInfo],
                publisher: "Publisher", refresh: bool = True) -> list[str]:
    """Put every shard's bundle into the staging tree and `files` (the new site's files:
    path -> manifest entry); the files taken over from the published site are returned, as
    the build's `kept` files are. `written`: the files rendered into the staging tree this
    build (the others are linked from the published site). Only the shards whose story
    pages changed are indexed again. `refresh=False`: none is; every file of the bundles the
    published site has is taken over as it is, even out of date (see `refresh_published`)."""
    if not refresh:
        old = {rel: info for rel, info in publisher.manifest.items() if is_bundle(rel)}
        files.update(old)
        return list(old)
    kept: list[str] = []
    jobs: dict[str, Job] = {}
    keys: dict[str, str] = {}
    published = _by_shard(publisher.manifest)
    parts_of = IndexedParts(publisher.records / PARTS_FILE)

    def source(p: str) -> Path:
        return (publisher.stage if p in written else publisher.site) / p

    for lang, parts in shards(views, files).items():
        listing = f"{BUNDLE}{lang}/{SHARDS_FILE}"
        data = shards_file(len(parts))
        old_listing = publisher.manifest.get(listing)
        if (old_listing is not None and listing not in publisher.damaged
                and old_listing[1] == hashlib.blake2b(data, digest_size=16).hexdigest()):
            files[listing] = old_listing
            kept.append(listing)
        else:
            files[listing] = write_file(publisher.stage, listing, data, staged=True)
        for k, present in enumerate(parts):
            name = f"{lang}/{k}"
            key = keys[name] = index_key(name, [(p, parts_of.digest(p, files[p][1], source(p))) for p in present])
            prefix = shard_path(lang, k)
            old = published.get(prefix, {})
            if old and all(info[0] == key and rel not in publisher.damaged for rel, info in old.items()):
                files.update(old)
                kept += old
                continue
            jobs[name] = (lang, k == 0, [(p, source(p)) for p in present])
    parts_of.save()
    if not jobs:
        return kept
    started, cpu, own = time.perf_counter(), _children_cpu(), time.process_time()
    publisher.records.mkdir(parents=True, exist_ok=True)
    # one Pagefind at a time: each holds a whole shard's index (~190 MB for 700 stories), and
    # the build's own process is at its largest here; each bundle is written as it comes
    for name, made in each_bundle(jobs, publisher.records, publisher.records / "pagefind-input",
                                  at_once=BUILD_AT_ONCE):
        prefix = f"{BUNDLE}{name}/"
        for rel, data in made.items():
            path = prefix + rel
            same = publisher.manifest.get(path)
            if (same is not None and path not in publisher.damaged
                    and same[1] == hashlib.blake2b(data, digest_size=16).hexdigest()):
                # most of a re-made bundle is the same files (fragments are named by content):
                # linked from the published site like any unchanged output
                files[path] = [keys[name], *same[1:]]
                kept.append(path)
                continue
            info = write_file(publisher.stage, path, data, staged=True)
            info[0] = keys[name]
            files[path] = info
    pagefind = _children_cpu() - cpu
    log.info("search: %s indexed (%s stories) in %.2f s, %.2f s CPU (Pagefind %.2f s)", " ".join(jobs),
             " ".join(str(len(job[2])) for job in jobs.values()), time.perf_counter() - started,
             time.process_time() - own + pagefind, pagefind)
    return kept


PARTS_FILE = "search-parts.json"


def indexed_part(page: bytes) -> bytes:
    """What Pagefind reads of a story page: the element marked `data-pagefind-body` (the
    article), when every other mark Pagefind reads is inside it; else the whole page. A
    story's neighbours and related stories are outside it, so a story added or retitled
    leaves the shards of the pages that link to it as they were."""
    mark = page.find(b"data-pagefind-body")
    start = page.rfind(b"<article", 0, mark) if mark >= 0 else -1
    end = page.find(b"</article>", mark)
    if start < 0 or end < 0 or b"data-pagefind" in page[:start] or b"data-pagefind" in page[end:]:
        return page
    if page.count(b"<article", start + 1, end):  # a nested article: the first </article> is not its end
        return page
    return page[start:end]


class IndexedParts:
    """The digest of each story page's `indexed_part`, kept in the build state by the page's
    own digest, so only pages written since are read again."""

    def __init__(self, path: Path) -> None:
        self.path = path
        known = read_json(path)
        self.known: dict[str, list[str]] = known if isinstance(known, dict) else {}
        self.now: dict[str, list[str]] = {}

    def digest(self, rel: str, page_digest: str, file: Path) -> str:
        known = self.known.get(rel)
        if isinstance(known, list) and len(known) == 2 and known[0] == page_digest:
            part = str(known[1])
        else:
            part = hashlib.blake2b(indexed_part(file.read_bytes()), digest_size=16).hexdigest()
        self.now[rel] = [page_digest, part]
        return part

    def save(self) -> None:
        if self.now != self.known:
            write_json(self.path, self.now)


def _by_shard(manifest: dict[str, FileInfo]) -> dict[str, dict[str, FileInfo]]:
    """The files of the search bundles of `manifest`, by shard folder (`pagefind/en/0/`)."""
    out: dict[str, dict[str, FileInfo]] = {}
    for rel, info in manifest.items():
        if rel.startswith(BUNDLE) and rel.count("/") >= 3:
            out.setdefault("/".join(rel.split("/", 3)[:3]) + "/", {})[rel] = info
    return out


def _children_cpu() -> float:
    """CPU seconds of the finished child processes (Pagefind's runs)."""
    usage = os.times()
    return usage.children_user + usage.children_system


def refresh_published(views: "Views", site_dir: Path, records: Path) -> int:
    """Bring the search bundles of the published site `site_dir` up to date with its story
    pages, and publish that as a new site (atomically, like a build): for a caller that
    published the pages first with `add_to_site(..., refresh=False)` (as `masthead serve`
    may, to show an edit at once) and refreshes search right after. `views` are those the
    pages were rendered from; `records` the site's folder in the build state. Returns how
    many shards were indexed (0: the search was up to date, nothing published). Raises
    SearchIndexError as a build does, the published site untouched.

    A caller that publishes with `refresh=False` must call this afterwards: the build's
    freshness record (freshness.py) does not know the search is behind, so a plain
    `masthead build` would say "up to date" and leave it so."""
    from .publish import Publisher

    publisher = Publisher(site_dir, records)
    publisher.open()
    before = dict(publisher.manifest)
    files = {rel: info for rel, info in before.items() if not is_bundle(rel)}  # bundles: as add_to_site says
    try:
        kept_bundles = add_to_site(views, files, set(), publisher)
    except SearchIndexError:
        publisher.discard()
        raise
    if files == before:
        publisher.discard()
        return 0
    indexed = len({"/".join(rel.split("/")[:3]) for rel in files
                   if is_bundle(rel) and rel.count("/") >= 3 and files[rel] != before.get(rel)})
    kept = [rel for rel in files if not is_bundle(rel)] + kept_bundles
    publisher.publish(files, kept)
    return indexed


def add_to_tree(views: "Views", site: Path) -> None:
    """Every bundle, written straight into `site` (the MkDocs plugin's builds)."""
    jobs: dict[str, Job] = {}
    for lang, parts in shards(views).items():
        write_file(site, f"{BUNDLE}{lang}/{SHARDS_FILE}", shards_file(len(parts)))
        for k, paths in enumerate(parts):
            jobs[f"{lang}/{k}"] = (lang, k == 0, [(p, site / p) for p in paths if (site / p).is_file()])
    with tempfile.TemporaryDirectory(prefix="masthead-pagefind-") as work:
        for name, made in bundles(jobs, Path(work)).items():
            for rel, data in made.items():
                write_file(site, f"{BUNDLE}{name}/{rel}", data)


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
    """The shards (`pagefind/<lang>/<k>/`) and shard lists two sites hold with other
    content, or only one holds."""
    def parts(site: Path) -> dict[str, Path]:
        root = site / BUNDLE
        return {p.relative_to(site).as_posix() + ("/" if p.is_dir() else ""): p
                for lang in (sorted(root.iterdir()) if root.is_dir() else []) if lang.is_dir()
                for p in sorted(lang.iterdir())}

    mine, theirs = parts(a), parts(b)

    def same(rel: str) -> bool:
        x, y = mine[rel], theirs[rel]
        if x.is_dir() and y.is_dir():
            return canonical(x) == canonical(y)
        return x.is_file() and y.is_file() and x.read_bytes() == y.read_bytes()

    return sorted(rel for rel in mine.keys() | theirs.keys()
                  if rel not in mine or rel not in theirs or not same(rel))
