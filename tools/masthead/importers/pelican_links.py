"""Pelican's link placeholders: `{filename}`, `{static}`, `{attach}` (and the old `|filename|`),
`{tag}`, `{category}`, `{author}`, `{index}`."""

from __future__ import annotations

import re

from .body import STORY, Context

PLACEHOLDER = re.compile(r"(?P<q>\]\(\s*<?|(?:src|href)\s*=\s*[\"']?)[{|](?P<what>filename|static|attach|tag|category|author|index)[}|](?P<path>[^)\s\"'>]*)")


def convert(text: str, ctx: Context, here: str) -> str:
    """Rewrite each placeholder; `here` is the folder of the file below the content folder."""
    def one(m: re.Match[str]) -> str:
        what, path = m.group("what"), m.group("path")
        lead = m.group("q")
        if what == "filename":
            target, _, anchor = path.partition("#")
            full = _join(here, target)
            key = ctx.find(full)
            if key is None:
                ctx.missed(text, m.start(), "link {filename}", f"'{path}' is no imported story; the link goes nowhere")
                return lead + "#"
            ctx.converted(text, m.start(), "link {filename}", f"'{path}' -> the story's new address")
            return lead + STORY + key + (f"#{anchor}" if anchor else "")
        if what in ("static", "attach"):
            ctx.converted(text, m.start(), f"link {{{what}}}", f"'{path}' -> a file beside the story")
            return lead + ("/" + _join(here, path) if not path.startswith("/") else path)
        ctx.missed(text, m.start(), f"link {{{what}}}", "no such list after the import; pointed at the home page")
        return lead + "/"

    return PLACEHOLDER.sub(one, text)


def _join(here: str, path: str) -> str:
    """Pelican resolves a path starting with `/` from the content folder, others from the file's."""
    if path.startswith("/"):
        return path.lstrip("/")
    parts: list[str] = [p for p in here.split("/") if p]
    for part in path.split("/"):
        if part == "..":
            parts = parts[:-1]
        elif part and part != ".":
            parts.append(part)
    return "/".join(parts)
