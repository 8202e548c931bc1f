"""Where each draft goes in the new magazine: section, slug, language, file, translations;
then links between stories and old addresses, resolved against those places."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import unquote, urlsplit

from masthead.domain.slugs import make_slug
from masthead.domain.urls import RESERVED

from .body import STORY
from .files import HTML_URL, MD_LINK, is_page
from .model import Draft, OldSite
from .report import Report
from .tree import MARKDOWN

LANG = re.compile(r"^([a-z]{2,3})(?:[-_]([A-Za-z0-9]{2,8}))?$")
EPOCH = datetime(2000, 1, 1)


def line_of(d: Draft, name: str = "") -> int:
    """Where to point the report for a field of `d`: its line, the front matter's first line,
    or (export files) the post's line."""
    return d.field_lines.get(name) or (1 if d.source.endswith(MARKDOWN) else max(d.line, 1))


def slugify(text: str, fallback: str = "story") -> str:
    """An address word for any script (transliterated, as masthead makes them)."""
    slug = make_slug(str(text))
    return fallback if slug == "untitled" and "untitled" not in str(text).lower() else slug


def language(code: str, fallback: str) -> str:
    """`en-US`, `en_GB`, `EN` -> `en`: the primary subtag, which the site's interface uses."""
    m = LANG.match(str(code or "").strip().lower().replace("_", "-"))
    return m.group(1) if m else fallback


@dataclass
class Placed:
    draft: Draft
    path: str  # below content/, e.g. city/river/river.fr.md
    url: str  # the new address, site-relative with a trailing slash
    translation_of: str = ""
    slug_field: str = ""  # set when the slug differs from the file name


@dataclass
class Plan:
    placed: list[Placed] = field(default_factory=list)
    pages: list[Placed] = field(default_factory=list)  # stand-alone pages, below site_config/pages/
    by_key: dict[str, Placed] = field(default_factory=dict)
    by_source: dict[str, Placed] = field(default_factory=dict)  # the old site's file -> its new place
    old: dict[str, Placed] = field(default_factory=dict)  # normalised old address -> story
    sections: dict[str, str] = field(default_factory=dict)
    languages: list[str] = field(default_factory=list)


def place_all(site: OldSite, report: Report, one_section: str = "") -> Plan:
    plan = Plan()
    groups: dict[str, list[Draft]] = {}
    codes = {language(d.lang, site.language) for d in site.drafts} | {site.language}
    for d in site.drafts:
        if d.page:
            continue
        _normalise(d, site, report, one_section, codes)
        groups.setdefault(d.group or d.key, []).append(d)
    taken: set[tuple[str, str, str]] = set()
    for name in sorted(groups):
        _place_group(groups[name], site, plan, taken, report)
    for p in plan.placed:
        plan.sections.setdefault(p.draft.section, site.sections.get(p.draft.section, ""))
    _place_pages([d for d in site.drafts if d.page], site, plan, report, codes)
    for p in [*plan.placed, *plan.pages]:
        plan.by_key[p.draft.key] = p
        plan.by_source[p.draft.source] = p
        for old in p.draft.old_urls:
            plan.old.setdefault(normal_path(old, site.url), p)
    langs = sorted({p.draft.lang for p in plan.placed} - {site.language})
    plan.languages = [site.language, *langs]
    return plan


def naive(moment: datetime | None) -> datetime:
    """A moment comparable with any other (zones dropped): for ordering, never for output."""
    return (moment or EPOCH).replace(tzinfo=None)


def _normalise(d: Draft, site: OldSite, report: Report, one_section: str, codes: set[str]) -> None:
    d.lang = language(d.lang, site.language)
    section = one_section or slugify(d.section, "stories")
    if section in RESERVED or section in codes:
        report.guessed(d.source, d.field_lines.get("section", 1), "section",
                       f"'{section}' is a reserved address; the section is called '{section}-section'")
        section += "-section"
    d.section = section
    d.slug = slugify(d.slug or d.title)
    if d.date is None:
        report.missed(d.source, line_of(d, "date"), "date", "no date in the front matter, file name or path; "
                      "imported as a draft dated 2000-01-01: set the date and remove 'draft'")
        d.date, d.draft = EPOCH, True
    if not d.title.strip():
        d.title = d.slug.replace("-", " ").capitalize()
        report.guessed(d.source, line_of(d, "title"), "title", f"no title; '{d.title}' made from the file name")


def _place_pages(pages: list[Draft], site: OldSite, plan: Plan, report: Report, codes: set[str]) -> None:
    """Stand-alone pages live at `/<name>/`: a name no section, language or reserved address has."""
    used = set(plan.sections) | set(RESERVED) | codes
    for d in sorted(pages, key=lambda d: d.key):
        if not re.sub(r"<[^>]*>|\s", "", d.body):
            report.missed(d.source, line_of(d), "page", "nothing but template code (a list, an archive); left out")
            continue
        d.lang = language(d.lang, site.language)
        d.slug = slugify(d.slug or d.title, "page")
        if not d.title.strip():
            d.title = d.slug.replace("-", " ").capitalize()
            report.guessed(d.source, line_of(d, "title"), "title", f"no title; '{d.title}' made from the file name")
        name, n = d.slug, 2
        while name in used:
            name, n = f"{d.slug}-{n}", n + 1
        if name != d.slug:
            report.guessed(d.source, line_of(d), "page", f"'/{d.slug}/' is taken on the new site; the page is at '/{name}/'")
        used.add(name)
        report.converted(d.source, line_of(d), "page", f"a stand-alone page: site_config/pages/{name}.md")
        plan.pages.append(Placed(d, f"{name}.md", f"{name}/"))


def _place_group(members: list[Draft], site: OldSite, plan: Plan, taken: set[tuple[str, str, str]],
                 report: Report) -> None:
    members.sort(key=lambda d: (d.lang != site.language, naive(d.date), d.key))
    first = members[0]
    base = first.slug
    n = 2
    while any((first.section, base, d.lang) in taken for d in members):
        base = f"{first.slug}-{n}"
        n += 1
    if base != first.slug:
        report.guessed(first.source, line_of(first, "slug"), "slug", f"'{first.slug}' is taken in '{first.section}'; '{base}' used")
    folder = f"{first.section}/{base}/" if any(d.files for d in members) else f"{first.section}/"
    seen: set[str] = set()
    original = ""
    for d in members:
        if d.lang in seen:  # two versions in one language: the second stands alone
            report.guessed(d.source, line_of(d, "translation"), "translation", f"a second '{d.lang}' version; imported as its own story")
            d.group = ""
            _place_group([d], site, plan, taken, report)
            continue
        seen.add(d.lang)
        own = d.slug if d.slug != first.slug else base
        if (d.section, own, d.lang) in taken:
            own = base
        d.section = first.section
        suffix = "" if d.lang == site.language else f".{d.lang}"
        path = f"{folder}{base}{suffix}.md"
        prefix = "" if d.lang == site.language else f"{d.lang}/"
        p = Placed(d, path, f"{prefix}{d.section}/{own}/", slug_field=own if own != base else "")
        if original:
            p.translation_of = original
            report.converted(d.source, line_of(d), "translation", f"linked to {original} ({first.lang})")
        else:
            original = path
        taken.add((d.section, own, d.lang))
        plan.placed.append(p)


def normal_path(url: str, base: str = "") -> str:
    """An old address as a site path: `/2020/12/02/x/`, `/posts/x.html`, without host or `index.html`."""
    parts = urlsplit(url.strip())
    if parts.netloc:
        own = urlsplit(base).netloc if base else ""
        if not own or parts.netloc.lower() != own.lower():
            return ""
    path = unquote(parts.path or "/")
    base_path = urlsplit(base).path.rstrip("/") if base else ""
    if parts.netloc and base_path and path.startswith(base_path + "/"):
        path = path[len(base_path):]
    path = "/" + posixpath.normpath("/" + path).lstrip("/") + ("/" if path.endswith("/") else "")
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    if not path.endswith("/") and not posixpath.splitext(path)[1]:
        path += "/"
    return path.replace("//", "/")


def resolve_links(p: Placed, plan: Plan, site: OldSite, report: Report) -> str:
    """Story placeholders and links to old addresses as paths to the stories' new files."""
    here = posixpath.dirname(p.path)
    body = p.draft.body

    def to(target: Placed, anchor: str = "") -> str:
        if target.draft.page or p.draft.page:  # pages are not below content/: their addresses
            return address(target, anchor)
        return posixpath.relpath(target.path, here or ".") + anchor

    def address(target: Placed, anchor: str = "") -> str:
        """For HTML bodies, whose links `check` does not read: the new address, relative to this page."""
        return posixpath.relpath("/" + target.url, "/" + p.url) + "/" + anchor

    def story(m: re.Match[str]) -> str:
        key, _, anchor = m.group(1).partition("#")
        target = plan.by_key.get(key)
        return to(target, f"#{anchor}" if anchor else "") if target else "#"


    def old(url: str, at: int, html: bool = False) -> str | None:
        if not (url.startswith("/") or (site.url and url.startswith(site.url.rstrip("/")))) or not is_page(url) \
                or normal_path(url, site.url) == "/":
            return None
        path, _, anchor = url.partition("#")
        target = plan.old.get(normal_path(path, site.url))
        if target is None:
            report.missed(p.draft.source, p.draft.line + body.count("\n", 0, at), "link",
                          f"'{url}' is no imported story; it will not work on the new site unless that page is added")
            return None
        return (address if html else to)(target, f"#{anchor}" if anchor else "")

    def relative(url: str, at: int) -> str | None:
        """`[x](../other.md)`, written against the old site's files: the other story's new file."""
        path, _, anchor = url.partition("#")
        if not path.lower().endswith((".md", ".markdown")) or ":" in path or path.startswith("/"):
            return None
        target = plan.by_source.get(posixpath.normpath(posixpath.join(posixpath.dirname(p.draft.source), unquote(path))))
        if target is None:
            report.missed(p.draft.source, p.draft.line + body.count("\n", 0, at), "link",
                          f"'{url}' is no imported story; the link goes nowhere until you fix it")
            return "#"
        return to(target, f"#{anchor}" if anchor else "")

    def md_relative(m: re.Match[str]) -> str:
        new = relative(m.group(3).strip("<>"), m.start()) if m.group(1) != "!" else None
        return m.group(0) if new is None else f"[{m.group(2)}]({new}{m.group(4)})"

    def md(m: re.Match[str]) -> str:
        url = m.group(3).strip("<>")
        new = old(url, m.start()) if m.group(1) != "!" else None
        return m.group(0) if new is None else f"[{m.group(2)}]({new}{m.group(4)})"

    def attr(m: re.Match[str]) -> str:
        new = old(m.group(3), m.start(), True) if m.group(1).strip().lower().startswith("href") else None
        return m.group(0) if new is None else f"{m.group(1)}{m.group(2)}{new}{m.group(2)}"

    body = MD_LINK.sub(md_relative, body)  # links to the old site's files, before any is rewritten
    body = re.sub(re.escape(STORY) + r"([^)\s\"'>]+)", story, body)
    return HTML_URL.sub(attr, MD_LINK.sub(md, body))
