"""WordPress: a WXR export (Tools > Export), the RSS file with `wp:` elements. Posts keep their
HTML (the site sanitises it); `[caption]`, `[gallery]`, `[embed]`, video and code shortcodes are
rewritten; images come from a copy of `wp-content/uploads` given with `--media`; each post's
permalink (`<link>`) becomes a redirect. Authors' e-mail addresses are never read."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

from masthead.domain.problems import UsageError

from .body import Context, video_link
from .dates import parse_date
from .files import take_files, under
from .html_body import local_links, prepare
from .model import Draft, OldSite, Person
from .place import language, slugify
from .report import Report

SHORTCODE = re.compile(r"\[(caption|wp_caption|embed|gallery|youtube|vimeo|video|audio|code|sourcecode)\b([^\]]*)\]"
                       r"(?:(.*?)\[/\1\])?", re.S)
OTHER_SHORTCODE = re.compile(r"\[([a-z][\w-]*)(\s[^\]]*)?\](?:.*?\[/\1\])?", re.S)
KNOWN_WORDS = {"sic", "x", "i", "b", "u", "s", "a", "note", "edit", "ed", "citation", "needed"}  # not shortcodes
VIDEO_URL = re.compile(r"(?:youtube\.com/watch\?v=|youtu\.be/)([\w-]+)|vimeo\.com/(\d+)")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _ns(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _text(el: ET.Element, name: str, ns_part: str = "") -> str:
    for child in el:
        if _local(child.tag) == name and ns_part in _ns(child.tag):
            return (child.text or "").strip() if name not in ("encoded",) else (child.text or "")
    return ""


def read(export: Path, report: Report, media: Path | None = None) -> OldSite:
    with export.open("rb") as fh:
        head = fh.read(8192)
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:  # WXR has none; entities can only expand
        raise UsageError(f"{export}: not a WordPress export (it declares a DOCTYPE or entities, which WXR never does)")
    try:
        channel = ET.parse(export).getroot().find("channel")
    except ET.ParseError as exc:
        raise UsageError(f"{export}:{exc.position[0]}: not a WordPress export (broken XML: {exc})") from None
    if channel is None:
        raise UsageError(f"{export}: not a WordPress export (no <channel>)")
    name = export.name
    site = OldSite(_text(channel, "title"), language(_text(channel, "language"), "en"), "UTC",
                   _text(channel, "base_blog_url", "wordpress") or _text(channel, "link"))
    for el in channel:
        if _local(el.tag) == "author":
            login = _text(el, "author_login")
            site.people[login] = Person(_text(el, "author_display_name") or login, login)
        if _local(el.tag) == "category" and "wordpress" in _ns(el.tag):
            site.sections[slugify(unquote(_text(el, "category_nicename")))] = html.unescape(_text(el, "cat_name"))
    items = [el for el in channel if _local(el.tag) == "item"]
    attachments = {_text(i, "post_id"): _text(i, "attachment_url") for i in items
                   if _text(i, "post_type") == "attachment"}
    lines = _item_lines(export.read_text(encoding="utf-8", errors="replace"))
    for n, item in enumerate(items):
        d = _draft(item, site, attachments, media, report, name, *(lines[n] if n < len(lines) else (0, 0)))
        if d is not None:
            site.drafts.append(d)
    return site


def _item_lines(text: str) -> list[tuple[int, int]]:
    """For each `<item>` of the export, in order: its line, and the line its content starts on."""
    out = []
    for m in re.finditer(r"<item[\s>]", text):
        start = text.count("\n", 0, m.start()) + 1
        content = text.find("<content:encoded>", m.start())
        end = text.find("</item>", m.start())
        at = content if content != -1 and (end == -1 or content < end) else m.start()
        out.append((start, text.count("\n", 0, at) + 1))
    return out


def _draft(item: ET.Element, site: OldSite, attachments: dict[str, str], media: Path | None,
           report: Report, name: str, line: int, body_line: int) -> Draft | None:
    kind, status, post_id = _text(item, "post_type"), _text(item, "status"), _text(item, "post_id")
    where = name
    if kind == "attachment" or kind in ("nav_menu_item", "revision", "wp_global_styles", "custom_css"):
        return None
    if kind not in ("post", "page"):
        report.missed(where, line, f"{kind} '{_text(item, 'title')}'", "not a post or a page; left out")
        return None
    if status in ("trash", "private", "auto-draft", "inherit"):
        report.missed(where, line, "post", f"status '{status}'; left out")
        return None
    gmt = _text(item, "post_date_gmt")
    when = parse_date(gmt + "Z") if gmt and not gmt.startswith("0000") else parse_date(_text(item, "post_date"))
    cats = [(c.get("domain", ""), c.get("nicename", ""), html.unescape(c.text or "")) for c in item
            if _local(c.tag) == "category"]
    authors = [t for dom, _, t in cats if dom == "author"] or [_text(item, "creator")]
    d = Draft(where, body_line, post_id, html.unescape(_text(item, "title")), when, "",
              section=next((slugify(unquote(n)) for dom, n, _ in cats if dom == "category"), "stories"),
              slug=unquote(_text(item, "post_name")) or _text(item, "title"), authors=[a for a in authors if a],
              tags=[t for dom, _, t in cats if dom == "post_tag"],
              summary=re.sub(r"<[^>]+>", "", html.unescape(_text(item, "encoded", "excerpt"))).strip(),
              draft=status in ("draft", "pending"), page=kind == "page")
    ctx = Context(where, body_line, report, original=_text(item, "encoded", "content"))
    uploads = _uploads(site.url)

    def src_of(url: str) -> str:
        return _media_name(url, uploads, media)

    body = _shortcodes(ctx.original, ctx, attachments, src_of)
    body = local_links(prepare(body, ctx, src_of), src_of, media)
    d.body = take_files(body, d, lambda rel: under(media, rel) if media else None, ctx)
    thumb = next((m.findtext("{*}meta_value") for m in item if _local(m.tag) == "postmeta"
                  and m.findtext("{*}meta_key") == "_thumbnail_id"), None)
    if thumb and attachments.get(thumb):
        _cover(d, attachments[thumb], uploads, media, report)
    link = _text(item, "link")
    if link and "?" not in link:
        d.old_urls.append(link)
    elif link:
        report.missed(where, line, "old address", f"'{link}' has a query; a static site cannot redirect it "
                      "(add a rule on the host, see docs/import.md)")
    return d


def _uploads(base: str) -> str:
    return (urlsplit(base).path.rstrip("/") if base else "") + "/wp-content/uploads/"


def _media_name(url: str, uploads: str, media: Path | None) -> str:
    """An uploaded file's path below `--media`, for `take_files` to copy; other URLs unchanged."""
    path = urlsplit(url).path
    if uploads in path and media is not None:
        rel = unquote(path.split(uploads, 1)[1])
        if under(media, rel) is None:  # a resized copy (x-300x200.jpg): the original, if that is there
            full = re.sub(r"-\d+x\d+(\.\w+)$", r"\1", rel)
            rel = full if under(media, full) is not None else rel
        return rel
    return url


def _cover(d: Draft, url: str, uploads: str, media: Path | None, report: Report) -> None:
    rel = _media_name(url, uploads, media)
    found = under(media, rel) if media is not None and rel != url else None
    if found is not None:
        from .files import add_file
        d.cover = add_file(d, found)
    elif url.startswith("https://"):
        d.cover = url
        report.missed(d.source, d.line, "cover", f"'{url}' stays on the old host; pass --media to copy it")


def _shortcodes(body: str, ctx: Context, attachments: dict[str, str], src_of: object) -> str:
    def one(m: re.Match[str]) -> str:
        name, args, inner = m.group(1), m.group(2), m.group(3) or ""
        if name in ("caption", "wp_caption"):
            ctx.converted(body, m.start(), f"shortcode {name}", "an image with its caption")
            caption = re.sub(r"<img\b[^>]*>|<a\b[^>]*>|</a>", "", inner).strip() or _arg(args, "caption")
            img = re.search(r"<img\b[^>]*>", inner)
            return f"\n\n<figure>{img.group(0) if img else ''}<figcaption>{caption}</figcaption></figure>\n\n"
        if name == "gallery":
            ids = [i.strip() for i in _arg(args, "ids").split(",") if i.strip()]
            ctx.converted(body, m.start(), "shortcode gallery", f"{len(ids)} images")
            return "".join(f'\n\n<p><img src="{html.escape(attachments[i])}" alt=""></p>\n\n' for i in ids if i in attachments)
        if name in ("code", "sourcecode"):
            ctx.converted(body, m.start(), f"shortcode {name}", "a code block")
            return "\n\n<pre><code>" + html.escape(html.unescape(inner.strip("\n"))) + "</code></pre>\n\n"
        url = inner.strip() or _arg(args, "src") or _arg(args, "url") or args.strip().lstrip("=").strip()
        video = VIDEO_URL.search(url)
        if video:
            ctx.converted(body, m.start(), f"shortcode {name}", "a link to the video")
            return video_link("youtube" if video.group(1) else "vimeo", video.group(1) or video.group(2), as_html=True)
        ctx.converted(body, m.start(), f"shortcode {name}", "a link")
        return f'\n\n<p><a href="{html.escape(url)}">{html.escape(url)}</a></p>\n\n'

    body = SHORTCODE.sub(one, body)
    body = re.sub(r"(?m)^\s*(https?://\S+)\s*$", lambda m: _embed(m.group(1), ctx, body, m.start()), body)

    def other(m: re.Match[str]) -> str:
        if m.group(1) in KNOWN_WORDS:
            return m.group(0)
        ctx.missed(body, m.start(), f"shortcode [{m.group(1)}]", "unknown; removed")
        return ""

    return OTHER_SHORTCODE.sub(other, body)


def _embed(url: str, ctx: Context, body: str, at: int) -> str:
    """A URL alone on its line is an oEmbed in WordPress; here it is a link."""
    video = VIDEO_URL.search(url)
    ctx.converted(body, at, "embed", "a link")
    if video:
        return video_link("youtube" if video.group(1) else "vimeo", video.group(1) or video.group(2), as_html=True)
    return f'<p><a href="{html.escape(url)}">{html.escape(url)}</a></p>'


def _arg(args: str, name: str) -> str:
    m = re.search(rf"\b{name}\s*=\s*[\"']([^\"']*)[\"']", args)
    return m.group(1) if m else ""

