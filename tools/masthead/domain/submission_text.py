"""The text of a submission made safe: cleaned, and with raw HTML shown as text.

Every function here is linear in its input (Principle 4): no regular expression can
backtrack over more than one line or one run between two `<`, and code is found by one pass
over the lines. A submission of 200 KB is cleaned and escaped in a few milliseconds, whatever
it holds.

The site renders Markdown with cmark-gfm (CommonMark). Raw HTML must not reach a committed
story, so every `<` becomes `&lt;` except where cmark is certain to show it as text anyway:
inside a fenced code block, inside a code span, or in an `<https://…>` autolink. Where this
module cannot be sure it reads code exactly as cmark does, it escapes: a wrong guess then
costs a visible `&lt;` in the author's code sample, never raw HTML in the story.
"""

from __future__ import annotations

import re
import unicodedata

# Arrows that reorder text on screen ("trojan source"), invisible to a reviewer.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\ufeff"
# Unicode's Cc (controls, but newline and tab), Cs (lone surrogates), and the arrows above:
# one character class, so removing them is one pass in C.
DROP_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff" + BIDI_CONTROLS + "]")
TRAILING_BLANKS_RE = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u3000]+$", re.M)
TAG_RE = re.compile(r"</?[A-Za-z!?][^<>]*>")  # as browsers read tags; stops at the next `<`

# A line that might open or close a fence (CommonMark: up to 3 spaces, then 3+ ` or ~).
FENCE_RE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
FENCE_LINE_RE = re.compile(r"^ {0,3}(?:`{3,}|~{3,}).*$", re.M)
PARAGRAPH_BREAK_RE = re.compile(r"(\n(?:[ \t]*\n)+)")
TICKS_RE = re.compile(r"`+")
# In text: an autolink, a link destination in <> that cannot be a tag, or any other `<`.
KEEP_RE = re.compile(r"(<https?://[^\s<>`]+>)|(\]\(<[^A-Za-z/!?<>\n`][^<>\n`]*>\))|<")
BAD_URL_RE = re.compile(r"(\]\(\s*<?|^[ \t]*\[[^\]\n]+\]:\s*<?)\s*(?:javascript|vbscript|data):", re.I | re.M)


def clean_text(value: str) -> str:
    """NFC, Unix line ends, no control characters, no trailing blanks at line ends."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    value = DROP_RE.sub("", unicodedata.normalize("NFC", value))
    return TRAILING_BLANKS_RE.sub("", value).strip("\n")


def clean_line(value: str) -> str:
    """One line of plain text: cleaned, tags removed, runs of blanks made one space."""
    return " ".join(TAG_RE.sub("", clean_text(value)).split())


def has_word(value: str) -> bool:
    """True when the text has at least one letter or digit (of any script)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in value)


def _escape_plain(text: str) -> str:
    return KEEP_RE.sub(lambda m: m.group(1) or m.group(2) or "&lt;", text)


def _spans(paragraph: str) -> list[tuple[int, int]] | None:
    """The code spans of a paragraph as CommonMark pairs backtick runs (a run opens a span that
    the next run of the same width closes), or None when a run has no partner on its own line.
    Linear: the next run of each width comes from a table built from the right."""
    runs = [(m.start(), m.end()) for m in TICKS_RE.finditer(paragraph)]
    following: list[int] = [0] * len(runs)
    seen: dict[int, int] = {}
    for k in range(len(runs) - 1, -1, -1):
        width = runs[k][1] - runs[k][0]
        following[k] = seen.get(width, -1)
        seen[width] = k
    spans, i = [], 0
    while i < len(runs):
        j = following[i]
        if j < 0 or paragraph.find("\n", runs[i][1], runs[j][0]) >= 0:
            return None
        spans.append((runs[i][0], runs[j][1]))
        i = j + 1
    return spans


def _url_eats_a_tick(paragraph: str) -> bool:
    """GitHub's autolinks run to the next blank: a bare URL holding a backtick would take the
    tick from a span, so such a paragraph keeps no span."""
    lower = paragraph.lower()
    if "://" not in paragraph and "www." not in lower:
        return False
    return any("`" in w and ("://" in w or "www." in w) for w in lower.split())


def _escape_paragraph(paragraph: str) -> str:
    """A paragraph (lines between blank lines) outside fences. Its code spans are kept only
    when each pairs on one line, with no backslash before a backtick, no table pipe and no URL
    around a backtick: then cmark, however it splits the lines into blocks, finds the same
    spans. Otherwise every `<` of the paragraph is escaped."""
    if "`" not in paragraph:
        return _escape_plain(paragraph)
    spans = None
    if "\\`" not in paragraph and "|" not in paragraph and not _url_eats_a_tick(paragraph):
        spans = _spans(paragraph)
    if spans is None:
        return _escape_plain(paragraph)
    parts, at = [], 0
    for start, end in spans:
        parts += [_escape_plain(paragraph[at:start]), paragraph[start:end]]
        at = end
    parts.append(_escape_plain(paragraph[at:]))
    return "".join(parts)


def _escape_text(text: str) -> str:
    """Text between fences, paragraph by paragraph (blank lines are kept as they are)."""
    pieces = PARAGRAPH_BREAK_RE.split(text)
    return "".join(p if n % 2 else _escape_paragraph(p) for n, p in enumerate(pieces))


def _closer(fences: list[re.Match[str]], start: int, mark: str) -> int | None:
    """The index of the fence line that closes the one at `start`: same character, at least
    as long, nothing after it but blanks (CommonMark); None when the fence is never closed."""
    for k in range(start + 1, len(fences)):
        m = FENCE_RE.match(fences[k].group(0))
        if m and m.group(2)[0] == mark[0] and len(m.group(2)) >= len(mark) and not m.group(3).strip():
            return k
    return None


def escape_html(markdown: str) -> str:
    """Raw HTML shown as text (`<` becomes `&lt;`) outside code and autolinks, and
    `javascript:`-style link targets defused, so a text cannot put markup into the story.

    Fenced code is kept as it is when it opens at the start of a line and is closed; from the
    first fence that is indented, odd or never closed, everything is escaped as text."""
    text = BAD_URL_RE.sub(lambda m: m.group(1) + "#blocked-", markdown)
    fences = list(FENCE_LINE_RE.finditer(text))
    out: list[str] = []
    at = k = 0
    while k < len(fences):
        line = fences[k]
        indent, mark, info = FENCE_RE.match(line.group(0)).groups()  # type: ignore[union-attr]
        close = None if indent or (mark[0] == "`" and "`" in info) else _closer(fences, k, mark)
        if close is None:
            break
        out += [_escape_text(text[at:line.start()]), text[line.start():fences[close].end()]]
        at, k = fences[close].end(), close + 1
    out.append(_escape_text(text[at:]))
    return "".join(out)
