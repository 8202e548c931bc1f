"""Files a body uses (images, downloads): found in Markdown and HTML, copied beside the story
under a file name of their own, and the references rewritten to that name. A missing image
becomes its description, so the imported story still checks; the report says so."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

from .body import STORY, Context, outside_code
from .model import Draft

MD_LINK = re.compile(r"(!?)\[((?:[^\[\]\n]|\[[^\]\n]*\])*)\]\(\s*(<[^>\n]*>|[^)\s]+)((?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\)))?)\s*\)")
REF_DEF = re.compile(r"^( {0,3}\[[^\]\n]+\]:\s*)(<[^>\n]*>|\S+)(.*)$", re.M)
HTML_URL = re.compile(r"(\b(?:src|href|poster|data-src)\s*=\s*)([\"'])(.*?)\2", re.I | re.S)
PAGE_EXT = ("", ".md", ".markdown", ".html", ".htm", ".php", ".xml")
IMAGE_EXT = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".bmp", ".ico", ".tif", ".tiff")

Resolver = Callable[[str], "Path | None"]  # a URL as written -> the file in the old site, if local


def is_remote(url: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//|^#", url)) or url.startswith(STORY)


def is_page(url: str) -> bool:
    path = url.split("#", 1)[0].split("?", 1)[0]
    return posixpath.splitext(path.rstrip("/"))[1].lower() in PAGE_EXT or path.endswith("/")


def take_files(body: str, draft: Draft, resolve: Resolver, ctx: Context) -> str:
    """Copy every local file `body` refers to beside the story (`draft.files`) and rewrite the
    references; images that cannot be found become their description."""
    def local(url: str, at_text: str, at: int, image: bool) -> str | None:
        """The new name of a local file, or None to leave the reference alone."""
        bare = url.strip("<>").split("#", 1)[0].split("?", 1)[0]
        if not bare or is_remote(bare) or (is_page(bare) and not image):
            return None
        found = resolve(unquote(bare))
        if found is None or not found.is_file():
            ctx.missed(at_text, at, "missing file", f"'{bare}' is not in the old site" +
                       ("; the image is shown as its description" if image else "; link left as written"))
            return "" if image else None
        return add_file(draft, found)

    def markdown(prose: str) -> str:
        def link(m: re.Match[str]) -> str:
            image = m.group(1) == "!"
            new = local(m.group(3), prose, m.start(), image)
            if new is None:
                return m.group(0)
            if new == "":
                return f"*{m.group(2)}*" if m.group(2).strip() else ""
            return f"{m.group(1)}[{m.group(2)}]({new}{_title(m.group(4))})"

        def ref(m: re.Match[str]) -> str:
            ext = posixpath.splitext(m.group(2).strip("<>"))[1].lower()
            new = local(m.group(2), prose, m.start(), ext in IMAGE_EXT)
            return m.group(0) if not new else f"{m.group(1)}{new}{m.group(3)}"

        def attr(m: re.Match[str]) -> str:
            image = m.group(1).strip().lower().startswith(("src", "poster", "data-src"))
            new = local(m.group(3), prose, m.start(), image)
            return m.group(0) if not new else f"{m.group(1)}{m.group(2)}{new}{m.group(2)}"

        return HTML_URL.sub(attr, REF_DEF.sub(ref, MD_LINK.sub(link, prose)))

    return outside_code(body, markdown)


def _title(title: str) -> str:
    """Titles in either quote style, written the one way every reader of the file knows."""
    inner = title.strip()
    if len(inner) >= 2 and inner[0] in "'(" and '"' not in inner:
        return f' "{inner[1:-1]}"'
    return f" {inner}" if inner else ""


def add_file(draft: Draft, found: Path) -> str:
    """`found` beside the story under a name no other of its files has."""
    found = found.resolve()
    for name, path in draft.files.items():
        if path == found:
            return name
    stem, ext = posixpath.splitext(_safe_name(found.name))
    name, n = stem + ext.lower(), 2
    while name in draft.files or name.endswith(".md"):
        name, n = f"{stem}-{n}{ext.lower()}", n + 1
    draft.files[name] = found
    return name


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^\w.-]+", "-", name).strip("-.") or "file"
    return cleaned[:100]


def under(base: Path, rel: str) -> Path | None:
    """`base/rel`, if it stays inside `base` (symlinks resolved) and is a file."""
    try:
        target = (base / rel.lstrip("/")).resolve()
        root = base.resolve()
    except (OSError, ValueError):
        return None
    if target != root and root not in target.parents:
        return None
    return target if target.is_file() else None


def resolver(here: Path, roots: list[Path], top: Path) -> Resolver:
    """Relative URLs from the file's folder, `/`-rooted ones from the site's static folders;
    nothing outside the old site's folder `top`."""
    def resolve(url: str) -> Path | None:
        if url.startswith("/"):
            for root in roots:
                found = under(root, url)
                if found is not None:
                    return found
            return None
        try:
            found = (here / url).resolve()
        except (OSError, ValueError):
            return None
        return found if found.is_file() and top.resolve() in found.parents else None
    return resolve
