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


def _spans(line: str) -> list[tuple[int, int]] | None:
    """The code spans of one line as CommonMark pairs backtick runs (a run opens a span closed
    by the next run of the same width), or None when a run is left without its partner (then
    the pairing could go on across lines). Linear: the next run of each width comes from a
    table built from the right, not from a scan."""
    runs = [(m.start(), m.end()) for m in TICKS_RE.finditer(line)]
    following: list[int] = [0] * len(runs)
    seen: dict[int, int] = {}
    for k in range(len(runs) - 1, -1, -1):
        width = runs[k][1] - runs[k][0]
        following[k] = seen.get(width, -1)
        seen[width] = k
    spans, i = [], 0
    while i < len(runs):
        j = following[i]
        if j < 0:
            return None
        spans.append((runs[i][0], runs[j][1]))
        i = j + 1
    return spans


def _escape_paragraph(lines: list[str]) -> list[str]:
    """A run of non-blank lines outside fences. Code spans are kept only when the whole
    paragraph pairs its backticks line by line, with no backslash before a backtick and no
    table pipe: then cmark, which pairs across a paragraph's lines, finds the same spans."""
    joined = "\n".join(lines)
    per_line = None if ("\\`" in joined or "|" in joined) else [_spans(x) for x in lines]
    if per_line is None or any(s is None for s in per_line):
        return [_escape_plain(x) for x in lines]
    out = []
    for line, spans in zip(lines, per_line):
        parts, at = [], 0
        for start, end in spans or []:
            parts += [_escape_plain(line[at:start]), line[start:end]]
            at = end
        parts.append(_escape_plain(line[at:]))
        out.append("".join(parts))
    return out


def _closing_fence(lines: list[str], start: int, mark: str) -> int | None:
    """The line that closes the fence opened at `start`: same character, at least as long,
    nothing after it but blanks (CommonMark); None when the fence is never closed."""
    for k in range(start + 1, len(lines)):
        m = FENCE_RE.match(lines[k])
        if m and m.group(2)[0] == mark[0] and len(m.group(2)) >= len(mark) and not m.group(3).strip():
            return k
    return None


def escape_html(markdown: str) -> str:
    """Raw HTML shown as text (`<` becomes `&lt;`) outside code and autolinks, and
    `javascript:`-style link targets defused, so a text cannot put markup into the story."""
    lines = BAD_URL_RE.sub(lambda m: m.group(1) + "#blocked-", markdown).split("\n")
    out: list[str] = []
    paragraph: list[str] = []
    sure = True  # false from the first fence this scanner cannot read as cmark does
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = FENCE_RE.match(line)
        if fence is None or not sure:
            if fence is None and line.strip():
                paragraph.append(line)
            else:
                out += _escape_paragraph(paragraph) + ([_escape_plain(line)] if line.strip() else [line])
                paragraph = []
            i += 1
            continue
        out += _escape_paragraph(paragraph)
        paragraph = []
        indent, mark, info = fence.groups()
        close = None if indent or (mark[0] == "`" and "`" in info) else _closing_fence(lines, i, mark)
        if close is None:  # an indented, odd or unclosed fence: everything from here is escaped
            sure = False
            continue
        out += lines[i:close + 1]
        i = close + 1
    return "\n".join(out + _escape_paragraph(paragraph))
