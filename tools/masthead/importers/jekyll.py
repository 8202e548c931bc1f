"""Jekyll: `_posts/YYYY-MM-DD-title.md` (and `<category>/_posts/`), `_drafts/`, YAML front
matter, `_config.yml` permalinks (`date`, `pretty`, `ordinal`, `none` or a pattern),
`redirect_from` (jekyll-redirect-from), `_data/authors.yml`, Liquid and kramdown attributes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from . import liquid
from .dates import from_file_name
from .files import resolver, under
from .model import Draft, OldSite, Person
from .place import language, slugify
from .report import Report
from .tree import Source, as_list, finish_body, get, markdown_files, read_config, report_unread, take_cover

STYLES = {"date": "/:categories/:year/:month/:day/:title:output_ext",
          "pretty": "/:categories/:year/:month/:day/:title/",
          "ordinal": "/:categories/:year/:y_day/:title:output_ext",
          "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
          "none": "/:categories/:title:output_ext"}


def read(top: Path, report: Report, media: Path | None = None) -> OldSite:
    config = read_config(top / "_config.yml", report, top) or read_config(top / "_config.yaml", report, top)
    site = OldSite(str(get(config, "title", default="")), language(get(config, "lang", "locale", default="en"), "en"),
                   str(get(config, "timezone", default="UTC")),
                   str(get(config, "url", default="")).rstrip("/") + str(get(config, "baseurl", default="")))
    site.people = _people(top, report)
    permalink = str(get(config, "permalink", default="date"))
    pattern = STYLES.get(permalink, permalink)
    posts = [p for p in markdown_files(top) if "_posts" in p.relative_to(top).parts or
             p.relative_to(top).parts[0] == "_drafts"]
    names = {_post_name(p): p.relative_to(top).as_posix() for p in posts}
    for folder in sorted({p.parent for p in posts} | {top / "_posts"}):
        if folder.is_dir():
            report_unread(folder, (".html", ".htm", ".textile"), top, report, "post")
    for path in posts:
        d = _draft(Source(top, path, report), pattern, site, names, top, report)
        if d is not None:
            site.drafts.append(d)
    for path in markdown_files(top):
        rel = path.relative_to(top)
        if path not in posts and not rel.parts[0].startswith("_") and rel.parts[0] != "node_modules" \
                and path.name.lower() not in ("readme.md", "license.md", "changelog.md", "index.md", "404.md"):
            d = _page(Source(top, path, report), site, names, top, report)
            if d is not None:
                site.drafts.append(d)
    return site


def _post_name(path: Path) -> str:
    return path.stem


def _people(top: Path, report: Report) -> dict[str, Person]:
    data = read_config(top / "_data" / "authors.yml", report, top)
    out: dict[str, Person] = {}
    for key, v in data.items():
        if isinstance(v, dict):
            links = [("Website", str(v[k])) for k in ("url", "web", "website") if isinstance(v.get(k), str)]
            avatar = v.get("avatar") or v.get("image")
            path = under(top, avatar) if isinstance(avatar, str) and "://" not in avatar else None
            out[str(key)] = Person(str(v.get("name") or key), str(key), str(v.get("bio") or ""), links[:1], path)
    return out


def _draft(src: Source, pattern: str, site: OldSite, names: dict[str, str], top: Path, report: Report) -> Draft | None:
    if not src.read():
        return None
    rel = src.path.relative_to(top)
    is_draft = rel.parts[0] == "_drafts"
    file_date, title_part = from_file_name(src.path.stem)
    when = src.date("date") or file_date
    if when is None:
        when = src.mtime()
        report.guessed(src.rel, 1, "date", "no date; the file's modification time used")
    folder_cats = [p for p in rel.parts[: rel.parts.index("_posts")]] if "_posts" in rel.parts else []
    cats = folder_cats + as_list(src.field("categories", "category"))
    cats = [c for raw in cats for c in (raw.split() if " " in raw and raw == raw.strip() else [raw])]
    tags = src.field("tags")
    d = Draft(src.rel, src.head.body_line, src.rel, str(src.field("title", default="")), when, "",
              section=cats[0] if cats else "posts", slug=str(src.field("slug", default="") or title_part or src.path.stem),
              lang=str(src.field("lang", default="") or site.language),
              authors=as_list(src.field("authors", "author")), tags=(tags.split() if isinstance(tags, str) else as_list(tags)),
              summary=str(src.field("excerpt", "description", "summary", default="")),
              draft=is_draft or src.field("published") is False, updated=src.date("last_modified_at", "updated"),
              field_lines=src.head.lines)
    polyglot = src.field("permalink") if src.field("lang") else None  # jekyll-polyglot: one permalink, many langs
    d.group = str(src.field("ref", "lang_ref", "translation_key", default="") or polyglot or d.key)
    resolve = resolver(src.path.parent, [top], top)
    ctx = src.context({"site": {}}, lambda ref: _find(ref, names))
    d.body = finish_body(liquid.convert(src.head.body, ctx), d, ctx, resolve)
    take_cover(src.field("image", "cover", "header.image", "header.teaser", "feature_image"), d, resolve, report, src.rel)
    if not is_draft:
        own = src.field("permalink")
        d.old_urls.append(str(own) if own else expand(pattern, d, [slugify(c) for c in cats], title_part or src.path.stem))
        d.old_urls += [str(r) for r in as_list(src.field("redirect_from"))]
    return d


def _page(src: Source, site: OldSite, names: dict[str, str], top: Path, report: Report) -> Draft | None:
    """A Jekyll page (about.md): a stand-alone page at its `permalink` or its path."""
    if not src.read() or not src.head.data:
        return None
    rel = src.path.relative_to(top)
    d = Draft(src.rel, src.head.body_line, src.rel, str(src.field("title", default="")), None, "",
              slug=str(src.field("slug", default="") or rel.stem), lang=str(src.field("lang", default="") or site.language),
              summary=str(src.field("description", "excerpt", default="")), field_lines=src.head.lines, page=True)
    ctx = src.context({"site": {}}, lambda ref: _find(ref, names))
    d.body = finish_body(liquid.convert(src.head.body, ctx), d, ctx, resolver(src.path.parent, [top], top))
    d.old_urls.append(str(src.field("permalink", default="") or "/" + rel.with_suffix(".html").as_posix()))
    d.old_urls += [str(r) for r in as_list(src.field("redirect_from"))]
    return d


def _find(ref: str, names: dict[str, str]) -> str | None:
    """`{% post_url 2010-07-21-name %}` or `{% link _posts/2010-07-21-name.md %}`."""
    ref = ref.strip()
    if ref in names:
        return names[ref]
    stem = Path(ref).stem
    if stem in names:
        return names[stem]
    return None


def expand(pattern: str, d: Draft, categories: list[str], title: str) -> str:
    """A Jekyll permalink pattern for one post."""
    when = d.date
    assert when is not None
    values: dict[str, Any] = {
        "year": f"{when.year:04d}", "short_year": f"{when.year % 100:02d}", "month": f"{when.month:02d}",
        "i_month": str(when.month), "short_month": when.strftime("%b"), "long_month": when.strftime("%B"),
        "day": f"{when.day:02d}", "i_day": str(when.day), "y_day": f"{when.timetuple().tm_yday:03d}",
        "week": f"{when.isocalendar()[1]:02d}", "short_day": when.strftime("%a"), "long_day": when.strftime("%A"),
        "hour": f"{when.hour:02d}", "minute": f"{when.minute:02d}", "second": f"{when.second:02d}",
        "title": slugify(d.slug if d.slug != title else title), "slug": slugify(d.slug), "categories": "/".join(categories),
        "output_ext": ".html"}
    url = re.sub(r":(\w+)", lambda m: values.get(m.group(1), m.group(0)), pattern)
    return re.sub(r"/{2,}", "/", url)
