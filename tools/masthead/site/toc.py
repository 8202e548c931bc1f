"""A story page's headings: a visible anchor link on each, and a table of contents on long ones.

The ids are GitHub's (`markdown.add_heading_ids`, made when the body is rendered); this runs
when the story's page is written, not for feeds, where a `#` link beside each heading would
be noise. Each heading ends with a link to itself whose accessible name says what it is
("Link to this section: The river", in the page's language, its `aria-label`), drawn as a
`#` by CSS: the link holds no text, so neither the heading's text in Pagefind's results nor
a copied heading carries a stray `#`. A body with more than
`toc_headings` headings (H2 to H4; `site_config/magazine.yml`, default 3) starts with a
table of contents: a `<details>` whose `<summary>` is "Contents", closed on small screens
(a tap opens it) and shown open on wide ones by CSS alone (`::details-content`; a browser
without it shows the closed `<details>`, which still opens): `theme/assets/toc.css`.
"""

from __future__ import annotations

import html
import re
from typing import Any, Callable

HEADING_RE = re.compile(r'<h([1-6])((?:\s[^>]*)?) id="([^"]*)"((?:\s[^>]*)?)>(.*?)</h\1>', re.S)
TAG_RE = re.compile(r"<[^>]+>")
LISTED = ("2", "3", "4")  # the levels a table of contents shows
DEFAULT_HEADINGS = 3

Translate = Callable[..., Any]


def _text(inner: str) -> str:
    return " ".join(html.unescape(TAG_RE.sub("", inner)).split())


def add_anchors(body: str, t: Translate) -> tuple[str, list[tuple[int, str, str]]]:
    """Each heading with an id gets its anchor link; the headings found: (level, id, text)."""
    found: list[tuple[int, str, str]] = []

    def dress(m: re.Match[str]) -> str:
        level, before, ident, after, inner = m.groups()
        text = _text(inner)
        found.append((int(level), html.unescape(ident), text))
        label = html.escape(str(t("toc.anchor_label", title=text)))
        link = f' <a class="heading-anchor" href="#{ident}" aria-label="{label}" data-pagefind-ignore></a>'

        return f'<h{level}{before} id="{ident}"{after}>{inner}{link}</h{level}>'

    return HEADING_RE.sub(dress, body), found


def contents(headings: list[tuple[int, str, str]], t: Translate) -> str:
    """The table of contents of `headings` (nested lists, by level)."""
    listed = [h for h in headings if str(h[0]) in LISTED]
    if not listed:
        return ""
    top = min(level for level, _, _ in listed)
    out = [f'<details class="toc" data-pagefind-ignore><summary class="toc-title">{html.escape(str(t("toc.heading")))}</summary>',
           f'<nav class="toc-nav" aria-label="{html.escape(str(t("toc.heading")))}">', "<ol>"]
    depth = top
    first = True
    for level, ident, text in listed:
        level = min(max(level, top), depth + 1)  # an H4 right under an H2 is one level down
        while depth < level:
            out.append("<ol>")
            depth += 1
        while depth > level:
            out.append("</li></ol>")
            depth -= 1
        if not first and out[-1] != "<ol>":
            out.append("</li>")
        out.append(f'<li><a href="#{html.escape(ident)}">{html.escape(text)}</a>')
        first = False
    while depth > top:
        out.append("</li></ol>")
        depth -= 1
    out += ["</li></ol>", "</nav>", "</details>"]
    return "\n".join(out)


def dress_story(body: str, t: Translate, toc_headings: int = DEFAULT_HEADINGS) -> str:
    """The body of a story's page: anchors on its headings, and its contents when it has more
    than `toc_headings` of them (levels 2 to 4)."""
    if "<h" not in body:
        return body
    body, headings = add_anchors(body, t)
    if sum(1 for level, _, _ in headings if str(level) in LISTED) > toc_headings:
        body = contents(headings, t) + "\n" + body
    return body
