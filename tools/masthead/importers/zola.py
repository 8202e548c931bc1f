"""Zola: `content/` with `_index.md` sections, TOML front matter (`+++`), dates in file names
(`2020-12-02-slug.md` or `_`), colocated assets (`slug/index.md`), `name.<lang>.md`
translations, `@/` internal links, `aliases`, and the built-in shortcodes."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from . import shortcodes
from .dates import from_file_name
from .files import resolver
from .model import Draft, OldSite
from .place import language, slugify
from .report import Report
from .tree import Source, as_list, finish_body, first_config, get, markdown_files, take_cover


def read(top: Path, report: Report, media: Path | None = None) -> OldSite:
    config = first_config(top, ["zola.toml", "config.toml"], report)
    default = language(get(config, "default_language", default="en"), "en")
    site = OldSite(str(get(config, "title", default="")), default, "UTC", str(get(config, "base_url", default="")))
    langs = {language(c, "") for c in (get(config, "languages", default={}) or {})} | {default}
    content = top / "content"
    files = [Source(top, p, report) for p in markdown_files(content)]
    known = {_key(s.path, content, langs)[0]: s.rel for s in files
             if _key(s.path, content, langs)[1] in ("", default)}
    for src in files:
        d = _draft(src, content, langs, site, known, top, report)
        if d is not None:
            site.drafts.append(d)
    return site


def _key(path: Path, content: Path, langs: set[str]) -> tuple[str, str]:
    """(`blog/post.md`, `fr`) for `content/blog/post.fr.md`: the path `@/` links use, and the language."""
    rel = path.relative_to(content).as_posix()
    m = re.match(r"^(.*)\.([a-z]{2,3}(?:-[A-Za-z]+)?)\.md$", rel)
    if m and language(m.group(2), "") in langs:
        return m.group(1) + ".md", language(m.group(2), "")
    return rel, ""


def _draft(src: Source, content: Path, langs: set[str], site: OldSite, known: dict[str, str], top: Path,
           report: Report) -> Draft | None:
    key, lang = _key(src.path, content, langs)
    if src.path.name.startswith("_index."):
        if src.read() and "/" in key:
            site.sections.setdefault(slugify(key.split("/")[0]), str(src.field("title", default="")))
        return None
    if not src.read():
        return None
    parts = key.split("/")
    bundle = parts[-1] == "index.md"
    stem = parts[-2] if bundle and len(parts) > 1 else parts[-1].removesuffix(".md")
    file_date, file_slug = from_file_name(stem)
    when = src.date("date") or file_date
    page = len(parts) == (2 if bundle else 1) and when is None
    if when is None and not page:
        when = src.mtime()
        report.guessed(src.rel, 1, "date", "no date; the file's modification time used")
    taxonomies = src.field("taxonomies", default={}) or {}
    extra = src.field("extra", default={}) or {}
    slug = str(src.field("slug", default="") or file_slug or stem)
    section = parts[0] if len(parts) > (2 if bundle else 1) else "posts"
    d = Draft(src.rel, src.head.body_line, key if not lang else f"{key}#{lang}", str(src.field("title", default="")),
              when, "", section=section, slug=slug, lang=lang or site.language,
              authors=as_list(src.field("authors")) or as_list(get(taxonomies, "authors")) or as_list(get(extra, "author")),
              tags=as_list(get(taxonomies, "tags")) + as_list(get(taxonomies, "categories")),
              summary=str(src.field("description", default="")), draft=src.field("draft") is True,
              updated=src.date("updated"), group=key, field_lines=src.head.lines, page=page)
    resolve = resolver(src.path.parent, [top / "static", content], top)
    ctx = src.context({"extra": extra}, lambda ref: _find(ref, known))
    body = shortcodes.zola_links(shortcodes.zola(src.head.body, ctx), ctx)
    d.body = finish_body(body, d, ctx, resolve)
    take_cover(get(extra, "cover", "image", "featured_image", "cover_image"), d, resolve, report, src.rel)
    prefix = "" if d.lang == site.language else f"/{d.lang}"
    path = src.field("path")
    folder = "/".join(parts[:-2] if bundle else parts[:-1])
    d.old_urls.append(f"{prefix}/{str(path).strip('/')}/" if path else
                      f"{prefix}/{folder + '/' if folder else ''}{slugify(slug)}/")
    d.old_urls += [a if a.startswith("/") else "/" + a for a in as_list(src.field("aliases"))]
    return d


def _find(ref: str, known: dict[str, str]) -> str | None:
    """The draft an `@/` link names: drafts of the default language are keyed by their path
    below content/, which is what `@/` links write."""
    ref = posixpath.normpath(ref.lstrip("/"))
    for key in (ref, ref.rstrip("/") + "/index.md"):
        if key in known:
            return key
    return None

