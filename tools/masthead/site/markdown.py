"""Story bodies to safe HTML.

Bodies are GitHub Flavored Markdown rendered by cmark-gfm, GitHub's own renderer: what an
editor previews in a pull request is what readers get, and it renders a story about 40x faster
than Python-Markdown on this machine (0.2 ms against 8-10 ms for a 1,100-word story), which is
what makes a 10,000-story build fit in Hugo's time. MkDocs-style `!!! kind "title"` blocks and
GitHub's `> [!NOTE]` alerts both become admonitions (site/alerts.py); `<iframe>` embeds become
click-to-load placeholders (site/embeds.py).
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Callable

import nh3
from cmarkgfm.cmark import Options

from masthead.sources.frontmatter import strip_controls
from masthead.sources.links import story_target

from .alerts import render_alerts
from masthead.domain.media import MEDIA_ATTRIBUTES

from .cmark import to_html
from .embeds import Say, english, put_frames, take_frames
from .highlight import highlight_blocks

OPTIONS = Options.CMARK_OPT_FOOTNOTES | Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_GITHUB_PRE_LANG
ADMONITION_RE = re.compile(r'^!!!\s+([A-Za-z][\w-]*)(?:\s+"(.*)")?\s*$')
FENCE_RE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
HEADING_RE = re.compile(r"<h([1-6])((?:\s[^>]*)?)>(.*?)</h\1>", re.S)
ID_RE = re.compile(r'\sid="([^"]*)"')
FOOTNOTE_ID_RE = re.compile(r"^fn(ref)?-[\w-]+$")
TAG_RE = re.compile(r"<[^>]+>")
MD_HREF_RE = re.compile(r'href="([^"#:]+\.md)(#[^"]*)?"')
RELATIVE_RE = re.compile(r'(href|src)="(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)([^"]*)"')

TAGS = set(nh3.ALLOWED_TAGS) | {"section", "input"}
ATTRIBUTES = {
    "*": {"class", "lang", "dir", "title"},
    "a": {"href", "id", "data-footnote-ref", "data-footnote-backref", "data-footnote-backref-idx", "aria-label", "rel"},
    "img": {"src", "alt", "width", "height", "loading"},
    "li": {"id"}, "td": {"align"}, "th": {"align"},
    "input": {"type", "checked", "disabled"},
    "section": {"data-footnotes"},
    "ol": {"start"}, "code": set(), "pre": {"lang"},
    **MEDIA_ATTRIBUTES,  # <picture>, <video>, <audio> and their <source> (docs/images.md)
}
TAGS |= MEDIA_ATTRIBUTES.keys()


def _only_footnote_ids(tag: str, name: str, value: str) -> str | None:
    """`id` is kept only where cmark puts it (footnotes: `fn-1`, `fnref-1`); heading ids are
    added after cleaning, so no id of the author's can shadow one of the page's."""
    return value if name != "id" or FOOTNOTE_ID_RE.match(value) else None


# Elements removed with everything inside them: what they hold is code, styling, a frame's
# fallback or a form control, never prose to show as text (cmark-gfm's tagfilter, which used
# to escape some of them into visible `<script>` text, is off: the cleaner is the filter).
DROPPED = {"script", "style", "noscript", "iframe", "textarea", "title", "xmp", "noembed", "noframes",
           "plaintext", "template", "object", "embed", "applet", "select", "frameset", "frame", "head", "svg",
           "form", "button"}
CLEANER = nh3.Cleaner(tags=TAGS, clean_content_tags=DROPPED, attributes=ATTRIBUTES, link_rel=None,
                      attribute_filter=_only_footnote_ids, url_schemes={"http", "https", "mailto"},
                      strip_comments=True)

Titles = Callable[[str], str]


def expand_admonitions(text: str, title_of: Titles) -> str:
    """`!!! kind "title"` + an indented block -> an HTML block cmark parses inside."""
    if "!!!" not in text:
        return text
    out: list[str] = []
    lines = text.split("\n")
    fence: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = FENCE_RE.match(line)
        if m:
            fence = None if fence and m.group(1).startswith(fence) else (fence or m.group(1)[:3])
        hit = None if fence else ADMONITION_RE.match(line)
        if not hit:
            out.append(line)
            i += 1
            continue
        kind = hit.group(1).lower()
        title = hit.group(2) if hit.group(2) is not None else title_of(kind)
        block: list[str] = []
        i += 1
        while i < len(lines) and (lines[i].startswith("    ") or lines[i].startswith("\t") or not lines[i].strip()):
            block.append(lines[i][4:] if lines[i].startswith("    ") else lines[i].lstrip("\t"))
            i += 1
        head = f'<div class="admonition {html.escape(kind)}">'
        if title:
            head += f'\n<p class="admonition-title">{html.escape(title)}</p>'
        out += [head, "", *block, "", "</div>", ""]
    return "\n".join(out)


def heading_id(text: str) -> str:
    """A heading's id as GitHub makes it: lower case; letters, marks and digits of every
    script kept, with `-` and `_`; other punctuation dropped; each space (a non-breaking
    one too) a hyphen."""
    out = []
    for ch in text.strip().lower():
        if ch in " \u00a0\t":
            out.append("-")
        elif ch in "-_" or unicodedata.category(ch)[0] in "LMN":
            out.append(ch)
    return "".join(out)


def add_heading_ids(body: str) -> str:
    """An id on every heading that has none, H1 included, unique on the page: a repeated one
    gets `-1`, `-2`, ... as on GitHub (ids already on the page, footnotes' among them, count)."""
    seen = set(ID_RE.findall(body)) if ' id="' in body else set()

    def named(m: re.Match[str]) -> str:
        level, attrs, inner = m.group(1), m.group(2), m.group(3)
        if ID_RE.search(attrs):
            return m.group(0)
        base = heading_id(html.unescape(TAG_RE.sub("", inner))) or "section"
        ident, n = base, 0
        while ident in seen:
            n += 1
            ident = f"{base}-{n}"
        seen.add(ident)
        return f'<h{level}{attrs} id="{html.escape(ident)}">{inner}</h{level}>'

    return HEADING_RE.sub(named, body)


def render_markdown(text: str, *, trusted: bool = False, title_of: Titles = str.capitalize,
                    embeds: tuple[str, ...] = (), say: Say = english) -> str:
    """Markdown to HTML; untrusted HTML is always sanitised (no script, no on*=, no
    javascript:), whatever the text looks like: there is no fast path around the cleaner.
    `embeds` are the hosts whose frames may be loaded on a click; `say` translates."""
    rendered = to_html(expand_admonitions(strip_controls(text), title_of), OPTIONS)
    rendered, frames = take_frames(rendered, embeds)
    if not trusted:
        rendered = CLEANER.clean(rendered).replace("<p></p>", "")  # a paragraph that held only removed elements
    rendered = highlight_blocks(rendered)  # after the cleaner: Pygments escapes what it writes
    rendered = render_alerts(rendered, title_of)
    return add_heading_ids(put_frames(rendered, frames, say))


def rewrite_story_links(body: str, source_dir: str, resolve: Callable[[str], str | None], root: str) -> str:
    """Links to other stories' files (`../culture/x.md`) become their addresses."""
    if ".md" not in body:
        return body

    def swap(m: re.Match[str]) -> str:
        path = story_target(source_dir, html.unescape(m.group(1)))
        target = resolve(path)
        return m.group(0) if target is None else f'href="{root}{target}{m.group(2) or ""}"'

    return MD_HREF_RE.sub(swap, body)


def absolutize(body: str, base: str) -> str:
    """Relative links and images made absolute against `base` (for feeds)."""
    return RELATIVE_RE.sub(lambda m: f'{m.group(1)}="{base}{m.group(2)}"', body)
