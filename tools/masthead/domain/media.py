"""Every image, video and sound a story body names, in every form authors write them.

`![alt](x.jpg "T")` and `![alt](x.jpg 'T')`, reference-style `![alt][ref]`, `![ref][]` and
`![ref]` with their `[ref]: x.jpg` definitions, and HTML anywhere in the text: `<img src>`,
`<img srcset>`, `<picture><source srcset>`, `<video src poster>`, `<audio src>` and their
`<source src>`. Linear in the text: no pattern can run past the next bracket, `<`, `>`,
quote or line end, so each attempt stops where the next one starts (2 MB of `![` is read in
milliseconds; tests/core/attacks.yml).
"""

from __future__ import annotations

import html
import re

INLINE_RE = re.compile(
    r"""!\[[^\[\]\n]*\]\(\s*(?:<([^<>\n]+)>|([^)\s<>\[\]]+))(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?\s*\)""")
REF_USE_RE = re.compile(r"!\[([^\[\]\n]*)\](?:\[([^\[\]\n]*)\])?(?![(\[:])")
REF_DEF_RE = re.compile(r"""^ {0,3}\[([^\[\]\n]+)\]:[ \t]*(?:<([^<>\n]+)>|(\S+))""", re.M)
TAG_RE = re.compile(r"<(img|source|video|audio)\b([^<>]*)>", re.I)
ATTR_RE = re.compile(r"""\b(src|srcset|poster)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>=`]+))""", re.I)
# What the sanitiser keeps of the media elements authors write (site/markdown.py): sources
# and sizes, the reader's controls; never autoplay (a page that starts sound uninvited).
MEDIA_ATTRIBUTES = {
    "picture": set(),
    "source": {"src", "srcset", "type", "media", "sizes", "width", "height"},
    "video": {"src", "poster", "controls", "width", "height", "preload", "loop", "muted", "playsinline"},
    "audio": {"src", "controls", "preload", "loop"},
}


def _label(text: str) -> str:
    """A reference label as CommonMark matches it: case and runs of spaces do not count."""
    return " ".join(text.split()).casefold()


def _srcset(value: str) -> list[str]:
    """The URLs of a `srcset` (`a.jpg 1x, b.jpg 2x` or `a.jpg 480w, ...`)."""
    return [part.split()[0] for part in value.split(",") if part.split()]


def find_media(text: str) -> list[tuple[str, int]]:
    """Each local or remote file the text names, with the offset where it is named, in order."""
    found: list[tuple[str, int]] = []
    if "![" in text:
        for m in INLINE_RE.finditer(text):
            found.append((m.group(1) or m.group(2), m.start()))
        if "]:" in text:
            defs: dict[str, str] = {}
            for d in REF_DEF_RE.finditer(text):
                defs.setdefault(_label(d.group(1)), d.group(2) or d.group(3))
            for u in REF_USE_RE.finditer(text):
                target = defs.get(_label(u.group(2) or u.group(1)))
                if target:
                    found.append((target, u.start()))
    if "<" in text:
        for tag in TAG_RE.finditer(text):
            for a in ATTR_RE.finditer(tag.group(2)):
                value = html.unescape(a.group(2) if a.group(2) is not None else
                                      a.group(3) if a.group(3) is not None else a.group(4))
                refs = _srcset(value) if a.group(1).lower() == "srcset" else [value.strip()]
                found.extend((ref, tag.start()) for ref in refs if ref)
    found.sort(key=lambda item: item[1])
    return found
