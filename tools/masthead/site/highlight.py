"""Fenced code highlighted at build time: the one module that talks to Pygments.

cmark-gfm writes a fence as `<pre lang="rust"><code>...</code></pre>`; the body is then
cleaned (`markdown.CLEANER`), and only after that does `highlight_blocks` look at it. The
language moves to `class="language-rust"` on the `<code>` (as Hugo and highlight.js mark it);
`lang` is dropped, since it names a human language to browsers and screen readers. It takes
only blocks whose code is plain escaped text (no tag inside: anything an author smuggled in
was either removed by the cleaner or makes the block stay as it is), unescapes the text and
hands it to Pygments, which escapes every character it writes back. What comes out is spans
with Pygments' short class names (`k`, `s2`, ...) and nothing else, so highlighting adds no
way around the cleaner. The colours are two styles of ours (`LightStyle`, `DarkStyle`) whose
every token colour meets WCAG AA (4.5:1) on the theme's code background; `stylesheet()`
writes them as `theme/assets/code.css`, which a test keeps in step.

A block already highlighted (same language, same text) is not highlighted again: blocks are
kept by digest in memory for the build, and in the build state (table `highlight`) between
builds, valid while masthead's code and Pygments' version are the same.
"""

from __future__ import annotations

import hashlib
import html
import multiprocessing
import re
import time
from pathlib import Path

from pygments import highlight as pygmentize
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.style import Style
from pygments.token import (Comment, Error, Generic, Keyword, Name, Number, Operator, Punctuation, String,
                            Text, Token)
from pygments.util import ClassNotFound

from masthead import state

TABLE = "highlight"
BLOCK_RE = re.compile(r'<pre lang="([^"<>]*)"><code>([^<]*)</code></pre>')
LANG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_+#.-]{0,39}$")
LIGHT_BACKGROUND = "#f1eee7"  # --surface of site.css, light
DARK_BACKGROUND = "#1f1e1c"  # --surface of site.css, dark


class LightStyle(Style):
    """On the light code background; contrast of each colour in tests/core/test_highlight.py."""

    background_color = LIGHT_BACKGROUND
    styles = {
        Token: "#1c1b19", Text: "#1c1b19", Comment: "italic #5a564f", Comment.Preproc: "noitalic #6a3c9f",
        Keyword: "bold #8c1530", Keyword.Type: "nobold #6a3c9f", Operator.Word: "bold #8c1530",
        Name.Builtin: "#0b5a5a", Name.Function: "#1d5ba6", Name.Class: "bold #6a3c9f",
        Name.Decorator: "#6a3c9f", Name.Tag: "#8c1530", Name.Attribute: "#8a4f00", Name.Exception: "#b0182a",
        Name.Constant: "#8a4f00", Name.Namespace: "#1d5ba6", Name.Variable: "#0b5a5a",
        String: "#1f6a35", String.Escape: "#8a4f00", String.Regex: "#8a4f00", Number: "#8a4f00",
        Operator: "#1c1b19", Punctuation: "#1c1b19", Generic.Deleted: "#b0182a", Generic.Inserted: "#1f6a35",
        Generic.Heading: "bold #1c1b19", Generic.Subheading: "bold #1d5ba6", Generic.Emph: "italic",
        Generic.Strong: "bold", Generic.Prompt: "#5a564f", Generic.Output: "#5a564f", Error: "#b0182a",
    }


class DarkStyle(Style):
    """On the dark code background; contrast of each colour in tests/core/test_highlight.py."""

    background_color = DARK_BACKGROUND
    styles = {
        Token: "#ebe7df", Text: "#ebe7df", Comment: "italic #aaa59b", Comment.Preproc: "noitalic #c6a6f2",
        Keyword: "bold #f2897f", Keyword.Type: "nobold #c6a6f2", Operator.Word: "bold #f2897f",
        Name.Builtin: "#6fd3cf", Name.Function: "#8cb9f2", Name.Class: "bold #c6a6f2",
        Name.Decorator: "#c6a6f2", Name.Tag: "#f2897f", Name.Attribute: "#eeb75e", Name.Exception: "#ff9c9c",
        Name.Constant: "#eeb75e", Name.Namespace: "#8cb9f2", Name.Variable: "#6fd3cf",
        String: "#80cf96", String.Escape: "#eeb75e", String.Regex: "#eeb75e", Number: "#eeb75e",
        Operator: "#ebe7df", Punctuation: "#ebe7df", Generic.Deleted: "#ff9c9c", Generic.Inserted: "#80cf96",
        Generic.Heading: "bold #ebe7df", Generic.Subheading: "bold #8cb9f2", Generic.Emph: "italic",
        Generic.Strong: "bold", Generic.Prompt: "#aaa59b", Generic.Output: "#aaa59b", Error: "#ff9c9c",
    }


_FORMATTER = HtmlFormatter(nowrap=True)
_LEXERS: dict[str, Lexer | None] = {}
_DONE: dict[str, str] = {}  # digest of (language, code) -> highlighted HTML, for this build
_KEPT: state.Table | None = None  # where new blocks are kept for the next build
# CPU seconds spent in Pygments, summed over this process and every process forked from it
# after this module was imported (the build's load and render workers): shared memory, so a
# worker's share is counted even though it returns nothing about it. The build reports the
# difference around itself (`cpu_seconds`), as the cost of highlighting (benchmarks/README.md).
_CPU = multiprocessing.get_context("fork").Value("d", 0.0) if "fork" in multiprocessing.get_all_start_methods() else None
_OWN_CPU = [0.0]  # where there is no fork (the count is then this process's only)


def keep_in(root: Path) -> None:
    """Keep highlighted blocks in `root`'s build state, and start from what it has (called in
    the build's parent process, so forked workers share what it read)."""
    global _KEPT
    _KEPT = state.for_root(root).table(TABLE, state.code_signature())
    _DONE.update(_KEPT.read())


def lexer_for(lang: str) -> Lexer | None:
    """Pygments' lexer for a fence's language (its name or an alias), None when unknown."""
    if lang not in _LEXERS:
        try:
            _LEXERS[lang] = get_lexer_by_name(lang.lower(), stripnl=False, ensurenl=False)
        except ClassNotFound:
            _LEXERS[lang] = None
    return _LEXERS[lang]


def _digest(lang: str, code: str) -> str:
    return hashlib.blake2b(f"{lang}\0{code}".encode(), digest_size=16).hexdigest()


def highlighted(lang: str, code: str) -> str | None:
    """`code` (plain text) as Pygments' spans; None when the language is unknown."""
    lexer = lexer_for(lang)
    if lexer is None:
        return None
    key = _digest(lang.lower(), code)
    spans = _DONE.get(key)
    if spans is None:
        started = time.process_time()
        spans = _DONE[key] = pygmentize(code, lexer, _FORMATTER)
        _count(time.process_time() - started)
        if _KEPT is not None:
            _KEPT.write({key: spans})
    return spans


def _count(seconds: float) -> None:
    if _CPU is None:
        _OWN_CPU[0] += seconds
        return
    with _CPU.get_lock():
        _CPU.value += seconds


def cpu_seconds() -> float:
    """CPU seconds spent highlighting so far, in this process and its forked workers."""
    return _OWN_CPU[0] + (_CPU.value if _CPU is not None else 0.0)


def _block(m: re.Match[str]) -> str:
    lang, escaped = html.unescape(m.group(1)), m.group(2)
    if not LANG_RE.match(lang):
        return m.group(0)
    name = html.escape(lang.lower())
    spans = highlighted(lang, html.unescape(escaped))
    if spans is None:  # unknown language: plain, still marked with its name
        return f'<pre><code class="language-{name}">{escaped}</code></pre>'
    return f'<pre class="highlight"><code class="language-{name}">{spans}</code></pre>'


def highlight_blocks(body: str) -> str:
    """Every fenced block of a cleaned body with a language, highlighted (see the docstring)."""
    if "<pre lang=" not in body:
        return body
    return BLOCK_RE.sub(_block, body)


def stylesheet() -> str:
    """The CSS of both styles: the light one by default, the dark one where the theme is dark
    (chosen with the toggle, or the system's when nothing was chosen), as site.css does."""
    light = HtmlFormatter(style=LightStyle).get_style_defs(".highlight")
    dark = HtmlFormatter(style=DarkStyle).get_style_defs(':root[data-theme="dark"] .highlight')
    system = HtmlFormatter(style=DarkStyle).get_style_defs(':root:not([data-theme="light"]) .highlight')
    head = ("/* Code colours, written by masthead.site.highlight.stylesheet() from its two Pygments styles:\n"
            "   edit the styles there, then `python -m masthead.site.highlight > theme/assets/code.css`. */\n")
    body = "\n".join(line for line in light.splitlines() if not _frame(line))
    dark_rules = "\n".join(line for line in dark.splitlines() if not _frame(line))
    system_rules = "\n".join("  " + line for line in system.splitlines() if not _frame(line))
    return (f"{head}{body}\n{dark_rules}\n@media (prefers-color-scheme: dark) {{\n{system_rules}\n}}\n"
            ".highlight { background: var(--surface); }\n")


def _frame(line: str) -> bool:
    """Rules of Pygments' own that the theme sets itself (line numbers, the background)."""
    return "linenos" in line or line.startswith("pre {") or " .hll " in line


if __name__ == "__main__":
    print(stylesheet(), end="")
