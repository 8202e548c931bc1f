"""Images as readers get them: which widths and formats each picture is served in, and the
`<picture>` markup that offers them (docs/images.md). Pure: facts about a file come in as
`ImageFacts`, made by the one Pillow adapter (`sources/images.py`)."""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import quote

WIDTHS = (480, 960, 1600)  # a phone, a tablet or a laptop's column, a wide or dense screen
AVATAR_WIDTHS = (128, 256)  # shown at 64 and 128 CSS pixels; 256 for dense screens
MAX_PIXELS = 30_000_000  # 30 megapixels: a modern phone photo is 12-24; anything past is refused in `check`
RASTER = frozenset({"jpg", "jpeg", "png", "webp", "gif"})
FALLBACK = {"jpeg": "jpg", "jpg": "jpg", "png": "png", "webp": "webp", "gif": "png"}  # what the <img> serves
MIME = {"avif": "image/avif", "webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}
SIZES = {  # the `sizes` attribute by where the picture is shown (theme/assets/site.css column widths)
    "body": "(min-width: 46rem) 42rem, 100vw",
    "cover": "(min-width: 70rem) 64rem, 100vw",
    "lead": "(min-width: 70rem) 40rem, 100vw",
    "card": "(min-width: 46rem) 20rem, 100vw",
    "avatar": "8rem",
}
CARD_SIZE = (1200, 630)  # the social card (Open Graph's recommended size)
VIEWBOX_RE = re.compile(r"""\bviewBox\s*=\s*["']\s*[-\d.eE+]+[\s,]+[-\d.eE+]+[\s,]+([\d.eE+]+)[\s,]+([\d.eE+]+)\s*["']""")


@dataclass(frozen=True)
class ImageFacts:
    """What the build knows of one source image: its size, format and content digest."""

    width: int
    height: int
    format: str  # "jpg", "png", "webp", "gif" or "svg"
    digest: str


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""


def is_raster(name: str) -> bool:
    return extension(name) in RASTER


def widths_for(width: int, standard: tuple[int, ...] = WIDTHS) -> tuple[int, ...]:
    """The widths an image of `width` pixels is served at: the standard ones below it, and
    itself (capped at the largest); never wider than the source (no upscaling)."""
    top = min(width, standard[-1])
    return tuple(w for w in standard if w < top) + (top,)


def height_at(facts: ImageFacts, width: int) -> int:
    return max(1, round(facts.height * width / facts.width))


def derived_name(name: str, width: int, fmt: str) -> str:
    """`photos/market.jpg` at 800 px in WebP -> `photos/market-800.webp` (beside the original)."""
    stem = name.rsplit(".", 1)[0]
    return f"{stem}-{width}.{fmt}"


def fallback_format(facts: ImageFacts) -> str:
    return FALLBACK.get(facts.format, "jpg")


def address(path: str) -> str:
    """A file's path as a URL path: spaces and other reserved characters percent-encoded
    (a `srcset` splits on spaces and commas)."""
    return quote(path, safe="/")


def fallback_name(name: str, facts: ImageFacts, standard: tuple[int, ...] = WIDTHS) -> str:
    """The file the `<img>` itself shows (browsers without AVIF or WebP, and feeds): the
    original when it is no wider than the largest width and already in the fallback format,
    else a copy at the largest width. One file: every browser of the last five years takes a
    `<source>`, so widths of the fallback would be made for almost no reader."""
    top = widths_for(facts.width, standard)[-1]
    if top == facts.width and fallback_format(facts) == facts.format:
        return name
    return derived_name(name, top, fallback_format(facts))


def srcset(name: str, widths: tuple[int, ...], fmt: str) -> str:
    return ", ".join(f"{address(derived_name(name, w, fmt))} {w}w" for w in widths)


def formats(modern: tuple[str, ...], facts: ImageFacts) -> tuple[str, ...]:
    """Every format a raster image is made in: the modern ones (AVIF, WebP) and its fallback."""
    fallback = fallback_format(facts)
    return tuple(f for f in modern if f != fallback) + (fallback,)


def svg_size(text: str) -> tuple[int, int] | None:
    """Width and height from an SVG's viewBox (rounded up to whole pixels), if it has one."""
    m = VIEWBOX_RE.search(text[:4096])
    if not m:
        return None
    try:
        w, h = float(m.group(1)), float(m.group(2))
    except ValueError:
        return None
    if not (0 < w < 100_000 and 0 < h < 100_000):
        return None
    return max(1, round(w)), max(1, round(h))


@dataclass(frozen=True)
class Placement:
    """Where a picture stands on its page: the lead (eager, first to fetch) or below the fold."""

    role: str = "body"  # a key of SIZES
    eager: bool = False


def img_attributes(src: str, alt: str, facts: ImageFacts, place: Placement, extra: str = "") -> str:
    """`<img>` attributes: width and height always (no layout shift), lazy unless it leads."""
    loading = ' fetchpriority="high" decoding="async"' if place.eager else ' loading="lazy" decoding="async"'
    return (f'src="{html.escape(src)}" alt="{html.escape(alt)}" width="{facts.width}" '
            f'height="{facts.height}"{loading}{extra}')


def widths_standard(place: Placement) -> tuple[int, ...]:
    return AVATAR_WIDTHS if place.role == "avatar" else WIDTHS


def picture_html(base: str, name: str, alt: str, facts: ImageFacts, modern: tuple[str, ...],
                 place: Placement, img_extra: str = "") -> str:
    """`<picture>` for the image `name` (as the page links it, under `base`): one `<source>`
    per modern format with every width, and the fallback `<img>` at the widest width. SVG and
    unknown formats get a plain `<img>` with their size."""
    if facts.format == "svg" or facts.format not in RASTER:
        return f"<img {img_attributes(address(base + name), alt, facts, place, img_extra)}>"
    widths = widths_for(facts.width, widths_standard(place))
    sizes = SIZES.get(place.role, SIZES["body"])
    fallback = fallback_format(facts)
    parts = ["<picture>"]
    for fmt in modern:
        if fmt != fallback:
            parts.append(f'<source type="{MIME[fmt]}" srcset="{html.escape(srcset(base + name, widths, fmt))}" '
                         f'sizes="{sizes}">')
    top = widths[-1]
    shown = ImageFacts(top, height_at(facts, top), facts.format, facts.digest)
    src = address(base + fallback_name(name, facts, widths_standard(place)))
    parts.append(f"<img {img_attributes(src, alt, shown, place, img_extra)}>")
    parts.append("</picture>")
    return "".join(parts)


def published_name(name: str) -> str:
    """The path of an image as written (`./photos/x.jpg`) as it is published below the page."""
    return posixpath.normpath(name)
