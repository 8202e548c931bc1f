"""Eleventy: Markdown anywhere in the input folder (`src/` or the top), YAML or `---json` front
matter, directory data files (`posts/posts.json`, `*.11tydata.json`), file-name dates,
`permalink`, `content/<lang>/` folders, and Liquid or Nunjucks tags in bodies.
JavaScript front matter and `.11tydata.js` files are code: reported, never run."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from . import liquid
from .dates import from_file_name
from .files import resolver
from .model import Draft, OldSite, Person
from .place import LANG, language, slugify
from .report import Report
from .tree import Source, as_list, finish_body, get, markdown_files, take_cover

SKIP = ("_includes", "_data", "_layouts", "_site", "node_modules")
COLLECTION_TAGS = {"post", "posts", "all", "blog"}


def read(top: Path, report: Report, media: Path | None = None) -> OldSite:
    base = top / "src" if (top / "src").is_dir() else top
    meta = _json(base / "_data" / "metadata.json", report, top) or _json(base / "_data" / "site.json", report, top)
    site = OldSite(str(get(meta, "title", default="")), language(get(meta, "language", "lang", default="en"), "en"),
                   "UTC", str(get(meta, "url", default="")))
    author = get(meta, "author")
    if isinstance(author, dict) and author.get("name"):
        site.people["site-author"] = Person(str(author["name"]), "site-author", "",
                                            [("Website", str(author["url"]))] if author.get("url") else [])
    ignored = _ignored(top)
    for path in markdown_files(base):
        rel = path.relative_to(base)
        if rel.parts[0] in SKIP or path.name.lower() in ("readme.md", "license.md") or \
                any(rel.as_posix().startswith(i) for i in ignored):
            continue
        src = Source(top, path, report)
        if not src.read():
            continue
        d = _draft(src, base, rel, site, report)
        if d is not None:
            site.drafts.append(d)
    return site


def _json(path: Path, report: Report, top: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        report.missed(path.relative_to(top).as_posix(), 1, "data file", f"broken JSON: {exc}")
        return {}
    return data if isinstance(data, dict) else {}


def _ignored(top: Path) -> list[str]:
    path = top / ".eleventyignore"
    if not path.is_file():
        return []
    return [line.strip().lstrip("./") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#") and "*" not in line]


def _folder_data(src: Source, base: Path, rel: Path) -> dict[str, Any]:
    """Directory data (`posts/posts.json`, `posts/posts.11tydata.json`), outer folders first,
    then the file's own `<name>.11tydata.json`."""
    data: dict[str, Any] = {}
    folder = base
    for part in rel.parts[:-1]:
        folder = folder / part
        for name in (f"{part}.json", f"{part}.11tydata.json"):
            data.update(_json(folder / name, src.report, src.top))
        if (folder / f"{part}.11tydata.js").is_file():
            src.report.missed((folder / f"{part}.11tydata.js").relative_to(src.top).as_posix(), 1, "directory data",
                              "JavaScript data is code and is not run; its values are not imported")
    data.update(_json(src.path.with_name(src.path.stem + ".11tydata.json"), src.report, src.top))
    return data


def _draft(src: Source, base: Path, rel: Path, site: OldSite, report: Report) -> Draft | None:
    if src.head.kind == "none" and src.path.read_text(encoding="utf-8").startswith("---js"):
        report.missed(src.rel, 1, "front matter", "JavaScript front matter is code; not run, not imported")
        return None
    fields = {**_folder_data(src, base, rel), **src.head.data}
    src.head.data = fields
    if src.field("permalink") is False or src.field("eleventyExcludeFromCollections") is True and rel.name == "index.md":
        return None
    parts = list(rel.parts)
    lang = ""
    if len(parts) > 1 and LANG.match(parts[0]) and len(parts[0]) <= 3:
        lang, parts = language(parts[0], ""), parts[1:]
    stem = rel.stem if rel.stem != "index" else (rel.parent.name or "index")
    file_date, file_slug = from_file_name(stem)
    raw_date = src.field("date")
    when = None if str(raw_date) in ("Last Modified", "Created", "git Last Modified", "git Created") else src.date("date")
    when = when or file_date
    page = len(parts) == (2 if rel.stem == "index" else 1) and when is None
    if page and rel.stem == "index" and len(parts) == 1:
        return None  # the home page
    if when is None and not page:
        when = src.mtime()
        report.guessed(src.rel, src.head.lines.get("date", 1), "date", "no date; the file's modification time used")
    tags = [t for t in as_list(src.field("tags")) if t.lower() not in COLLECTION_TAGS]
    section = parts[0] if len(parts) > (2 if rel.stem == "index" else 1) else "posts"
    d = Draft(src.rel, src.head.body_line, rel.as_posix(), str(src.field("title", default="")), when, "",
              section=section, slug=str(src.field("slug", default="") or file_slug or stem),
              lang=str(src.field("lang", "locale", default="") or lang or site.language),
              authors=as_list(src.field("authors", "author")) or (["site-author"] if "site-author" in site.people else []),
              tags=tags, summary=str(src.field("description", "summary", "excerpt", default="")),
              draft=src.field("draft") is True, group="/".join(parts), field_lines=src.head.lines, page=page)
    resolve = resolver(src.path.parent, [base, src.top], src.top)
    ctx = src.context({}, lambda ref: None)
    d.body = finish_body(liquid.convert(src.head.body, ctx), d, ctx, resolve)
    take_cover(src.field("image", "cover", "featured_image"), d, resolve, report, src.rel)
    d.old_urls.append(_old_url(src, rel, file_slug or stem, report))
    d.old_urls += as_list(src.field("aliases", "redirect_from", "redirectFrom"))
    return d


def _old_url(src: Source, rel: Path, file_slug: str, report: Report) -> str:
    """`permalink` (with `page.fileSlug` and `title | slugify` filled in), or Eleventy's default:
    the input path without its extension, as a folder."""
    permalink = src.field("permalink")
    if isinstance(permalink, str):
        filled = re.sub(r"\{\{\s*page\.fileSlug\s*\}\}", file_slug, permalink)
        filled = re.sub(r"\{\{\s*title\s*\|\s*slugify\s*\}\}", slugify(str(src.field("title", default=""))), filled)
        if "{{" not in filled and "{%" not in filled:
            return "/" + filled.lstrip("/")
        report.missed(src.rel, src.head.lines.get("permalink", 1), "permalink",
                      f"'{permalink}' uses template code; the default address used for the redirect")
    folder = rel.parent.as_posix()
    name = "" if rel.stem == "index" else rel.stem
    return "/" + "/".join(p for p in (folder if folder != "." else "", name) if p) + "/"
