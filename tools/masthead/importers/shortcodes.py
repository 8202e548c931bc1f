"""Hugo shortcodes (`{{< name args >}}`, `{{% name %}}...{{% /name %}}`) and Zola's
(`{{ name(args) }}`, `{% name(args) %}...{% end %}`) rewritten as Markdown."""

from __future__ import annotations

import re

from .body import STORY, Context, arguments, fenced, image, video_link

HUGO_OPEN = re.compile(r"\{\{([<%])\s*(/?)\s*([\w./-]+)")
ZOLA_CALL = re.compile(r"\{\{\s*([A-Za-z_]\w*)\(([^()]*)\)\s*\}\}")
ZOLA_BLOCK = re.compile(r"\{%\s*([A-Za-z_]\w*)\(([^()]*)\)\s*%\}(.*?)\{%\s*end\s*%\}", re.S)
PAIRED = ("highlight", "comment", "details", "raw", "markdown", "center", "note", "warning", "tip", "notice")


def hugo(text: str, ctx: Context) -> str:
    """Every Hugo shortcode in `text`, rewritten; unknown ones are removed and reported."""
    text = re.sub(r"\{\{([<%])/\*(.*?)\*/([>%])\}\}", "\x00ESC\\1\\2\\3\x00", text, flags=re.S)
    out: list[str] = []
    pos = 0
    while True:
        m = HUGO_OPEN.search(text, pos)
        if not m:
            break
        close = text.find((">" if m.group(1) == "<" else "%") + "}}", m.end())
        if close == -1:
            ctx.missed(text, m.start(), "shortcode", "never closed; left as text")
            break
        out.append(text[pos:m.start()])
        name, args = m.group(3), text[m.end():close].strip()
        end = close + 3
        if m.group(2):  # a stray closing tag
            pos = end
            continue
        inner = None
        closing = re.compile(r"\{\{[<%]\s*/\s*" + re.escape(name) + r"\s*[>%]\}\}")
        if name in PAIRED or args.endswith("/") is False and closing.search(text, end):
            found = closing.search(text, end)
            if found:
                inner, end = text[end:found.start()], found.end()
        out.append(_hugo_one(name, args.rstrip("/").strip(), inner, text, m.start(), ctx))
        pos = end
    out.append(text[pos:])
    return re.sub("\x00ESC(.)(.*?)(.)\x00", lambda e: "{{" + e.group(1) + e.group(2) + e.group(3) + "}}",
                  "".join(out), flags=re.S)


def _hugo_one(name: str, args: str, inner: str | None, text: str, at: int, ctx: Context) -> str:
    pos, kw = arguments(args)
    first = pos[0] if pos else ""
    if name in ("youtube", "vimeo"):
        video = kw.get("id") or first
        ctx.converted(text, at, f"shortcode {name}", "a link to the video: nothing loads until the reader asks")
        return video_link(name, video, kw.get("title", ""))
    if name == "figure":
        ctx.converted(text, at, "shortcode figure")
        return image(kw.get("src", first), kw.get("alt") or kw.get("caption") or kw.get("title", ""),
                     kw.get("title", ""), kw.get("caption", ""), kw.get("link", ""))
    if name == "param":
        value = _param(kw.get("name") or first, ctx)
        if value is None:
            ctx.missed(text, at, "shortcode param", f"no parameter '{first}'; removed")
            return ""
        ctx.converted(text, at, "shortcode param", f"'{first}' -> '{value}'")
        return value
    if name in ("ref", "relref"):
        return _ref(kw.get("path") or first, text, at, ctx, f"shortcode {name}")
    if name == "highlight":
        ctx.converted(text, at, "shortcode highlight", "a fenced code block")
        return fenced(inner or "", kw.get("lang") or first)
    if name == "gist":
        user, gist = (pos + ["", ""])[:2]
        ctx.converted(text, at, "shortcode gist", "a link to the gist")
        return f"[Gist {user}/{gist}](https://gist.github.com/{user}/{gist})"
    if name == "comment":
        ctx.converted(text, at, "shortcode comment", "removed with the text it hid")
        return ""
    if name in ("tweet", "x", "twitter"):
        user, post = kw.get("user", first), kw.get("id", pos[1] if len(pos) > 1 else first)
        ctx.converted(text, at, f"shortcode {name}", "a link to the post")
        return f"[Post by @{user}](https://x.com/{user}/status/{post})"
    if name == "instagram":
        ctx.converted(text, at, "shortcode instagram", "a link to the post")
        return f"[Instagram post](https://www.instagram.com/p/{kw.get('id', first)}/)"
    if name == "details":
        ctx.converted(text, at, "shortcode details", "a bold summary and its text")
        return f"\n\n**{kw.get('summary', 'Details')}**\n\n{inner or ''}\n\n"
    if inner is not None:
        ctx.missed(text, at, f"shortcode {name}", "unknown; its tags removed, its text kept")
        return inner
    ctx.missed(text, at, f"shortcode {name}", "unknown; removed")
    return ""


def _param(name: str, ctx: Context) -> str | None:
    value: object = ctx.params
    for part in name.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part, value.get(part.lower()))
    return None if value is None or isinstance(value, (dict, list)) else str(value)


def _ref(target: str, text: str, at: int, ctx: Context, what: str) -> str:
    path, _, anchor = target.partition("#")
    key = ctx.find(path) if path else None
    if path and key is None:
        ctx.missed(text, at, what, f"'{target}' is no imported story; the link goes nowhere until you fix it")
        return "#"
    ctx.converted(text, at, what, f"'{target}' -> the story's new address")
    return (f"{STORY}{key}" if key else "") + (f"#{anchor}" if anchor else "")


def zola(text: str, ctx: Context) -> str:
    """Zola's built-in shortcodes (youtube, vimeo, gist) and any other, removed and reported."""
    def call(m: re.Match[str]) -> str:
        name, (pos, kw) = m.group(1), arguments(m.group(2).replace(",", " "))
        if name in ("youtube", "vimeo"):
            ctx.converted(text, m.start(), f"shortcode {name}", "a link to the video")
            return video_link(name, kw.get("id", ""))
        if name == "gist":
            url = kw.get("url", "")
            ctx.converted(text, m.start(), "shortcode gist", "a link")
            return f"[Gist]({url})"
        ctx.missed(text, m.start(), f"shortcode {name}", "unknown; removed")
        return ""

    def block(m: re.Match[str]) -> str:
        ctx.missed(text, m.start(), f"shortcode {m.group(1)}", "unknown; its tags removed, its text kept")
        return m.group(3)

    kept: list[str] = []

    def escaped(m: re.Match[str]) -> str:  # `{{/* name() */}}` shows the shortcode as written
        kept.append(m.group(1) + m.group(2).strip() + m.group(3))
        return f"\x00ZESC{len(kept) - 1}\x00"

    text = re.sub(r"(\{[{%])/\*(.*?)\*/([}%]\})", escaped, text, flags=re.S)
    text = ZOLA_CALL.sub(call, ZOLA_BLOCK.sub(block, text))
    return re.sub("\x00ZESC(\\d+)\x00", lambda m: kept[int(m.group(1))].replace("{{", "{{ ").replace("}}", " }}"), text)


def zola_links(text: str, ctx: Context) -> str:
    """`[x](@/blog/post.md#part)`: internal links, to the story's new file."""
    def one(m: re.Match[str]) -> str:
        return m.group(1) + _ref(m.group(2), text, m.start(), ctx, "link @/")
    return re.sub(r"(\]\(\s*<?)@/([^)\s>]+)", one, text)
