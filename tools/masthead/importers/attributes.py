"""Markdown attribute syntax of Goldmark (Hugo) and kramdown (Jekyll): `## Title {#id .class}`
and `{.class}` / `{: .class}` lines. Headings keep their text; links to a custom id are
pointed at the id masthead gives the heading (GitHub's scheme); attribute lines go."""

from __future__ import annotations

import re

from masthead.domain.slugs import anchor

from .body import Context, outside_code

HEADING_ATTRS = re.compile(r"^(#{1,6}\s.*?)\s*\{:?\s*((?:[#.][\w-]+|[\w-]+=\S+)(?:\s+(?:[#.][\w-]+|[\w-]+=\S+))*)\s*\}\s*$")
LINE_ATTRS = re.compile(r"^\s*\{:?\s*(?:[#.][\w-]+|[\w-]+=\S+)(?:\s+(?:[#.][\w-]+|[\w-]+=\S+))*\s*\}\s*$")
SETEXT_OR_ANY = re.compile(r"\s*\{:?\s*(#[\w-]+)\s*\}\s*$")


def github_id(heading: str) -> str:
    """The id masthead gives a heading (GitHub's scheme), from its text without Markdown."""
    return anchor(re.sub(r"[`*_~]|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", heading))


def convert(text: str, ctx: Context) -> str:
    ids: dict[str, str] = {}

    def lines(prose: str) -> str:
        out = []
        for line in prose.split("\n"):
            m = HEADING_ATTRS.match(line)
            if m:
                title = m.group(1)
                wanted = re.search(r"#([\w-]+)", m.group(2))
                if wanted:
                    ids[wanted.group(1)] = github_id(title.lstrip("#").strip())
                ctx.converted(prose, prose.find(line), "heading attributes", f"'{{{m.group(2)}}}' removed")
                out.append(title)
            elif LINE_ATTRS.match(line):
                ctx.converted(prose, prose.find(line), "attribute line", f"'{line.strip()}' removed")
            else:
                out.append(line)
        return "\n".join(out)

    text = outside_code(text, lines)
    for old, new in ids.items():
        if old != new:
            text = text.replace(f"](#{old})", f"](#{new})")
    return text
