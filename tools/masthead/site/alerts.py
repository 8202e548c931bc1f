"""GitHub's alerts (`> [!NOTE]`, TIP, IMPORTANT, WARNING, CAUTION) as admonitions.

Runs on the cleaned HTML, so the markup added here (a role and a title) is ours alone and no
author's attribute needs allowing in the sanitiser. GitHub ignores text after the marker; we
take it as a custom title (`> [!WARNING] Road closed`), as the Markdown of several static
site generators does, and fall back to the translated name of the kind.
"""

from __future__ import annotations

import html
import re
from typing import Callable

KINDS = ("NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION")
# the first paragraph of a blockquote opening with a marker; the title runs to the line's end
ALERT_RE = re.compile(r"<blockquote>\s*<p>\[!(" + "|".join(KINDS) + r")\][ \t]*([^\n<]*(?:<(?!br|/p)[^>]*>[^\n<]*)*)"
                      r"(<br\s*/?>\n?|\n|</p>)", re.I)

Titles = Callable[[str], str]


def render_alerts(body: str, title_of: Titles) -> str:
    """Blockquotes opening with `[!KIND]` become `<blockquote class="admonition kind" role="note">`
    with a title paragraph: the custom one when the marker's line has text, else the kind's."""
    if "[!" not in body:
        return body
    return ALERT_RE.sub(lambda m: _alert(m, title_of), body)


def _alert(m: re.Match[str], title_of: Titles) -> str:
    kind = m.group(1).lower()
    custom = m.group(2).strip()
    title = custom or html.escape(title_of(kind))  # the custom one is cleaned HTML already
    head = f'<blockquote class="admonition {kind}" role="note">\n<p class="admonition-title">{title}</p>\n'
    return head if m.group(3) == "</p>" else head + "<p>"
