"""Typography per language: curly quotes and apostrophes, French spaces, Slavic one-letter words.

Pure text rules, in one pass over the text, for story titles and summaries (`typeset_text`) and
for a rendered body (`typeset_html`: text nodes only; never inside code, pre, kbd, samp, script,
style or textarea, never in a tag, an attribute or a URL). The rules are in docs/theme.md.

Straight quotes are what authors type; the direction of each is read from its neighbours: one
after a space, an opening bracket or the start of a block opens, any other closes. An apostrophe
is a `'` between two letters or digits, or before a digit ('90s).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

NBSP, NNBSP = "\u00a0", "\u202f"  # no-break space; narrow no-break space


@dataclass(frozen=True)
class Rules:
    """How one language writes quotes, and which spacing rules it keeps."""

    double: tuple[str, str]  # outer quotes: opening, closing
    single: tuple[str, str]  # inner quotes
    apostrophe: str = "\u2019"
    french_spaces: bool = False  # NBSP inside « », before : ; narrow NBSP before ; ! ?
    glue_short_words: frozenset[str] = frozenset()  # one-letter words kept on the line of the next word
    glue_dash: bool = False  # NBSP before a spaced em dash, so no line starts with it


ENGLISH = Rules(("\u201c", "\u201d"), ("\u2018", "\u2019"))
RUSSIAN = Rules(("\u00ab", "\u00bb"), ("\u201e", "\u201c"), glue_short_words=frozenset("вкосуяиаВКОСУЯИА"),
                glue_dash=True)
RULES: dict[str, Rules] = {
    "en": ENGLISH,
    "ko": ENGLISH,
    "zh": ENGLISH,
    "ja": Rules(("\u300c", "\u300d"), ("\u300e", "\u300f")),
    "fr": Rules(("\u00ab", "\u00bb"), ("\u201c", "\u201d"), french_spaces=True),
    "es": Rules(("\u00ab", "\u00bb"), ("\u201c", "\u201d")),
    "de": Rules(("\u201e", "\u201c"), ("\u201a", "\u2018")),
    "ru": RUSSIAN,
    "uk": Rules(RUSSIAN.double, RUSSIAN.single, glue_short_words=frozenset("вуійзаоіяВУІЙЗАОЯ"), glue_dash=True),
}

OPENERS = set(" \t\n\u00a0\u202f([{\u2014\u2013/-\u00ab\u201e\u201c\u2018\u201a\u300c\u300e")
QUOTE_RE = re.compile("[\"']")
URL_RE = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.|mailto:)\S*", re.I)
# Elements whose text is kept as written; block elements, where a quote's context starts anew.
RAW = {"code", "pre", "kbd", "samp", "script", "style", "textarea", "math", "svg"}
BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "td", "th", "dt", "dd", "figcaption",
          "div", "section", "aside", "br", "hr", "caption", "summary", "details", "ul", "ol", "table", "tr"}
_TOUCHED_RE = re.compile("[\"'&>]")  # a quote, or text an unescape-escape round trip could change
TOKEN_RE = re.compile(r"<!--.*?-->|<[^>]*>|[^<]+", re.S)
TAG_RE = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)")


def rules_for(lang: str) -> Rules:
    """The rules of `lang` (a code like 'fr' or 'fr-CA'); English ones for a language not listed."""
    return RULES.get(lang.split("-", 1)[0].lower(), ENGLISH)


def typeset_text(text: str, lang: str) -> str:
    """Plain text (a title, a summary) typeset for `lang`."""
    return _Typesetter(rules_for(lang)).text(text)


def typeset_html(body: str, lang: str) -> str:
    """Rendered HTML with its text nodes typeset for `lang`; tags and raw elements kept as they are."""
    setter = _Typesetter(rules_for(lang))
    out: list[str] = []
    raw: list[str] = []  # open raw elements (nested <pre><code>)
    for match in TOKEN_RE.finditer(body):
        token = match.group(0)
        if token[0] != "<":
            out.append(token if raw else setter.html_text(token))
            if raw:
                setter.prev = token[-1]
            continue
        out.append(token)
        tag = TAG_RE.match(token)
        if tag is None:
            continue
        name, closing = tag.group(1).lower(), token.startswith("</")
        if name in RAW and not token.endswith("/>"):
            if closing and raw and raw[-1] == name:
                raw.pop()
            elif not closing:
                raw.append(name)
        elif name in BLOCKS and not raw:
            setter.prev = " "
    return "".join(out)


class _Typesetter:
    """One pass of the rules over consecutive pieces of text (the text nodes of one document),
    remembering the character before each piece and which quotes are open."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.prev = " "
        self.single_open = False
        # only quotes change the text of such a language: most text nodes have none
        self.quotes_only = not (rules.french_spaces or rules.glue_short_words or rules.glue_dash)

    def html_text(self, escaped: str) -> str:
        """An escaped HTML text node, read as the reader sees it (quotes written as entities are
        quotes too) and escaped again."""
        if self.quotes_only and not _TOUCHED_RE.search(escaped):
            # nothing to change, nothing escaped: kept as it is (0.9 -> 0.3 ms CPU per
            # body of the 1,000-story benchmark corpus)
            self.prev = escaped[-1]
            return escaped
        return html.escape(self.text(html.unescape(escaped)), quote=False)

    def text(self, text: str) -> str:
        pieces, start = [], 0
        for url in URL_RE.finditer(text):
            pieces.append(self._words(text[start:url.start()]))
            pieces.append(url.group(0))
            self.prev = url.group(0)[-1]
            start = url.end()
        pieces.append(self._words(text[start:]))
        return "".join(pieces)

    def _words(self, text: str) -> str:
        if not text:
            return text
        r = self.rules
        out: list[str] = []
        done = 0  # text[:done] is in `out`
        for quote in QUOTE_RE.finditer(text):  # only the quotes are looked at one by one
            i = quote.start()
            if i > done:
                out.append(text[done:i])
                self.prev = text[i - 1]
            nxt = text[i + 1] if i + 1 < len(text) else ""
            ch = (r.double[0] if self.prev in OPENERS else r.double[1]) if text[i] == '"' else self._single(nxt)
            out.append(ch)
            self.prev, done = ch, i + 1
        if done < len(text):
            out.append(text[done:])
            self.prev = text[-1]
        typeset = "".join(out)
        # Each rule only where its characters occur (most text nodes have none): 1.07 -> 0.74 ms CPU
        # per sample body in French.
        if r.french_spaces and FRENCH_MARKS.intersection(typeset):
            typeset = french_spaces(typeset, r)
        if r.glue_short_words and " " in typeset:
            typeset = glue_short_words(typeset, r.glue_short_words)
        if r.glue_dash and "\u2014" in typeset:
            typeset = DASH_RE.sub(NBSP + "\u2014 ", typeset)
        return typeset

    def _single(self, nxt: str) -> str:
        r, prev = self.rules, self.prev
        if prev.isalnum() and nxt.isalnum() or (prev in OPENERS and nxt.isdigit()):
            return r.apostrophe  # don't, l'eau, '90s
        if prev in OPENERS:
            self.single_open = True
            return r.single[0]
        if self.single_open:
            self.single_open = False
            return r.single[1]
        return r.apostrophe  # the dogs' bowls


# French: a no-break space inside « » and before a colon, a narrow one before ; ! ? : a space the
# author typed is replaced, a missing one added after a word (not in 10:30 or http://, and once in ?!).
FR_OPEN_RE = re.compile("\u00ab[ \u00a0\u202f]*")
FR_CLOSE_RE = re.compile("[ \u00a0\u202f]*\u00bb")
FR_COLON_RE = re.compile(r"(?:[ \u00a0\u202f]+|(?<=[\w\u00bb)\u2019\u201d]))(:)(?=\s|$)")
FR_NARROW_RE = re.compile(r"(?:[ \u00a0\u202f]+|(?<=[\w\u00bb)\u2019\u201d]))([;!?])")
FRENCH_MARKS = frozenset("\u00ab\u00bb:;!?")
DASH_RE = re.compile(r"[ \u00a0]\u2014 ")


def french_spaces(text: str, rules: Rules) -> str:
    text = FR_OPEN_RE.sub("\u00ab" + NBSP, text)
    text = FR_CLOSE_RE.sub(NBSP + "\u00bb", text)
    text = FR_COLON_RE.sub(NBSP + ":", text)
    return FR_NARROW_RE.sub(NNBSP + r"\1", text)


def glue_short_words(text: str, words: frozenset[str]) -> str:
    """A no-break space after each one-letter word of `words` (Russian в, к, с, и...)."""
    return _short_words_re(words).sub("\\1" + NBSP, text)


@lru_cache(maxsize=None)
def _short_words_re(words: frozenset[str]) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])([{''.join(sorted(words))}]) (?=\S|$)")
