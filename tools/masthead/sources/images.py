"""The one module that imports Pillow: reading image files, making their published copies,
and drawing social cards (docs/images.md).

Every raster file a page shows is re-encoded, the "original" too: a copy made by Pillow
carries no EXIF block (no GPS position of a volunteer's home, no camera serial), no XMP and
no text chunks, only the colour profile. Files are refused before they are decoded when
they are larger than `MAX_PIXELS` (a decompression bomb: a few KB of PNG can claim
gigapixels), and decoded in full when first checked, so that a truncated file is a `check`
problem and not a broken picture.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError, features

from masthead.domain.images import CARD_SIZE, MAX_PIXELS, ImageFacts, extension, svg_size

log = logging.getLogger(__name__)
Image.MAX_IMAGE_PIXELS = None  # our own limit, checked from the header before any decoding
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "MPO": "jpg"}
SAVE: dict[str, tuple[str, dict[str, Any]]] = {"jpg": ("JPEG", {"quality": 82, "optimize": True, "progressive": True}),
        "png": ("PNG", {"optimize": True}),
        "webp": ("WEBP", {"quality": 78, "method": 4}),
        "avif": ("AVIF", {"quality": 60, "speed": 8})}
DRAWING = 2  # bump when `derive` or `social_card` draw differently
# Fonts for social cards, first found wins: Noto Sans CJK covers Latin, Cyrillic, Greek,
# Hangul, kana and Han (Debian fonts-noto-cjk); DejaVu covers Latin, Cyrillic and Greek.
FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
         "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
         "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
         "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@functools.lru_cache(maxsize=1)
def encoder_signature() -> str:
    """What the bytes of a derived file depend on besides its source: Pillow's version (and
    its codecs') and our settings. Derived files are kept under it, so an upgrade remakes them."""
    import PIL

    text = repr((PIL.__version__, features.version("webp"), features.version("avif"), SAVE, DRAWING))
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


class ImageProblem(ValueError):
    """A file that cannot be published as an image; the message says why."""


def modern_formats() -> tuple[str, ...]:
    """The formats this Pillow build can write besides the original's: AVIF when built in, WebP."""
    return (("avif",) if features.check("avif") else ()) + (("webp",) if features.check("webp") else ())


def file_digest(path: str | Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def probe(path: str | Path, full: bool = True) -> ImageFacts:
    """Size, format and digest of the image at `path`, decoded in full (`full`: what `check`
    does; the planner, after a check, reads the header only); raises `ImageProblem` for a file
    that is too large, truncated, or not an image of a known kind."""
    if extension(str(path)) == "svg":
        with open(path, "rb") as fh:
            text = fh.read(1 << 16).decode("utf-8", "replace")
        width, height = svg_size(text) or (0, 0)
        return ImageFacts(width, height, "svg", file_digest(path))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                fmt = FORMATS.get(im.format or "")
                if fmt is None:
                    raise ImageProblem(f"not a JPEG, PNG, WebP or GIF image (Pillow reads it as {im.format})")
                width, height = im.size
                if width * height > MAX_PIXELS:
                    raise ImageProblem(f"{width}x{height} is {width * height / 1e6:.0f} megapixels, more than "
                                       f"the {MAX_PIXELS // 1_000_000} allowed")
                if full:
                    im.load()
                if full or fmt != "png":  # a PNG's EXIF is read only by decoding it
                    width, height = _upright(im)
    except ImageProblem:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise ImageProblem(_why(exc)) from None
    return ImageFacts(width, height, fmt, file_digest(path))


_CHECKED: dict[tuple[str, int, int], str | None] = {}  # in this process: a shared photo is decoded once
# (a clean check of 10,000 stories naming five photos decodes 5 files per worker, not 10,000)


def image_problem(path: str | Path) -> str | None:
    """Why the raster image at `path` cannot be published (too large, truncated, unknown), or None."""
    try:
        st = os.stat(path)
    except OSError as exc:
        return str(exc)
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _CHECKED:
        try:
            probe(path)
            _CHECKED[key] = None
        except ImageProblem as exc:
            _CHECKED[key] = str(exc)
    return _CHECKED[key]


def _upright(im: Image.Image) -> tuple[int, int]:
    """The size as shown, once the EXIF orientation is applied (a portrait phone photo)."""
    orientation = im.getexif().get(0x0112, 1)
    return (im.height, im.width) if orientation in (5, 6, 7, 8) else (im.width, im.height)


def _why(exc: BaseException) -> str:
    text = str(exc)
    if "truncated" in text or "broken data stream" in text or "image file is truncated" in text:
        return "the file is truncated or damaged"
    if isinstance(exc, UnidentifiedImageError):
        return "not an image Pillow can read"
    return text or type(exc).__name__


@dataclass(frozen=True)
class Derivation:
    """One published file made from a source image: `width` pixels wide, in `fmt`."""

    source: str  # absolute path
    digest: str
    width: int
    fmt: str
    out: str  # absolute path in the build state's image folder


def derive(job: Derivation) -> int:
    """Make `job.out` (atomically) and return its size in bytes."""
    with Image.open(job.source) as source:
        _draft(source, job.width)
        im: Image.Image = ImageOps.exif_transpose(source)  # upright; the EXIF block is not carried over
        icc = source.info.get("icc_profile")
        if im.width > job.width:
            im = im.resize((job.width, max(1, round(im.height * job.width / im.width))), Image.Resampling.LANCZOS)
        im = _mode_for(im, job.fmt)
        im.info = {k: v for k, v in im.info.items() if k == "transparency"}  # no exif, xmp or text chunks
        name, options = SAVE[job.fmt]
        if icc:
            options = {**options, "icc_profile": icc}
        buf = io.BytesIO()
        im.save(buf, name, **options)
    _write(job.out, buf.getvalue())
    return len(buf.getvalue())


def _draft(im: Image.ImageFile.ImageFile, width: int) -> None:
    """Let a JPEG decode at 1/2, 1/4 or 1/8 of its size when that still leaves twice the
    width wanted: a 1,600-pixel copy of a 12-megapixel photo decodes in a quarter of the time."""
    if im.format != "JPEG":
        return
    upright = _upright(im)[0]
    ratio = min(1.0, 2 * width / max(1, upright))
    if ratio < 1.0:
        im.draft("RGB", (max(1, int(im.width * ratio)), max(1, int(im.height * ratio))))


def _mode_for(im: Image.Image, fmt: str) -> Image.Image:
    if fmt == "jpg":
        return im.convert("RGB") if im.mode != "RGB" else im
    if im.mode in ("RGB", "RGBA", "L", "LA") or (fmt == "png" and im.mode == "P"):
        return im
    return im.convert("RGBA" if "A" in im.getbands() or "transparency" in im.info else "RGB")


def _write(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


@dataclass(frozen=True)
class CardText:
    """What a social card shows besides the cover."""

    title: str
    section: str
    magazine: str


def card_font() -> str | None:
    """The first font of `FONTS` on this machine (None: Pillow's own bitmap font, Latin only)."""
    return next((f for f in FONTS if os.path.exists(f)), None)


def social_card(out: str, text: CardText, cover: str | None) -> int:
    """A 1200x630 JPEG: the cover filling the card (or the magazine's ink), darkened at the
    bottom, with the section, the title (wrapped, up to four lines) and the magazine's name."""
    w, h = CARD_SIZE
    stamp = (os.stat(cover).st_mtime_ns, os.stat(cover).st_size) if cover else (0, 0)
    font = card_font()
    big = _font(font, 62)
    title = text.title if covers(big, text.title) else ""
    if not title and text.title:
        log.warning("social card: the font %s has no glyphs for %r; card drawn without the title (install "
                    "fonts-noto-cjk, docs/images.md)", font or "(Pillow's default)", text.title)
    lines = _wrap(title, big, w - 120)[:4]
    y = h - 70 - 76 * len(lines) - 50
    card = _background(cover, stamp, text.magazine).copy()
    draw = ImageDraw.Draw(card)
    small = _font(font, 30)
    if covers(small, text.section):
        draw.text((60, y), text.section.upper(), font=small, fill=(255, 214, 120))
    for n, line in enumerate(lines):
        draw.text((60, y + 50 + 76 * n), line, font=big, fill=(255, 255, 255))
    buf = io.BytesIO()
    card.save(buf, "JPEG", quality=85)  # not `optimize`: it doubles the time for 2% of the bytes
    _write(out, buf.getvalue())
    return len(buf.getvalue())


# In one worker, stories sharing a cover share its background, with the magazine's name drawn
# on it (8 kept: 2.3 MB each); with the words' widths kept (`_word_length`), a card costs about
# 5 ms of CPU instead of 7 (1,000 stories, no covers).
@functools.lru_cache(maxsize=8)
def _background(cover: str | None, stamp: tuple[int, int], magazine: str) -> Image.Image:
    """The cover fitted to the card and darkened towards the bottom (or the magazine's ink),
    with the magazine's name at the top."""
    if cover:
        with Image.open(cover) as im:
            _draft(im, CARD_SIZE[0])
            card = ImageOps.fit(ImageOps.exif_transpose(im).convert("RGB"), CARD_SIZE, Image.Resampling.LANCZOS)
    else:
        card = Image.new("RGB", CARD_SIZE, (28, 42, 58))
    shade = Image.linear_gradient("L").resize(CARD_SIZE)
    card = Image.composite(Image.new("RGB", CARD_SIZE, (10, 14, 20)), card, shade.point(lambda v: int(v * 0.85)))
    ImageDraw.Draw(card).text((60, 40), magazine, font=_font(card_font(), 30), fill=(255, 255, 255))
    return card


@functools.lru_cache(maxsize=4)
def _font(path: str | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)


def covers(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, text: str) -> bool:
    """Whether `font` has a glyph for every letter of `text` (else it would draw empty boxes)."""
    return all(_has_glyph(font, ch) for ch in set(text) if not ch.isspace())


@functools.lru_cache(maxsize=4096)
def _has_glyph(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, ch: str) -> bool:
    # U+0378 is unassigned: every font draws its "no glyph" box for it
    return bytes(font.getmask(ch)) != bytes(font.getmask("\u0378"))


def _wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int) -> list[str]:
    """Words onto lines no wider than `width`; a word wider than a line (Han, kana) by characters.
    A line's width is the sum of its words' and spaces' (kerning across a space is left out)."""
    lines: list[str] = []
    line, used = "", 0.0
    space = _word_length(font, " ")
    for word in text.split():
        size = _word_length(font, word)
        if used + (space if line else 0) + size <= width:
            line, used = (f"{line} {word}", used + space + size) if line else (word, size)
            continue
        if line:
            lines.append(line)
        line, used = "", 0.0
        for ch in word:
            size = _word_length(font, ch)
            if used + size > width and line:
                lines.append(line)
                line, used = "", 0.0
            line, used = line + ch, used + size
    if line:
        lines.append(line)
    if len(lines) > 4:
        lines = lines[:4]
        lines[3] = lines[3].rstrip() + "…"
    return lines


@functools.lru_cache(maxsize=65536)
def _word_length(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, word: str) -> float:
    return font.getlength(word)


def ink_pixels(path: str, box: tuple[int, int, int, int]) -> int:
    """How many pixels in `box` of the image at `path` are near white (drawn text): for tests."""
    with Image.open(path) as im:
        area = im.convert("L").crop(box)
        return sum(area.point(lambda v: 255 if v > 235 else 0).histogram()[255:])


def read_exif(path: str) -> dict[int, object]:
    """The EXIF tags of the image at `path` (empty when there are none): for tests and checks."""
    with Image.open(path) as im:
        exif = im.getexif()
        return {**dict(exif), **{k: v for k, v in exif.get_ifd(0x8825).items()}}
