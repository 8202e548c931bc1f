"""The image pipeline's place in a build: facts kept in the build state, a job per published
copy, the derived files made once per source digest and width (in parallel, before render),
`<picture>` in story bodies, and social cards (docs/images.md).

Derived files live in the build state (`<state>/images/`), never in the work tree: a
rebuild, one-story or full, finds them there and re-encodes nothing; `build --clean`
forgets the facts but keeps the files, which are named by content digest.
"""

from __future__ import annotations

import functools
import html
import logging
import multiprocessing
import os
import re
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote

from masthead import state
from masthead.domain import images as pics
from masthead.domain.images import ImageFacts, Placement
from masthead.sources import images as pil
from masthead.sources.files import copy_reader, inside

log = logging.getLogger(__name__)
FACTS = "image-facts"  # a table of the build state: source stamp -> ImageFacts
IMG_RE = re.compile(r"<img\b([^<>]*)>")
PICTURE_RE = re.compile(r"<picture\b.*?</picture>", re.S)
SRC_RE = re.compile(r'\ssrc="([^"]*)"')
ALT_RE = re.compile(r'\salt="([^"]*)"')
TITLE_RE = re.compile(r'\stitle="([^"]*)"')
CARD_NAME = "social-card.jpg"


@dataclass(frozen=True)
class CardTask:
    """A social card to draw (sent to a worker process: plain data)."""

    out: str
    text: pil.CardText
    cover: str | None


Task = pil.Derivation | CardTask


@dataclass
class Stats:
    """What the derive step did, for the build's report and the benchmark."""

    made: int = 0
    bytes_out: int = 0
    cpu: float = 0.0  # the whole step, workers included
    images_cpu: float = 0.0  # of which making derived images (measured in the workers)
    cards_cpu: float = 0.0  # and drawing social cards


@dataclass
class Pictures:
    """Image facts and pending derivations of one build (one per `Planner`)."""

    root: Path
    modern: tuple[str, ...] = field(default_factory=pil.modern_formats)
    pending: dict[str, Task] = field(default_factory=dict)  # cache file -> how to make it
    stats: Stats = field(default_factory=Stats)
    _saved: dict[str, Any] | None = None
    _new: dict[str, Any] = field(default_factory=dict)
    _located: dict[str, Path | None] = field(default_factory=dict)  # this build's: a path is followed once
    _facts: dict[Path, ImageFacts | None] = field(default_factory=dict)
    _font: str | None = None

    def locate(self, path: str) -> Path | None:
        """`path` with its links followed, if it is a file inside the repository (`inside`);
        worked out once per build (190 us a call on a loaded machine; a cover is asked for by
        its card, its page, its social card and its copies)."""
        if path not in self._located:
            real = inside(self.root, path)
            self._located[path] = real if real is not None and real.is_file() else None
        return self._located[path]

    @functools.cached_property
    def folder(self) -> Path:
        return state.state_dir(self.root) / "images" / pil.encoder_signature()

    def made(self) -> set[str]:
        """Every derived file the build state holds (one listing, not a stat per file)."""
        out: set[str] = set()
        if self.folder.is_dir():
            for sub in os.scandir(self.folder):
                if sub.is_dir():
                    out.update(entry.path for entry in os.scandir(sub.path))
        return out

    def prune(self) -> None:
        """Forget derived files made by another Pillow or other settings."""
        for old in self.folder.parent.glob("*"):
            if old != self.folder and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)

    def _table(self) -> state.Table:
        return state.for_root(self.root).table(FACTS, str(state.code_signature()))

    def facts(self, path: Path) -> ImageFacts | None:
        """Facts of the image at `path` (links followed by the caller), kept by its stamp;
        None for a file that cannot be published (`check` reports it)."""
        if path in self._facts:
            return self._facts[path]
        self._facts[path] = found = self._read_facts(path)
        return found

    def _read_facts(self, path: Path) -> ImageFacts | None:
        if not (pics.is_raster(path.name) or pics.extension(path.name) == "svg"):
            return None  # video, sound: copied as they are
        try:
            st = path.stat()
        except OSError:
            return None
        key = f"{path}|{st.st_mtime_ns}|{st.st_size}"
        if self._saved is None:
            self._saved = self._table().read()
        found = self._new.get(key, self._saved.get(key))
        if found is None:
            try:
                found = pil.probe(path, full=False)  # `check` decoded it in full
            except (pil.ImageProblem, OSError) as exc:
                found = str(exc)
            self._new[key] = found
        return found if isinstance(found, ImageFacts) else None

    def save(self) -> None:
        if self._new:
            self._table().write(self._new)
            self._new = {}

    def cached(self, facts: ImageFacts, source: Path, width: int, fmt: str) -> str:
        """The cache file for `source` at `width` in `fmt`, registered to be made if missing."""
        out = f"{self.folder}/{facts.digest[:2]}/{facts.digest}-{width}.{fmt}"
        if out not in self.pending:
            self.pending[out] = pil.Derivation(str(source), facts.digest, width, fmt, out)
        return out

    def publish(self, plan: Any, base: str, name: str, source: Path, owner: str,
                standard: tuple[int, ...] = pics.WIDTHS) -> ImageFacts | None:
        """Plan every published file of one image below `base` (a page's folder): a raster
        image as its re-encoded original and each width in each format, an SVG as it is
        (cleaned). Returns its facts."""
        from .plan import Job, key_of

        facts = self.facts(source)
        sig = pil.encoder_signature()
        rel = pics.published_name(name)
        if facts is None or facts.format == "svg" or not pics.is_raster(name):
            st = source.stat()
            plan.add(Job(base + rel, key_of("copy", str(source), st.st_mtime_ns, st.st_size),
                         copy_reader(source, name)), owner)
            return facts
        if facts.format == "gif":  # no EXIF in GIF; copied as it is, animation kept
            st = source.stat()
            plan.add(Job(base + rel, key_of("copy", str(source), st.st_mtime_ns, st.st_size),
                         copy_reader(source, name)), owner)
        else:  # re-encoded at its own size: the published original carries no EXIF either
            original = self.cached(facts, source, facts.width, facts.format)
            plan.add(Job(base + rel, f"image:{sig}:{facts.digest}:original", _reader(original, self)), owner)
        # keys are the files' names: a digest of the source, the width, the format and the encoder
        widths = pics.widths_for(facts.width, standard)
        fallback = pics.fallback_format(facts)
        for fmt in self.modern:
            if fmt == fallback:
                continue
            for width in widths:
                out = self.cached(facts, source, width, fmt)
                plan.add(Job(base + pics.derived_name(rel, width, fmt), f"image:{sig}:{facts.digest}:{width}.{fmt}",
                             _reader(out, self)), owner)
        shown = pics.fallback_name(rel, facts, standard)
        if shown != rel:
            out = self.cached(facts, source, widths[-1], fallback)
            plan.add(Job(base + shown, f"image:{sig}:{facts.digest}:{widths[-1]}.{fallback}", _reader(out, self)), owner)
        return facts

    def view(self, url: str, facts: ImageFacts | None, role: str, standard: tuple[int, ...] = pics.WIDTHS
             ) -> dict[str, Any]:
        """What a template needs to show an image published at `url` (site-relative): see
        theme/templates/partials/picture.html."""
        if facts is None:
            return {"src": url, "width": None, "height": None, "sources": [], "srcset": [], "sizes": ""}
        if facts.format == "svg" or facts.format not in pics.RASTER:
            return {"src": url, "width": facts.width or None, "height": facts.height or None, "sources": [],
                    "srcset": [], "sizes": ""}
        widths = pics.widths_for(facts.width, standard)
        fallback = pics.fallback_format(facts)
        top = widths[-1]
        at = pics.address
        return {
            "src": at(pics.fallback_name(url, facts, standard)), "width": top, "height": pics.height_at(facts, top),
            "sources": [{"type": pics.MIME[f], "srcset": [(at(pics.derived_name(url, w, f)), w) for w in widths]}
                        for f in self.modern if f != fallback],
            "sizes": pics.SIZES[role],
        }

    def social_card(self, plan: Any, base: str, text: pil.CardText, cover: Path | None,
                    owner: str) -> tuple[str, int, int]:
        """Plan the story's Open Graph image; returns its path below the site and its size."""
        from .plan import Job, digest

        facts = self.facts(cover) if cover is not None else None
        if self._font is None:
            self._font = pil.card_font() or ""
        font = self._font
        key = digest(("card", pil.encoder_signature(), text, facts.digest if facts else None, font))
        out = str(self.folder / "cards" / f"{key}.jpg")
        source = str(cover) if facts is not None and facts.format in pics.RASTER else None
        if out not in self.pending:
            self.pending[out] = CardTask(out, text, source)
        plan.add(Job(base + CARD_NAME, key, _reader(out, self)), owner)
        return self.card_path(base)

    def card_path(self, base: str) -> tuple[str, int, int]:
        return base + CARD_NAME, *pics.CARD_SIZE


def _reader(out: str, pictures: Pictures) -> Callable[[], bytes]:
    """A job's maker: the derived file from the cache, made now if the derive step did not."""
    task = pictures.pending.get(out)

    def read() -> bytes:
        if not os.path.exists(out) and task is not None:
            make(task)
        with open(out, "rb") as fh:
            return fh.read()
    return read


def make(task: Task) -> int:
    """Make one derived file; returns its size."""
    if isinstance(task, CardTask):
        return pil.social_card(task.out, task.text, task.cover)
    return pil.derive(task)


def _run(item: tuple[str, Task]) -> tuple[str, int, str | None, float]:
    """(file, size, why it failed, CPU seconds of the worker it took)."""
    out, task = item
    started = time.process_time()
    try:
        size, why = make(task), None
    except Exception as exc:  # a file changed since it was checked: reported, the build goes on
        size, why = 0, f"{type(exc).__name__}: {exc}"
    return out, size, why, time.process_time() - started


FEW = 64  # derived files to look for one by one rather than by listing the folder


def derive_all(pictures: Pictures | None, workers: int) -> Stats:
    """Make every derived file of the plan that the build state does not hold yet, on every
    core (a process pool; Pillow releases no GIL worth sharing threads for). Call before render."""
    stats = Stats()
    if pictures is None:
        return stats
    pictures.save()
    pictures.prune()
    if len(pictures.pending) <= FEW:  # a rebuild's few: a stat each beats listing 10,000 files
        todo = [(out, task) for out, task in pictures.pending.items() if not os.path.isfile(out)]
    else:
        made = pictures.made()
        todo = [(out, task) for out, task in pictures.pending.items() if out not in made]
    if not todo:
        return stats
    started = time.process_time()
    children = os.times()
    state.close_all()  # forked workers must not inherit an open database
    if workers > 1 and len(todo) > 1 and "fork" in multiprocessing.get_all_start_methods():
        with ProcessPoolExecutor(min(workers, len(todo)), mp_context=multiprocessing.get_context("fork")) as pool:
            results = list(pool.map(_run, todo, chunksize=max(1, len(todo) // (4 * workers))))
    else:
        results = [_run(item) for item in todo]
    after = os.times()
    stats.cpu = (time.process_time() - started) + (after.children_user - children.children_user) + (
        after.children_system - children.children_system)
    for (out, size, why, cpu), (_, task) in zip(results, todo):
        if isinstance(task, CardTask):
            stats.cards_cpu += cpu
        else:
            stats.images_cpu += cpu
        if why is not None:
            log.warning("image %s could not be made: %s", out, why)
            continue
        stats.made += 1
        stats.bytes_out += size
    pictures.stats = stats
    log.info("images: %d derived files made (%d bytes), %.2f s CPU (images %.2f s, social cards %.2f s)",
             stats.made, stats.bytes_out, stats.cpu, stats.images_cpu, stats.cards_cpu)
    return stats


# --- story bodies ---------------------------------------------------------------------------


def body_facts(plan: Any, story: Any) -> dict[str, ImageFacts]:
    """Facts of the story's local images by the name the body uses."""
    pictures: Pictures | None = getattr(plan, "pictures", None)
    if pictures is None or not story.images:
        return {}
    folder = os.path.dirname(os.path.join(plan.root, story.source))
    out: dict[str, ImageFacts] = {}
    for name in story.images:
        source = pictures.locate(os.path.join(folder, name))
        facts = pictures.facts(source) if source is not None else None
        if facts is not None:
            out[name] = facts
    return out


def rewrite_body(body: str, facts: dict[str, ImageFacts], modern: tuple[str, ...]) -> str:
    """Every `<img>` of a rendered body naming a local image: a `<picture>` with its widths
    and formats (or, inside an author's own `<picture>`, its width and height), lazy."""
    if "<img" not in body or not facts:
        return body
    inside_picture: set[int] = set()
    if "<picture" in body:
        for m in PICTURE_RE.finditer(body):
            inside_picture.update(i.start() for i in IMG_RE.finditer(body, m.start(), m.end()))

    def swap(m: re.Match[str]) -> str:
        attrs = m.group(1)
        src = SRC_RE.search(attrs)
        name = unquote(html.unescape(src.group(1))) if src else ""
        found = facts.get(name) or facts.get(pics.published_name(name))
        if found is None or not found.width:  # an SVG without a viewBox: left as it is
            return m.group(0)
        alt = ALT_RE.search(attrs)
        alt_text = html.unescape(alt.group(1)) if alt else ""
        title = TITLE_RE.search(attrs)
        extra = f' title="{title.group(1)}"' if title else ""  # still escaped, as cmark wrote it
        if m.start() in inside_picture:
            return f"<img {pics.img_attributes(pics.address(name), alt_text, found, Placement(), extra)}>"
        return pics.picture_html("", pics.published_name(name), alt_text, found, modern, Placement("body"), extra)

    return IMG_RE.sub(swap, body)
