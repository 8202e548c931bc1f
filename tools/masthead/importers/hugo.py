"""Hugo: `content/` (or one content folder per language), front matter in YAML, TOML or JSON,
page bundles, `static/`, permalinks and aliases, shortcodes, Goldmark attributes."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from . import shortcodes
from .dates import from_file_name, from_path
from .files import resolver
from .model import Draft, OldSite, Person
from .place import language, slugify
from .report import Report
from .tree import (Source, as_list, finish_body, first_config, get, markdown_files, read_config, report_unread,
                   take_cover)

CONFIGS = ["hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config.toml", "config.yaml", "config.yml",
           "config.json", "config/_default/hugo.toml", "config/_default/config.toml",
           "config/_default/hugo.yaml", "config/_default/config.yaml"]


def read(top: Path, report: Report, media: Path | None = None) -> OldSite:
    config = first_config(top, CONFIGS, report)
    default = language(get(config, "defaultContentLanguage", "languageCode", default="en"), "en")
    site = OldSite(str(get(config, "title", default="")), default, str(get(config, "timeZone", default="UTC")),
                   str(get(config, "baseURL", default="")))
    roots = _content_roots(top, config, default)
    static = [top / str(s) for s in as_list(get(config, "staticDir", default="static"))]
    params = dict(get(config, "params", default={}) or {})
    site.people = _people(top, report)
    table = get(config, "permalinks", default={}) or {}
    page = table.get("page") if isinstance(table, dict) else None
    table = {**table, **(page if isinstance(page, dict) else {})}
    permalinks = {str(k): str(v) for k, v in table.items() if isinstance(v, str)}
    files: list[tuple[Source, Path, str]] = []
    for _, base in roots:
        report_unread(base, (".html", ".htm", ".org", ".adoc", ".asciidoc", ".rst", ".pandoc", ".pdc"), top, report,
                      "content file")
    for lang, base in roots:
        for path in markdown_files(base):
            files.append((Source(top, path, report), base, lang))
    known: dict[str, dict[str, str]] = {}  # path below the content folder -> language -> file
    for s, base, lang in files:
        known.setdefault(_key(s.path, base), {})[lang or _file_lang(s.path) or site.language] = s.rel
    names = _names(known)
    for src, base, lang in files:
        draft = _draft(src, base, lang, site, params, permalinks, static, (known, names), report)
        if draft is not None:
            site.drafts.append(draft)
    return site


def _content_roots(top: Path, config: dict[str, Any], default: str) -> list[tuple[str, Path]]:
    """Hugo's `languages.<code>.contentDir`, else one `content/` (with `content/<lang>/` seen
    as per-language folders when the config lists those languages)."""
    langs = get(config, "languages", default={}) or {}
    roots = [(language(code, default), top / str(get(v, "contentDir")))
             for code, v in langs.items() if isinstance(v, dict) and get(v, "contentDir")]
    if roots:
        return roots
    content = top / str(get(config, "contentDir", default="content"))
    codes = {language(c, "") for c in langs} - {""}
    split_ = [(c, content / c) for c in sorted(codes) if (content / c).is_dir()]
    return split_ or [("", content)]


def _key(path: Path, base: Path) -> str:
    """A draft's identity: its path below the content folder, without a language suffix."""
    rel = path.relative_to(base).as_posix()
    return re.sub(r"\.[a-z]{2,3}(?:-[A-Za-z]+)?(\.[^.]+)$", r"\1", rel)


def _people(top: Path, report: Report) -> dict[str, Person]:
    """`data/authors/<slug>.(yml|toml|json)` and `content/authors/<slug>/_index.md`."""
    people: dict[str, Person] = {}
    for path in sorted((top / "data" / "authors").glob("*")) if (top / "data" / "authors").is_dir() else []:
        data = read_config(path, report, top)
        if data:
            people[path.stem] = _person(path.stem, data)
    for path in sorted((top / "content" / "authors").glob("*/_index.md")):
        src = Source(top, path, report)
        if src.read():
            people[path.parent.name] = _person(path.parent.name, {**src.head.data, "bio": src.head.body.strip()})
    return people


def _person(key: str, data: dict[str, Any]) -> Person:
    name = str(get(data, "name", "title", default=key))
    links = [(str(k).capitalize(), str(v)) for k, v in (get(data, "social", default={}) or {}).items()
             if isinstance(v, str) and v.startswith("http")]
    if get(data, "website", "url"):
        links.insert(0, ("Website", str(get(data, "website", "url"))))
    return Person(name, key, str(get(data, "bio", "description", default="")), links)


def _draft(src: Source, base: Path, lang: str, site: OldSite, params: dict[str, Any],
           permalinks: dict[str, str], static: list[Path],
           index: tuple[dict[str, dict[str, str]], dict[str, list[str]]], report: Report) -> Draft | None:
    known, names = index
    rel_in = src.path.relative_to(base).as_posix()
    if src.path.name.startswith("_index.") or rel_in.startswith("authors/"):
        if src.read() and src.path.name.startswith("_index.") and "/" in rel_in:
            site.sections.setdefault(slugify(rel_in.split("/")[0]), str(src.field("title", default="")))
        return None
    if not src.read():
        return None
    if src.field("headless") is True:
        report.missed(src.rel, 1, "headless page", "not a story; left out")
        return None
    parts = rel_in.split("/")
    bundle = src.path.stem.split(".")[0] == "index"
    stem = parts[-2] if bundle and len(parts) > 1 else src.path.stem.split(".")[0]
    file_lang = _file_lang(src.path)
    file_date, file_slug = from_file_name(stem)
    when = src.date("date", "publishDate", "pubDate", "published") or file_date or from_path(rel_in)
    page = (len(parts) == 1 or bundle and len(parts) == 2) and when is None
    if when is None and not page:
        when = src.mtime()
        report.guessed(src.rel, 1, "date", "no date; the file's modification time used")
    section = parts[0] if len(parts) > 1 and not (bundle and len(parts) == 2) else "posts"
    slug = str(src.field("slug", default="") or file_slug or stem)
    d = Draft(src.rel, src.head.body_line, src.rel, str(src.field("title", "linkTitle", default="")),
              when, "", section=section, slug=slug, lang=lang or file_lang or site.language,
              authors=as_list(src.field("authors", "author", "params.author", "params.authors")),
              tags=as_list(src.field("tags")) + as_list(src.field("categories")),
              summary=str(src.field("summary", "description", default="")), draft=src.field("draft") is True,
              updated=src.date("lastmod", "updated"), field_lines=src.head.lines, page=page)
    d.group = str(src.field("translationKey", default="") or _key(src.path, base))
    resolve = resolver(src.path.parent, static, src.top)
    page_params = {**params, **src.head.data, **(src.field("params", default={}) or {})}
    ctx = src.context({"site": {"params": params}, **page_params}, _finder(known, names, rel_in, d.lang))
    body = shortcodes.hugo(src.head.body, ctx)
    d.body = finish_body(body, d, ctx, resolve)
    take_cover(src.field("cover", "images", "image", "featured_image", "featureImage", "params.image"),
               d, resolve, report, src.rel)
    _old_urls(d, src, rel_in, permalinks, site, str(src.field("slug", default="") or stem))
    return d


def _file_lang(path: Path) -> str:
    return language(path.stem.split(".")[1], "") if path.stem.count(".") == 1 else ""


def _finder(known: dict[str, dict[str, str]], names: dict[str, list[str]], here: str, lang: str) -> Any:
    """`ref`/`relref` targets: a path below content/, relative to this page, or a bare name."""
    def find(ref: str) -> str | None:
        ref = ref.strip().strip("\"'")
        candidates = [ref.lstrip("/"), posixpath.normpath(posixpath.join(posixpath.dirname(here), ref))]
        hits = [known[key] for c in candidates
                for key in (c, c + ".md", c.rstrip("/") + "/index.md", c.rstrip("/") + "/_index.md") if key in known]
        same = [h[lang] for h in hits if lang in h]
        if same or hits:
            return same[0] if same else next(iter(hits[0].values()))
        by_name = names.get(ref.rstrip("/").removesuffix(".md"), [])
        return next(iter(known[by_name[0]].values())) if len(by_name) == 1 else None  # only if unambiguous
    return find


def _names(known: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    """A page's name (its file's, or its bundle folder's) -> its paths, for `ref "name"`."""
    names: dict[str, list[str]] = {}
    for key in known:
        base = posixpath.basename(key).removesuffix(".md")
        names.setdefault(posixpath.basename(posixpath.dirname(key)) if base == "index" else base, []).append(key)
    return names


def _old_urls(d: Draft, src: Source, rel_in: str, permalinks: dict[str, str], site: OldSite, name: str) -> None:
    """Where Hugo published the page: `url`, the section's permalink pattern, or its path;
    then each alias (relative ones are relative to the page's section)."""
    prefix = "" if d.lang == site.language else f"/{d.lang}"
    section_dirs = "/".join(rel_in.split("/")[:-2 if src.path.stem.startswith("index") else -1])
    url = src.field("url")
    if url:
        d.old_urls.append(str(url))
    else:
        pattern = permalinks.get(rel_in.split("/")[0])
        if pattern and "/" in rel_in:
            d.old_urls.append(prefix + expand(pattern, d, section_dirs, src.path, str(src.field("slug", default=""))))
        else:
            d.old_urls.append(f"{prefix}/{section_dirs + '/' if section_dirs else ''}{_urlize(name)}/")
    for alias in as_list(src.field("aliases")):
        d.old_urls.append(alias if alias.startswith("/") else f"{prefix}/{section_dirs}/{alias}")


def _base_name(path: Path) -> str:
    """The page's name: its file's, or its bundle folder's for `index.md`."""
    stem = path.stem.split(".")[0]
    return path.parent.name if stem == "index" else stem


def _urlize(text: str) -> str:
    """Hugo's `urlize`: lower case, spaces as hyphens, other punctuation dropped."""
    return re.sub(r"[^\w./-]", "", re.sub(r"\s+", "-", text.strip().lower()))


def expand(pattern: str, d: Draft, sections: str, path: Path, slug: str = "") -> str:
    """A Hugo permalink pattern (`/:year/:month/:slug/`) for one page."""
    when = d.date
    assert when is not None
    values = {"year": f"{when.year:04d}", "month": f"{when.month:02d}", "monthname": when.strftime("%B").lower(),
              "day": f"{when.day:02d}", "weekday": str(when.isoweekday() % 7), "yearday": str(when.timetuple().tm_yday),
              "section": sections.split("/")[0], "sections": sections, "title": _urlize(d.title),
              "slug": _urlize(slug or d.title), "filename": path.stem.split(".")[0],
              "slugorfilename": _urlize(slug or path.stem.split(".")[0]),
              "slugorcontentbasename": _urlize(slug or _base_name(path)),
              "contentbasename": _base_name(path)}
    return re.sub(r":(\w+)", lambda m: values.get(m.group(1), m.group(0)), pattern)

