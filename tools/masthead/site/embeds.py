"""`<iframe>` embeds as click-to-load placeholders: nothing is requested from another host
until the reader asks.

A frame whose address is on the allow-list (`embeds` in site_config/magazine.yml) becomes a
link to its address and a button "Load content from {host}"; `theme/assets/embeds.js` swaps the
frame in on a click. Without JavaScript the button stays hidden and the link is the way to the
content. A frame from any other host becomes the link alone; one that is not an http(s) address
is dropped. Frames are taken out before the sanitiser runs (which would drop them) and put back,
as markup made here, after it: nothing of the author's markup but the address and the title
survives, both escaped.
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

IFRAME_RE = re.compile(r"<iframe\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>(?:.*?</iframe\s*>)?", re.I | re.S)
ATTR_RE = re.compile(r"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+))")
TOKEN = "\ue000masthead-embed-{}\ue001"
TOKEN_RE = re.compile("(<p>)?\ue000masthead-embed-(\\d+)\ue001(</p>)?")
TAG_RE = re.compile(r"<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
DEFAULT_HOSTS = ("www.youtube-nocookie.com", "player.vimeo.com", "www.openstreetmap.org")

Say = Callable[..., str]


@dataclass(frozen=True)
class Embed:
    src: str  # an https:// address
    host: str
    title: str
    allowed: bool


def english(key: str, **values: str) -> str:
    """The strings in English, for callers without a translator (tests, tools)."""
    text = {"embed.load": "Load content from {host}", "embed.open": "Open on {host}"}.get(key, key)
    return text.format(**values)


YOUTUBE_RE = re.compile(r"^https://(?:www\.)?youtube(?:-nocookie)?\.com/embed/([\w-]+)")
VIMEO_RE = re.compile(r"^https://player\.vimeo\.com/video/(\d+)")


def source_page(src: str) -> str:
    """Where a reader without the frame goes: a video's own page for the two video hosts, the
    frame's address for any other."""
    if m := YOUTUBE_RE.match(src):
        return f"https://www.youtube.com/watch?v={m.group(1)}"
    if m := VIMEO_RE.match(src):
        return f"https://vimeo.com/{m.group(1)}"
    return src


def allowed_host(host: str, hosts: tuple[str, ...]) -> bool:
    """`host` is on the list, or below a listed name (`player.vimeo.com` under `vimeo.com`)."""
    return any(host == h or host.endswith("." + h) for h in hosts)


def _attributes(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in ATTR_RE.finditer(raw):
        out.setdefault(m.group(1).lower(), html.unescape(next(g for g in m.groups()[1:] if g is not None)))
    return out


def parse_frame(raw: str, hosts: tuple[str, ...]) -> Embed | None:
    """The frame's address, if it is one a reader may follow (http or https), and its title."""
    attrs = _attributes(raw)
    src = "".join(attrs.get("src", "").split())  # browsers ignore whitespace inside an address
    if src.startswith("//"):
        src = "https:" + src
    try:
        parts = urlsplit(src)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    src = "https" + src[len(parts.scheme):]  # the frame is loaded over https or not at all
    return Embed(src, host, attrs.get("title", "").strip(), allowed_host(host, hosts))


def take_frames(body: str, hosts: tuple[str, ...]) -> tuple[str, list[Embed | None]]:
    """The body with each frame replaced by a token the sanitiser keeps, and the frames."""
    if "<iframe" not in body.lower():
        return body, []
    frames: list[Embed | None] = []

    def take(m: re.Match[str]) -> str:
        frames.append(parse_frame(m.group(1), hosts))
        return TOKEN.format(len(frames) - 1)

    return IFRAME_RE.sub(take, body), frames


def placeholder(embed: Embed, say: Say, block: bool) -> str:
    """The link (and, for an allowed host, the hidden load button) standing for a frame."""
    tag = "div" if block else "span"
    src, host = html.escape(embed.src), html.escape(embed.host)
    label = html.escape(embed.title) if embed.title else html.escape(say("embed.open", host=embed.host))
    link = f'<a class="embed-link" href="{html.escape(source_page(embed.src))}" rel="noopener noreferrer">{label}</a>'
    if not embed.allowed:
        return f'<{tag} class="embed embed-external">{link}</{tag}>'
    title = f' data-embed-title="{html.escape(embed.title)}"' if embed.title else ""
    button = (f'<button type="button" class="embed-load" hidden>'
              f'{html.escape(say("embed.load", host=embed.host))}</button>')
    return (f'<{tag} class="embed" data-embed-src="{src}" data-embed-host="{host}"{title}>'
            f'{link} {button}</{tag}>')


BUTTON_RE = re.compile(r' ?<button type="button" class="embed-load" hidden>[^<]*</button>')


def without_buttons(body: str) -> str:
    """The body for a feed: feed readers run no script, so the placeholders keep their link only."""
    return BUTTON_RE.sub("", body) if "embed-load" in body else body


def put_frames(body: str, frames: list[Embed | None], say: Say) -> str:
    """Tokens back as placeholders; a frame alone in its paragraph gets a block of its own."""
    if not frames:
        return body

    tags = [(m.start(), m.end()) for m in TAG_RE.finditer(body)]
    starts = [start for start, _ in tags]

    def in_tag(at: int) -> bool:
        i = bisect.bisect_right(starts, at) - 1
        return i >= 0 and tags[i][0] < at < tags[i][1]

    def put(m: re.Match[str]) -> str:
        at = m.start(2) - len("\ue000masthead-embed-")
        if in_tag(at):  # a token inside an attribute's value (a title quoting a frame): text, no markup
            return (m.group(1) or "") + (m.group(3) or "")
        n = int(m.group(2))
        embed = frames[n] if n < len(frames) else None
        whole = bool(m.group(1) and m.group(3))
        if embed is None:
            return "" if whole else (m.group(1) or "") + (m.group(3) or "")
        alone = body[m.start() - 1:m.start()] in ("", "\n") and body[m.end():m.end() + 1] in ("", "\n")
        made = placeholder(embed, say, block=whole or alone)
        return made if whole else (m.group(1) or "") + made + (m.group(3) or "")

    return TOKEN_RE.sub(put, body)
