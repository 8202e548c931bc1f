"""Pelican: Markdown files with the fenceless `Key: value` header (keys in any case), the
`{filename}`/`{static}`/`{attach}` link placeholders, translations by shared slug, and the
URL settings of `pelicanconf.py`, read as data (the file is Python: it is parsed, never run).
reStructuredText files are reported, not converted."""

from __future__ import annotations

import ast
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from . import pelican_links
from .dates import from_file_name
from .files import resolver
from .model import Draft, OldSite
from .place import language, slugify
from .report import Report
from .tree import Source, finish_body, markdown_files, take_cover

DEFAULTS = {"PATH": "content", "ARTICLE_URL": "{slug}.html", "ARTICLE_LANG_URL": "{slug}-{lang}.html",
            "DEFAULT_LANG": "en", "TIMEZONE": "UTC", "SITENAME": "", "SITEURL": "", "PAGE_PATHS": ["pages"],
            "USE_FOLDER_AS_CATEGORY": True, "DEFAULT_CATEGORY": "misc", "STATIC_PATHS": ["images"]}


def settings(top: Path, report: Report) -> dict[str, Any]:
    """The plain assignments of pelicanconf.py (strings, numbers, lists, dicts); the rest is ignored."""
    out = dict(DEFAULTS)
    path = top / "pelicanconf.py"
    if not path.is_file():
        return out
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, ValueError) as exc:
        report.missed("pelicanconf.py", getattr(exc, "lineno", 1) or 1, "settings", f"cannot be parsed: {exc}")
        return out
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                report.missed("pelicanconf.py", node.lineno, node.targets[0].id, "not a plain value; default used")
    return out


def read(top: Path, report: Report, media: Path | None = None) -> OldSite:
    conf = settings(top, report)
    default = language(conf["DEFAULT_LANG"], "en")
    site = OldSite(str(conf["SITENAME"]), default, str(conf["TIMEZONE"]), str(conf["SITEURL"]))
    content = top / str(conf["PATH"])
    pages = tuple(str(p) for p in conf["PAGE_PATHS"])
    for rst in sorted(content.rglob("*.rst")):
        report.missed(rst.relative_to(top).as_posix(), 1, "reStructuredText", "not converted; convert it to Markdown "
                      "(for example with pandoc) and import again")
    sources = []
    for path in markdown_files(content):
        rel = path.relative_to(content).as_posix()
        src = Source(top, path, report)
        if src.read(pelican=True):
            sources.append((src, rel))
    keys = {rel: rel for _, rel in sources}
    for src, rel in sources:
        d = _draft(src, rel, conf, site, keys, content, report)
        if d is not None:
            site.drafts.append(d)
    return site


def _draft(src: Source, rel: str, conf: dict[str, Any], site: OldSite, keys: dict[str, str], content: Path,
           report: Report) -> Draft | None:
    page = rel.startswith(tuple(str(p) + "/" for p in conf["PAGE_PATHS"]))
    status = str(src.field("status", default="published")).lower()
    file_date, _ = from_file_name(src.path.stem)
    when = src.date("date") or file_date
    if when is None and not page:
        when = src.mtime()
        report.guessed(src.rel, 1, "date", "no date; the file's modification time used")
    folder = rel.split("/")[0] if "/" in rel else ""
    category = str(src.field("category", default="") or (folder if conf["USE_FOLDER_AS_CATEGORY"] and folder
                                                          else conf["DEFAULT_CATEGORY"]))
    title = str(src.field("title", default=""))
    slug = str(src.field("slug", default="") or slugify(title))
    people = str(src.field("authors", "author", default=""))
    d = Draft(src.rel, src.head.body_line, rel, title, when, "", section=category, slug=slug,
              lang=str(src.field("lang", default="") or site.language),
              authors=_split(people), tags=_split(str(src.field("tags", default=""))),
              summary=re.sub(r"<[^>]+>", "", str(src.field("summary", default=""))),
              draft=status in ("draft", "hidden"), updated=src.date("modified"), group=slug,
              field_lines=src.head.lines, page=page)
    here = rel.rsplit("/", 1)[0] if "/" in rel else ""
    ctx = src.context({}, lambda ref: keys.get(ref))
    body = pelican_links.convert(src.head.body, ctx, here)
    resolve = resolver(src.path.parent, [content], src.top)
    d.body = finish_body(body, d, ctx, resolve)
    cover = src.field("image", "cover", "og_image")
    take_cover(re.sub(r"^\{(?:static|attach|filename)\}", "/", str(cover)) if cover else None, d, resolve, report, src.rel)
    if status != "draft":
        own = src.field("url", "save_as", default="")
        d.old_urls.append("/" + str(own or (f"pages/{slug}.html" if page else _url(conf, d, category))).lstrip("/"))
    return d


def _split(value: str) -> list[str]:
    """Pelican's list fields: separated by `;` when there is one, else by commas."""
    sep = ";" if ";" in value else ","
    return [v.strip() for v in value.split(sep) if v.strip()]


def _url(conf: dict[str, Any], d: Draft, category: str) -> str:
    """ARTICLE_URL (or ARTICLE_LANG_URL for a translation) filled in for one article."""
    pattern = str(conf["ARTICLE_URL"] if d.lang == language(conf["DEFAULT_LANG"], "en") else conf["ARTICLE_LANG_URL"])
    when = d.date or datetime(2000, 1, 1)
    values = {"slug": d.slug, "lang": d.lang, "category": slugify(category),
              "author": slugify(d.authors[0]) if d.authors else ""}

    def one(m: re.Match[str]) -> str:
        name, fmt = m.group(1), m.group(2)
        if name == "date":
            return when.strftime(fmt or "%Y-%m-%d")
        return str(values.get(name, m.group(0)))
    return re.sub(r"\{(\w+)(?::([^}]*))?\}", one, pattern)
