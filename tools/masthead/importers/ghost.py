"""Ghost: the JSON export (Settings > Labs > Export), `{"db": [{"data": {posts, users, tags,
posts_tags, posts_authors}}]}`. Each post's `html` is kept (sanitised by the site); where a
post has none, its Lexical or Mobiledoc document is rendered here. Images come from the
export's `content/` folder given with `--media`. Members-only posts are imported as drafts."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from masthead.domain.problems import UsageError

from .body import Context
from .dates import parse_date
from .files import add_file, take_files, under
from .html_body import local_links, markdown_card, prepare
from .model import Draft, OldSite, Person
from .place import language, slugify
from .report import Report

GHOST_URL = "__GHOST_URL__"


def read(export: Path, report: Report, media: Path | None = None) -> OldSite:
    try:
        doc = json.loads(export.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{export}: not a Ghost export ({exc})") from None
    db = doc.get("db", [doc])[0] if isinstance(doc, dict) else {}
    data = db.get("data", {}) if isinstance(db, dict) else {}
    if not isinstance(data, dict) or "posts" not in data:
        raise UsageError(f"{export}: not a Ghost export (no db[0].data.posts)")
    settings = {s.get("key"): s.get("value") for s in data.get("settings", []) if isinstance(s, dict)}
    site = OldSite(str(settings.get("title") or ""), language(str(settings.get("locale") or "en"), "en"),
                   str(settings.get("timezone") or "UTC"), str(settings.get("url") or ""))
    for user in data.get("users", []):
        site.people[str(user.get("id"))] = _person(user, media)
    tags = {str(t.get("id")): t for t in data.get("tags", [])}
    for t in tags.values():
        if t.get("visibility", "public") == "public":
            site.sections[slugify(str(t.get("slug") or t.get("name")))] = str(t.get("name") or "")
    by_post: dict[str, list[Any]] = {}
    for row in sorted(data.get("posts_tags", []), key=lambda r: r.get("sort_order", 0)):
        by_post.setdefault(str(row.get("post_id")), []).append(tags.get(str(row.get("tag_id"))))
    writers: dict[str, list[str]] = {}
    for row in sorted(data.get("posts_authors", []), key=lambda r: r.get("sort_order", 0)):
        writers.setdefault(str(row.get("post_id")), []).append(str(row.get("author_id")))
    meta = {str(m.get("post_id")): m for m in data.get("posts_meta", [])}
    text = export.read_text(encoding="utf-8")
    for post in data.get("posts", []):
        at = re.search(r'"id"\s*:\s*' + re.escape(json.dumps(str(post.get("id")))), text)
        line = text.count("\n", 0, at.start()) + 1 if at else 1
        d = _draft(post, export.name, line, by_post, writers, meta, site, media, report)
        if d is not None:
            site.drafts.append(d)
    return site


def _person(user: dict[str, Any], media: Path | None) -> Person:
    links = [("Website", str(user["website"]))] if user.get("website") else []
    links += [(k.capitalize(), f"https://{'x.com' if k == 'twitter' else 'www.facebook.com'}/{str(user[k]).lstrip('@')}")
              for k in ("twitter", "facebook") if user.get(k)]
    image = str(user.get("profile_image") or "")
    local = GHOST_URL in image or image.startswith("/content/")
    avatar = under(media, _content_rel(image)) if media is not None and local else None
    return Person(str(user.get("name") or user.get("slug")), str(user.get("slug") or ""), str(user.get("bio") or ""),
                  links, avatar)


def _content_rel(url: str) -> str:
    """`__GHOST_URL__/content/images/2020/12/x.jpg` -> `images/2020/12/x.jpg` (below the content folder)."""
    path = url.replace(GHOST_URL, "")
    return path.split("/content/", 1)[1] if "/content/" in path else path.lstrip("/")


def _draft(post: dict[str, Any], name: str, line: int, by_post: dict[str, list[Any]], writers: dict[str, list[str]],
           meta: dict[str, Any], site: OldSite, media: Path | None, report: Report) -> Draft | None:
    pid = str(post.get("id"))
    where = name
    tags = [t for t in by_post.get(pid, []) if t]
    public = [t for t in tags if t.get("visibility", "public") == "public" and not str(t.get("name", "")).startswith("#")]
    status = str(post.get("status") or "draft")
    authors = writers.get(pid) or ([str(post["author_id"])] if post.get("author_id") else [])
    d = Draft(where, line, pid, str(post.get("title") or ""),
              parse_date(str(post.get("published_at") or post.get("created_at") or "")), "",
              section=slugify(str(public[0].get("slug"))) if public else "stories", slug=str(post.get("slug") or ""),
              lang=str(post.get("locale") or ""), authors=authors, tags=[str(t.get("name")) for t in public],
              summary=str(post.get("custom_excerpt") or ""), draft=status != "published" and status != "scheduled",
              updated=parse_date(str(post.get("updated_at") or "")), page=post.get("type", "post") == "page")
    if post.get("visibility", "public") != "public":
        d.draft = True
        report.guessed(where, line, "visibility", f"for '{post.get('visibility')}' only on Ghost; imported as a draft "
                       "(a masthead site is public: remove 'draft' to publish it for everyone)")
    body = str(post.get("html") or _render(post, where, report))
    body = body.replace(GHOST_URL, site.url.rstrip("/")) if site.url else body
    ctx = Context(where, line, report, original=body)

    def src_of(url: str) -> str:
        own = site.url.rstrip("/") + "/content/" if site.url else GHOST_URL + "/content/"
        return _content_rel(url.replace(own, "/content/")) if GHOST_URL in url or url.startswith(("/content/", own)) \
            else url

    body = local_links(prepare(body, ctx, src_of), src_of, media)
    d.body = take_files(body, d, lambda rel: under(media, rel) if media else None, ctx)
    image = str(post.get("feature_image") or "")
    if image:
        found = under(media, src_of(image)) if media is not None else None
        if found is not None:
            d.cover = add_file(d, found)
            d.cover_alt = str(meta.get(pid, {}).get("feature_image_alt") or "")
        elif image.startswith("https://"):
            d.cover = image
        else:
            report.missed(where, line, "cover", f"'{image}' is not in --media; left out")
    d.old_urls.append(f"/{post.get('slug')}/")
    return d


def _render(post: dict[str, Any], where: str, report: Report) -> str:
    """HTML for a post exported without it, from its Lexical or Mobiledoc document."""
    try:
        if post.get("lexical"):
            return _lexical(json.loads(post["lexical"]).get("root", {}), where, report)
        if post.get("mobiledoc"):
            return _mobiledoc(json.loads(post["mobiledoc"]), where, report)
    except (ValueError, AttributeError, TypeError) as exc:
        report.missed(where, 0, "body", f"the document cannot be read ({exc}); the story is empty")
    return ""


LEXICAL_TAGS = {"paragraph": "p", "quote": "blockquote", "listitem": "li"}


def _lexical(node: dict[str, Any], where: str, report: Report) -> str:
    kind = node.get("type")
    inner = "".join(_lexical(c, where, report) for c in node.get("children", []) or [])
    if kind == "text":
        text = html.escape(str(node.get("text", "")))
        fmt = int(node.get("format", 0) or 0)
        text = f"<strong>{text}</strong>" if fmt & 1 else text
        return f"<em>{text}</em>" if fmt & 2 else text
    if kind == "linebreak":
        return "<br>"
    if kind == "link":
        return f'<a href="{html.escape(str(node.get("url", "")))}">{inner}</a>'
    if kind == "heading":
        tag = str(node.get("tag", "h2"))
        return f"<{tag}>{inner}</{tag}>\n\n" if tag in ("h1", "h2", "h3", "h4", "h5", "h6") else inner
    if kind == "list":
        tag = "ol" if node.get("listType") == "number" else "ul"
        return f"<{tag}>{inner}</{tag}>\n\n"
    if kind == "image":
        return (f'<figure><img src="{html.escape(str(node.get("src", "")))}" alt="{html.escape(str(node.get("alt", "")))}">'
                f'<figcaption>{node.get("caption", "")}</figcaption></figure>\n\n')
    if kind == "markdown":
        return markdown_card(str(node.get("markdown") or ""))
    if kind == "html":
        return str(node.get("html") or "") + "\n\n"
    if kind in LEXICAL_TAGS:
        tag = LEXICAL_TAGS[kind]
        return f"<{tag}>{inner}</{tag}>" + ("\n\n" if tag != "li" else "")
    if kind not in ("root", None):
        report.missed(where, 0, f"lexical {kind}", "not rendered; its text kept")
    return inner


def _mobiledoc(doc: dict[str, Any], where: str, report: Report) -> str:
    markups = [m[0] for m in doc.get("markups", [])]
    cards = doc.get("cards", [])
    out = []
    for section in doc.get("sections", []):
        if section[0] == 1:  # a markup section: [1, tag, markers]
            out.append(f"<{section[1]}>{_markers(section[2], markups)}</{section[1]}>")
        elif section[0] == 3:  # a list: [3, tag, [markers, ...]]
            items = "".join(f"<li>{_markers(item, markups)}</li>" for item in section[2])
            out.append(f"<{section[1]}>{items}</{section[1]}>")
        elif section[0] == 10:  # a card: [10, index]
            name, payload = cards[section[1]]
            if name in ("markdown", "card-markdown"):
                out.append(markdown_card(str(payload.get("markdown", ""))))
            elif name == "html":
                out.append(str(payload.get("html", "")))
            elif name == "image":
                out.append(f'<figure><img src="{html.escape(str(payload.get("src", "")))}" '
                           f'alt="{html.escape(str(payload.get("alt", "")))}"><figcaption>{payload.get("caption", "")}'
                           "</figcaption></figure>")
            else:
                report.missed(where, 0, f"mobiledoc card {name}", "not rendered")
    return "\n\n".join(out)


def _markers(markers: list[Any], markups: list[str]) -> str:
    out, open_ = [], []
    for marker in markers:
        _, opens, closes, text = marker
        for index in opens:
            out.append(f"<{markups[index]}>")
            open_.append(markups[index])
        out.append(html.escape(str(text)))
        for _ in range(closes):
            out.append(f"</{open_.pop()}>")
    return "".join(out)
