"""The new magazine written out: stories with the files they use, the contributor registry,
settings, redirects from the old addresses, the theme, and the import report.

Output depends only on the input (sorted, no clock), so importing again into the same folder
changes nothing; files an earlier import wrote that this one does not are removed (only those).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from masthead.domain.problems import UsageError
from masthead.domain.urls import RESERVED
from masthead.state import CODE
from masthead.site.redirects import OLD_PATH
from masthead.sources.frontmatter import dump_front_matter, dump_yaml
from masthead.sources.schemas import EMAIL_RE

from .body import outside_code
from .authors import AuthorMap, Registry, resolve_byline
from .dates import as_front_matter
from .model import Draft, OldSite, Person
from .place import Placed, Plan, line_of, naive, place_all, resolve_links
from .report import Report

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # never meant, and no feed may hold them
REPORT_JSON = "import-report.json"
REPORT_TEXT = "import-report.txt"
THEME = CODE.parent.parent / "theme"  # the theme that ships with masthead's repository


def write_magazine(site: OldSite, into: Path, amap: AuthorMap, report: Report, section: str = "") -> None:
    previous = _previous_import(into)
    for d in site.drafts:
        _clean(d, report)
    plan = place_all(site, report, section)
    registry = Registry()
    out = Output(into, report)
    first_day: dict[str, date] = {}
    for p in plan.placed:
        handles = _authors(p.draft, site, amap, registry, report)
        for h in handles:
            day = (p.draft.date or datetime(2000, 1, 1)).date()
            first_day[h] = min(first_day.get(h, day), day)
        out.text(f"content/{p.path}", _story_text(p, handles, plan, site, report))
        folder = p.path.rsplit("/", 1)[0]
        for name, source in sorted(p.draft.files.items()):
            out.copy(f"content/{folder}/{name}", source)
    for p in plan.pages:
        out.text(f"site_config/pages/{p.path}", _page_text(p, plan, site, report))
        for name in sorted(p.draft.files):
            report.missed(p.draft.source, line_of(p.draft), "page file", f"'{name}': stand-alone pages publish no "
                          "files; put it in a story, or on another host and link it from there")
    for handle, person in sorted(registry.people.items()):
        out.text(f"contributors/{handle}.yml", _person(handle, person, first_day.get(handle), out))
    out.text("site_config/magazine.yml", _settings(site, plan, report))
    out.text("site_config/mkdocs.yml", _mkdocs(site, report))
    out.text("site_config/redirects.yml", _redirects(plan, site, report))
    out.keep_dir("site_config/pages")
    out.text(".gitignore", "# made by masthead build\n/site/\n/.masthead-cache/\n.*.masthead-stage/\n.*.masthead-verify-*/\n")
    if THEME.is_dir():
        for path in sorted(THEME.rglob("*")):
            if path.is_file():
                out.copy(f"theme/{path.relative_to(THEME).as_posix()}", path)
    else:
        report.missed("(theme)", 0, "theme", f"masthead's theme was not found at {THEME}; "
                      "copy theme/ from masthead's repository into the new magazine")
    report.stories, report.people = len(plan.placed), len(registry.people)
    for stale in sorted(set(previous) - set(out.written)):
        target = into / stale
        if target.is_file() and not target.is_symlink():
            target.unlink()
    report.written = sorted(out.written)
    (into / REPORT_JSON).write_text(report.as_json(), encoding="utf-8")
    (into / REPORT_TEXT).write_text(report.as_text(), encoding="utf-8")


def _clean(d: Draft, report: Report) -> None:
    """Control characters (a form feed pasted from a PDF) removed from a draft's text."""
    found = 0
    for name in ("title", "body", "summary", "cover_alt"):
        value = getattr(d, name)
        cleaned = CONTROL.sub("", value)
        found += len(value) - len(cleaned)
        setattr(d, name, cleaned)
    d.tags = [CONTROL.sub("", t) for t in d.tags]
    d.authors = [CONTROL.sub("", a) for a in d.authors]
    if found:
        report.converted(d.source, line_of(d), "control characters", f"{found} removed")


def _previous_import(into: Path) -> list[str]:
    """What the last import wrote; a folder holding anything else is not ours to write into."""
    if not into.exists() or not any(into.iterdir()):
        return []
    record = into / REPORT_JSON
    if not record.is_file():
        raise UsageError(f"{into} is not empty and holds no {REPORT_JSON} from an earlier import; "
                         "import into a new folder (--into DIR)")
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise UsageError(f"{record} cannot be read; remove it or import into a new folder") from None
    return [w for w in data.get("written", []) if isinstance(w, str) and ".." not in w.split("/")]


class Output:
    """Writes files below the new magazine's folder, remembering each one."""

    def __init__(self, into: Path, report: Report) -> None:
        self.into, self.report, self.written = into, report, set[str]()

    def text(self, rel: str, text: str) -> None:
        self._write(rel, text.encode("utf-8"))

    def copy(self, rel: str, source: Path) -> None:
        self._write(rel, source.read_bytes())

    def keep_dir(self, rel: str) -> None:
        (self.into / rel).mkdir(parents=True, exist_ok=True)

    def _write(self, rel: str, data: bytes) -> None:
        target = self.into / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_bytes() != data:  # unchanged files keep their stamps
            target.write_bytes(data)
        self.written.add(rel)


def _authors(d: Draft, site: OldSite, amap: AuthorMap, registry: Registry, report: Report) -> list[str]:
    line = d.field_lines.get("authors", d.field_lines.get("author", 1))
    handles = resolve_byline(d.authors, site.people, amap, registry, report, d.source, line)
    if handles:
        return handles
    handle = amap.default or "editors"
    registry.add(handle, Person(amap.names.get(handle, f"{site.title} editors")))
    report.guessed(d.source, line_of(d, "authors"), "authors", f"no author named; credited to '{handle}' (set 'default:' in --authors)")
    return [handle]


def _story_text(p: Placed, handles: list[str], plan: Plan, site: OldSite, report: Report) -> str:
    d = p.draft
    fields: dict[str, Any] = {"title": _cut(d.title, 200, d, "title", report), "authors": handles,
                              "date": as_front_matter(d.date or datetime(2000, 1, 1)), "section": d.section}
    body = resolve_links(p, plan, site, report)
    summary = d.summary or _first_words(body)
    if summary and not d.summary:
        report.guessed(d.source, line_of(d, "summary"), "summary", "none given; the first words of the story used")
    if summary:
        fields["summary"] = _cut(EMAIL_RE.sub("(address removed)", summary), 600, d, "summary", report)
    seen: dict[str, str] = {}  # tags match case-insensitively: the first spelling is kept
    for tag in (str(t).strip()[:80] for t in d.tags):
        if tag:
            seen.setdefault(tag.lower(), tag)
    tags = list(seen.values())
    if tags:
        fields["tags"] = tags
    if d.lang != site.language:
        fields["lang"] = d.lang
    if p.translation_of:
        fields["translation_of"] = p.translation_of
    if p.slug_field:
        fields["slug"] = p.slug_field
    if d.cover:
        fields["cover"] = d.cover
        fields["cover_alt"] = d.cover_alt or d.title
        if not d.cover_alt:
            report.guessed(d.source, line_of(d, "cover_alt"), "cover_alt", "the cover had no description; the title used")
    if d.draft:
        fields["draft"] = True
    if d.updated and d.date and naive(d.updated) > naive(d.date):
        fields["updated"] = as_front_matter(d.updated)
    body = outside_code(body, lambda prose: re.sub(r"\n{3,}", "\n\n", prose))
    return dump_front_matter(fields) + "\n" + body.strip("\n") + "\n"


def _page_text(p: Placed, plan: Plan, site: OldSite, report: Report) -> str:
    d = p.draft
    fields: dict[str, Any] = {"title": _cut(d.title, 200, d, "title", report)}
    if d.lang != site.language:
        fields["lang"] = d.lang
    if d.summary:
        fields["summary"] = _cut(EMAIL_RE.sub("(address removed)", d.summary), 600, d, "summary", report)
    body = resolve_links(p, plan, site, report)
    body = outside_code(body, lambda prose: re.sub(r"\n{3,}", "\n\n", prose))
    return dump_front_matter(fields) + "\n" + body.strip("\n") + "\n"


def _cut(text: str, limit: int, d: Draft, name: str, report: Report) -> str:
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    report.guessed(d.source, d.field_lines.get(name, 1), name, f"longer than {limit} characters; shortened")
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _first_words(body: str) -> str:
    """The first paragraph of prose, as plain text, for a story that had no summary."""
    for block in re.split(r"\n\s*\n", body):
        if re.match(r"\s*(#|<h\d|<pre|<figure|<table|<ul|<ol)", block):
            continue
        text = re.sub(r"`[^`\n]*`|<[^>]+>|!\[[^\]]*\]\([^)]*\)|[*_#>]|\[([^\]]*)\]\([^)]*\)",
                      lambda m: m.group(1) or "", block)
        text = " ".join(text.split())
        if text and not block.lstrip().startswith(("```", "~~~", "|", "    ")):
            return text if len(text) <= 300 else text[:299].rsplit(" ", 1)[0] + "…"
    return ""


def _person(handle: str, person: Person, joined: date | None, out: Output) -> str:
    data: dict[str, Any] = {"name": CONTROL.sub("", person.name)[:120].strip() or handle, "roles": ["author"],
                            "joined": (joined or date(2000, 1, 1)).isoformat()}
    bio = CONTROL.sub("", EMAIL_RE.sub("(address removed)", person.bio or "")).strip()
    if bio:
        data["bio"] = bio[:1000]
    links = [{"label": label[:80], "url": url} for label, url in person.links
             if re.match(r"^https?://\S+$", url) and not EMAIL_RE.search(url)]
    if links:
        data["links"] = links
    if person.avatar is not None and person.avatar.is_file():
        name = f"{handle}{person.avatar.suffix.lower()}"
        out.copy(f"contributors/{name}", person.avatar)
        data["avatar"] = name
    return dump_yaml(data)


def _settings(site: OldSite, plan: Plan, report: Report) -> str:
    try:
        ZoneInfo(site.timezone)
        zone = site.timezone
    except (ZoneInfoNotFoundError, ValueError):
        report.guessed("(settings)", 0, "timezone", f"'{site.timezone}' is no IANA zone; UTC used")
        zone = "UTC"
    sections = [{"id": s, "title": plan.sections[s] or s.replace("-", " ").capitalize()}
                for s in sorted(plan.sections)] or [{"id": "stories", "title": "Stories"}]
    data = {"title": site.title or "Our magazine", "language": site.language, "languages": plan.languages,
            "timezone": zone, "sections": sections}
    head = "# Settings made by `masthead import`; every field is described in docs/content-model.md.\n"
    return head + dump_yaml(data)


def _mkdocs(site: OldSite, report: Report) -> str:
    url = site.url if re.match(r"^https?://", site.url or "") else ""
    if not url:
        report.guessed("(settings)", 0, "site_url", "the old site named no address; set site_url in site_config/mkdocs.yml")
        url = "https://magazine.example.org/"
    return ("# The MkDocs configuration of the magazine (docs/architecture.md).\n"
            + dump_yaml({"site_name": site.title or "Our magazine", "site_url": url.rstrip("/") + "/",
                         "docs_dir": "pages", "site_dir": "../site",
                         "theme": {"name": None, "custom_dir": "../theme/mkdocs"}, "plugins": ["masthead"]}))


def _redirects(plan: Plan, site: OldSite, report: Report) -> str:
    """The old address of every story -> its file, for the build's redirect pages (docs/import.md)."""
    table: dict[str, str] = {}
    taken = {p.url.strip("/") for p in plan.placed} | set(plan.sections) | set(plan.languages) | {""}
    pages = {p.url.strip("/") for p in plan.pages}
    for old, p in sorted(plan.old.items()):
        if not old or old.strip("/") == p.url.strip("/"):
            continue
        if old.strip("/") in taken or old.strip("/").split("/")[0] in RESERVED:
            report.missed(p.draft.source, line_of(p.draft), "old address",
                          f"'{old}' is another page on the new site; no redirect from it")
        elif not OLD_PATH.match(old) or any(part in (".", "..") for part in old.split("/")):
            report.missed(p.draft.source, line_of(p.draft), "old address",
                          f"'{old}' cannot be a file of a static site; redirect it on the host")
        elif old.strip("/") in pages:
            report.missed(p.draft.source, line_of(p.draft), "old address", f"'{old}' is a page on the new site")
        else:
            table[old] = "/" + p.url if p.draft.page else p.path
    report.redirects = len(table)
    head = ("# Old addresses kept working: each becomes a page that sends readers (and search engines)\n"
            "# to the story's new address, and a line of site/_redirects. See docs/import.md.\n")
    return head + dump_yaml({"redirects": table})
