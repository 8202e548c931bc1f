"""Liquid and Nunjucks in Jekyll and Eleventy bodies: `{% raw %}` kept as its text, code
highlighting as fences, links to posts resolved, site variables filled, the rest removed."""

from __future__ import annotations

import re

from .body import STORY, Context, arguments, fenced, image, video_link

RAW = re.compile(r"\{%-?\s*raw\s*-?%\}(.*?)\{%-?\s*endraw\s*-?%\}", re.S)
COMMENT = re.compile(r"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}", re.S)
HIGHLIGHT = re.compile(r"\{%-?\s*highlight\s+([\w+#-]+)[^%]*%\}\n?(.*?)\{%-?\s*endhighlight\s*-?%\}", re.S)
TAG = re.compile(r"\{%-?\s*(\w+)(.*?)-?%\}", re.S)
OUTPUT = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
SITE_VARIABLE = re.compile(r"^(site|page)\.(baseurl|url|base_url)$|^'?\"?(.*?)'?\"?\s*\|\s*(relative_url|absolute_url|url)\s*$")


def convert(text: str, ctx: Context) -> str:
    """Every Liquid tag and output in `text`; what `{% raw %}` holds comes out exactly as written."""
    kept: list[str] = []

    def keep(m: re.Match[str]) -> str:
        kept.append(m.group(1))
        ctx.converted(text, m.start(), "liquid raw", "its text kept as written")
        return f"\x00RAW{len(kept) - 1}\x00"

    text = RAW.sub(keep, text)
    text = COMMENT.sub(lambda m: _note(ctx, text, m, "liquid comment", "removed", ""), text)
    text = HIGHLIGHT.sub(lambda m: _note(ctx, text, m, "liquid highlight", "a fenced code block",
                                         fenced(m.group(2), m.group(1))), text)
    text = TAG.sub(lambda m: _tag(m, text, ctx), text)
    text = OUTPUT.sub(lambda m: _output(m, text, ctx), text)
    return re.sub("\x00RAW(\\d+)\x00", lambda m: kept[int(m.group(1))], text)


def _note(ctx: Context, text: str, m: re.Match[str], what: str, detail: str, result: str) -> str:
    ctx.converted(text, m.start(), what, detail)
    return result


def _tag(m: re.Match[str], text: str, ctx: Context) -> str:
    name, rest = m.group(1), m.group(2).strip()
    pos, kw = arguments(rest.replace(",", " "))
    if name == "post_url":
        return _story(rest, text, m.start(), ctx, "liquid post_url")
    if name in ("link", "link_to"):
        return _story(rest, text, m.start(), ctx, "liquid link")
    if name in ("youtube", "vimeo") and pos:
        ctx.converted(text, m.start(), f"tag {name}", "a link to the video")
        return video_link(name, pos[0])
    if name == "image" and pos:  # eleventy-img's shortcode: {% image "src", "alt" %}
        ctx.converted(text, m.start(), "tag image", "a Markdown image")
        return image(pos[0], pos[1] if len(pos) > 1 else "")
    if name in ("endif", "endfor", "endunless", "endcapture", "else", "elsif", "endcase", "when"):
        return ""
    ctx.missed(text, m.start(), f"liquid tag {name}", "removed (templates do not run in stories)")
    return ""


def _output(m: re.Match[str], text: str, ctx: Context) -> str:
    inner = m.group(1)
    site = SITE_VARIABLE.match(inner)
    if site:
        ctx.converted(text, m.start(), "liquid variable", f"'{inner}' -> a site-relative address")
        return site.group(3) or ""
    ctx.missed(text, m.start(), "liquid output", f"'{{{{ {inner} }}}}' removed (templates do not run in stories)")
    return ""


def _story(ref: str, text: str, at: int, ctx: Context, what: str) -> str:
    ref = ref.strip().strip("'\"")
    key = ctx.find(ref)
    if key is None:
        ctx.missed(text, at, what, f"'{ref}' is no imported story; the link goes nowhere")
        return "#"
    ctx.converted(text, at, what, f"'{ref}' -> the story's new address")
    return f"{STORY}{key}"
