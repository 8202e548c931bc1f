"""What every body conversion shares: where an offset is in the source (for the report), a
fence-aware walk over lines, and the small Markdown pieces conversions write."""

from __future__ import annotations

import html
import re
import shlex
from urllib.parse import quote
from dataclasses import dataclass, field
from typing import Any, Callable

from .report import Report

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
STORY = "masthead-story:"  # a link to another story, until its new file is known


@dataclass
class Context:
    """One body being converted: its source and first line, the report, and look-ups."""

    source: str
    line: int
    report: Report
    params: dict[str, Any] = field(default_factory=dict)  # the page's and the site's parameters
    find: Callable[[str], str | None] = lambda ref: None  # an old path or name -> a draft key
    original: str = ""  # the body as read, to find lines in

    def line_at(self, text: str, offset: int) -> int:
        """The source line of `text[offset]`, found through the original body where it can be."""
        for size in (40, 20, 8):  # the text may have changed after the snippet: try shorter ones
            snippet = text[offset: offset + size]
            at = self.original.find(snippet) if snippet.strip() and self.original else -1
            if at != -1:
                return self.line + self.original.count("\n", 0, at)
        return self.line + text.count("\n", 0, offset)

    def converted(self, text: str, offset: int, what: str, detail: str = "") -> None:
        self.report.converted(self.source, self.line_at(text, offset), what, detail)

    def guessed(self, text: str, offset: int, what: str, detail: str = "") -> None:
        self.report.guessed(self.source, self.line_at(text, offset), what, detail)

    def missed(self, text: str, offset: int, what: str, detail: str = "") -> None:
        self.report.missed(self.source, self.line_at(text, offset), what, detail)


def outside_code(text: str, change: Callable[[str], str]) -> str:
    """Apply `change` to the text between fenced code blocks, leaving the blocks as they are."""
    out: list[str] = []
    prose: list[str] = []
    fence = ""
    for line in text.split("\n"):
        m = FENCE.match(line)
        if fence:
            out.append(line)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not line.strip()[len(m.group(1)):]:
                fence = ""
        elif m:
            out.append(change("\n".join(prose))) if prose else None
            prose = []
            out.append(line)
            fence = m.group(1)
        else:
            prose.append(line)
    if prose:
        out.append(change("\n".join(prose)))
    return "\n".join(out)


def arguments(text: str) -> tuple[list[str], dict[str, str]]:
    """Shortcode arguments: positional words and `name="value"` pairs, quoted either way."""
    try:
        words = shlex.split(text.replace("\n", " "), posix=True)
    except ValueError:
        words = text.split()
    positional: list[str] = []
    named: dict[str, str] = {}
    for word in words:
        key, eq, value = word.partition("=")
        if eq and re.fullmatch(r"[A-Za-z_][\w-]*", key):
            named[key] = value
        else:
            positional.append(word)
    return positional, named


def fenced(code: str, lang: str = "") -> str:
    """A fenced code block long enough to hold any backticks in `code`."""
    longest = max((len(m) for m in re.findall(r"`{3,}", code)), default=2)
    ticks = "`" * (longest + 1)
    return f"\n{ticks}{lang}\n{code.strip(chr(10))}\n{ticks}\n"


def video_link(host: str, video: str, title: str = "", as_html: bool = False) -> str:
    """A video as its privacy-preserving embed (youtube-nocookie.com, player.vimeo.com), an
    HTML block the site shows as a click-to-load placeholder (site/embeds.py), the same as a
    frame written by hand: nothing is loaded from the host until the reader asks. `as_html`
    is kept for callers; the block is HTML either way."""
    url = {"youtube": f"https://www.youtube-nocookie.com/embed/{quote(video, safe='-_')}",
           "vimeo": f"https://player.vimeo.com/video/{quote(video, safe='')}"}[host]
    label = title or ("Watch the video on YouTube" if host == "youtube" else "Watch the video on Vimeo")
    return f'\n\n<iframe src="{html.escape(url)}" title="{html.escape(label)}"></iframe>\n\n'



def escape_label(text: str) -> str:
    return re.sub(r"([\[\]\\])", r"\\\1", text)


def image(src: str, alt: str, title: str = "", caption: str = "", link: str = "") -> str:
    tail = f' "{title}"' if title and '"' not in title else ""
    md = f"![{escape_label(alt)}]({src}{tail})"
    if link:
        md = f"[{md}]({link})"
    return f"\n\n{md}\n\n" + (f"*{caption.strip()}*\n\n" if caption.strip() else "")
