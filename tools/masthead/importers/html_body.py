"""HTML bodies (WordPress, Ghost) made ready for masthead: kept as HTML, which the site
sanitises, in blocks cmark leaves alone; images taken out as Markdown images, so the build
checks and copies them like any other; editor comments removed."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Callable

from .body import Context, escape_label, video_link
from .files import under

BLOCK_TAGS = ("address|article|aside|blockquote|details|div|dl|figure|footer|form|h[1-6]|header|hr|li|main|nav|"
              "ol|p|pre|section|table|ul|video|audio|iframe|figcaption|summary|tbody|thead|tr|td|th|dd|dt|style|script")
BLOCK_START = re.compile(rf"^\s*<(?:/?(?:{BLOCK_TAGS})\b|!--)", re.I)
IMG = re.compile(r"<img\b[^>]*>", re.I)
FIGURE = re.compile(r"<figure\b[^>]*>(.*?)</figure>", re.I | re.S)
LONE_IMAGE = re.compile(r"<p\b[^>]*>\s*(?:<a\b[^>]*>\s*)?(<img\b[^>]*>)\s*(?:</a>\s*)?</p>", re.I | re.S)
CAPTION = re.compile(r"<figcaption\b[^>]*>(.*?)</figcaption>", re.I | re.S)
COMMENT = re.compile(r"<!--.*?-->", re.S)
PRE = re.compile(r"<pre\b.*?</pre>|\x01.*?\x02", re.I | re.S)  # \x01...\x02: Markdown kept as it is


def attribute(tag: str, name: str) -> str:
    m = re.search(rf"\b{name}\s*=\s*(\"([^\"]*)\"|'([^']*)'|([^\s>]+))", tag, re.I)
    return html.unescape(next(g for g in m.groups()[1:] if g is not None)) if m else ""


def image_block(tag: str, caption: str, src_of: Callable[[str], str]) -> str:
    """An `<img>` (with its caption) as a Markdown image paragraph."""
    src = src_of(attribute(tag, "src"))
    alt = attribute(tag, "alt")
    text = re.sub(r"<[^>]+>", "", caption).strip()
    return f"\n\n![{escape_label(alt)}](<{src}>)\n\n" + (f"*{html.unescape(text)}*\n\n" if text else "")


def markdown_card(text: str) -> str:
    """A Markdown card of a Ghost document: left as Markdown, not wrapped as HTML."""
    return "\n\n\x01" + text.replace("\x01", "").replace("\x02", "").strip("\n") + "\x02\n\n"


def prepare(body: str, ctx: Context, src_of: Callable[[str], str]) -> str:
    """The body as HTML blocks, images as Markdown images, comments gone, paragraphs wrapped."""
    body = COMMENT.sub("", body.replace("\r\n", "\n"))

    def figure(m: re.Match[str]) -> str:
        imgs = IMG.findall(m.group(1))
        if len(imgs) != 1:
            return m.group(0)
        cap = CAPTION.search(m.group(1))
        ctx.converted(body, m.start(), "figure", "a Markdown image with its caption")
        return image_block(imgs[0], cap.group(1) if cap else "", src_of)

    body = FIGURE.sub(figure, body)
    body = _embeds(body, ctx)
    body = LONE_IMAGE.sub(lambda m: image_block(m.group(1), "", src_of), body)
    return autop(body, src_of)


SCRIPT = re.compile(r"<(script|style|noscript|object|embed|form)\b.*?(?:</\1\s*>|/>)", re.I | re.S)
IFRAME = re.compile(r"<iframe\b[^>]*>.*?</iframe\s*>|<iframe\b[^>]*/?>", re.I | re.S)
EMBED_VIDEO = re.compile(r"(?:youtube(?:-nocookie)?\.com/embed/|youtu\.be/)([\w-]+)|player\.vimeo\.com/video/(\d+)")


def _embeds(body: str, ctx: Context) -> str:
    """Scripts, styles and forms go (they never ran on a story page); an embedded frame becomes a
    link to what it showed, so nothing loads from another host until the reader asks."""
    def script(m: re.Match[str]) -> str:
        ctx.missed(body, m.start(), f"<{m.group(1).lower()}>", "removed: masthead pages run no code from stories")
        return ""

    def frame(m: re.Match[str]) -> str:
        src = attribute(m.group(0), "src")
        video = EMBED_VIDEO.search(src)
        if video:
            ctx.converted(body, m.start(), "<iframe>", "the video's privacy-preserving embed")
            return video_link("youtube" if video.group(1) else "vimeo", video.group(1) or video.group(2), as_html=True)
        if not src.startswith("https://"):
            ctx.missed(body, m.start(), "<iframe>", "removed: not an https:// address")
            return ""
        ctx.converted(body, m.start(), "<iframe>", "kept: shown as a click-to-load placeholder if its host is "
                      "in 'embeds' (site_config/magazine.yml), else as a link")
        return f"\n\n{m.group(0)}\n\n"

    return IFRAME.sub(frame, SCRIPT.sub(script, body))


def local_links(body: str, src_of: Callable[[str], str], media: Path | None) -> str:
    """Links to uploaded files (a PDF, a zip) pointed at the copy in `--media`, which the
    import then puts beside the story; links to files that are not there stay as they were."""
    if media is None:
        return body

    def one(m: re.Match[str]) -> str:
        url = html.unescape(m.group(2))
        rel = src_of(url)
        return f'{m.group(1)}"{html.escape(rel)}"' if rel != url and under(media, rel) is not None else m.group(0)

    return re.sub(r"(<a\b[^>]*?\bhref\s*=\s*)\"([^\"]*)\"", one, body, flags=re.I)


def autop(body: str, src_of: Callable[[str], str]) -> str:
    """WordPress stores paragraphs as blank-line separated text (its `wpautop` adds the `<p>`s
    when showing them): each chunk not opening with a block tag is wrapped in `<p>`, so that
    cmark reads all of it as HTML, not as Markdown. Preformatted blocks are kept whole."""
    kept: list[str] = []

    def keep(m: re.Match[str]) -> str:
        kept.append(m.group(0))
        return f"\x00PRE{len(kept) - 1}\x00"

    body = PRE.sub(keep, body)
    out = []
    for chunk in re.split(r"\n\s*\n", body):
        chunk = chunk.strip()
        if not chunk:
            continue
        if chunk.startswith("![") or chunk.startswith("*") and chunk.endswith("*") or chunk.startswith("\x00PRE"):
            out.append(chunk)
        elif BLOCK_START.match(chunk):
            out.append(chunk)
        else:
            images = IMG.findall(chunk)
            if images and not IMG.sub("", chunk).strip():
                out.append("\n\n".join(image_block(i, "", src_of).strip() for i in images))
            else:
                out.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    text = "\n\n".join(out)
    return re.sub("\x00PRE(\\d+)\x00", lambda m: kept[int(m.group(1))].strip("\x01\x02"), text)
