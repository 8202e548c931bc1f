"""The resolve stage: story records become stories, checked against settings, the registry
and each other (authors, sections, languages, translations, links, duplicate addresses)."""

from __future__ import annotations

import difflib
from datetime import datetime, timezone

from masthead.domain.contributors import Contributor
from masthead.domain.problems import Problem, Severity
from masthead.domain.site import Settings
from masthead.domain.slugs import is_slug, make_slug
from masthead.domain.stories import Story
from masthead.domain.submissions import name_collisions
from masthead.domain.typography import typeset_text
from masthead.domain.urls import RESERVED, PathRegistry, story_path

from .records import StoryRecord, is_remote


def _near(word: str, choices: list[str]) -> str:
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'? " if match else ""


def _aware(moment: datetime, settings: Settings) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=settings.timezone)


def _representable(moment: datetime) -> bool:
    """Whether the moment can be shown in any time zone (9999-12-31T23:00-12:00 is past
    datetime.max in UTC, and building its feed entry would overflow)."""
    try:
        moment.astimezone(timezone.utc)
    except OverflowError:
        return False
    return 1 < moment.year < 9999


def split_name(rel: str, languages: tuple[str, ...]) -> tuple[str, str | None]:
    """`river.fr.md` -> ('river', 'fr'); the suffix counts only for a known language."""
    stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if "." in stem:
        base, suffix = stem.rsplit(".", 1)
        if suffix in languages:
            return base, suffix
    return stem, None


def resolution_key(settings: Settings) -> str:
    """What `to_story` reads of the settings: records resolved under an equal key are kept resolved."""
    return repr((settings.language, settings.languages, [s.id for s in settings.sections], settings.timezone_name))


def resolve_record(record: StoryRecord, settings: Settings) -> StoryRecord:
    """Attach the story the record resolves to (and the problems found doing so); the front
    matter's fields, now in the story, are let go (the record cache stays small)."""
    record.story, record.story_problems = to_story(record, settings)
    record.fields = None
    return record


def to_story(record: StoryRecord, settings: Settings) -> tuple[Story | None, list[Problem]]:
    f = record.fields
    if f is None:
        return None, _section(record, record.loose["section"], settings) if "section" in record.loose else []
    rel, line = record.source, record.lines
    out: list[Problem] = []
    stem, suffix = split_name(rel, settings.languages)
    lang = f["lang"] or suffix or settings.language
    if lang not in settings.languages:
        out.append(Problem(rel, line.get("lang", 1), "lang", f"language '{lang}' is not one of the site's languages",
                           expected=", ".join(settings.languages),
                           fix="add it to 'languages' in site_config/magazine.yml or correct the code",
                           code="unknown-language"))
    slug = f["slug"] or stem
    if not is_slug(slug):
        out.append(Problem(rel, 0, "slug", f"file name '{stem}' cannot be an address",
                           expected="lower-case letters, digits and hyphens",
                           fix=f"rename the file to {make_slug(stem)}.md or set 'slug: {make_slug(stem)}'",
                           code="bad-slug"))
        slug = make_slug(stem)
    out += _section(record, f["section"], settings)
    date = _aware(f["date"], settings)
    updated = _aware(f["updated"], settings) if f["updated"] else None
    far = [name for name in ("date", "updated") if f[name] and not _representable(_aware(f[name], settings))]
    if far:  # the story cannot be placed in time: kept out, so nothing downstream meets the date
        return None, out + [Problem(rel, line.get(name, 1), name, "date out of range",
                                    expected="a year from 1900 to 9998", found=str(f[name]),
                                    fix="correct the year", code="impossible-date") for name in far]
    if date.year < 1900:
        out.append(Problem(rel, line.get("date", 1), "date", "impossible date", expected="a year after 1900",
                           found=str(f["date"]), code="impossible-date"))
    if updated and updated < date:
        out.append(Problem(rel, line.get("updated", 1), "updated", "updated before the story's date",
                           expected=f"on or after {date.isoformat()}", found=updated.isoformat(),
                           fix="correct 'updated' or 'date'", code="impossible-date"))
    if f["cover"] and not f["cover_alt"]:
        out.append(Problem(rel, line.get("cover", 1), "cover_alt", "the cover has no alt text",
                           fix="add 'cover_alt: ...' describing the image for readers who cannot see it",
                           code="missing-alt"))
    if not f["summary"]:
        out.append(Problem(rel, 1, "summary", "no summary: lists and feeds will show the first words",
                           Severity.WARNING, fix="add 'summary: ...' (one or two sentences)", code="no-summary"))
    images = tuple(ref for ref, _ in record.images if not is_remote(ref))
    if f["cover"] and not is_remote(f["cover"]):
        images += (f["cover"],)
    story = Story(
        source=rel, slug=slug, lang=lang, title=typeset_text(f["title"], lang), authors=tuple(f["authors"]),
        date=date, section=f["section"], digest=record.digest, summary=typeset_text(f["summary"], lang),
        tags=tuple(f["tags"]),
        places=tuple(f["places"]), cover=f["cover"], cover_alt=f["cover_alt"],
        cover_credit=f["cover_credit"],
        translation_of=f["translation_of"], promise=f["promise"], draft=f["draft"], updated=updated,
        submitted_via=f["submitted_via"], words=record.words, body_line=record.body_line,
        images=tuple(dict.fromkeys(images)), links=_linked(record), lines=line,
        downloads=tuple(dict.fromkeys(ref for ref, _ in record.downloads if ref not in images)))
    return story, out


def _section(record: StoryRecord, section: str, settings: Settings) -> list[Problem]:
    if settings.section(section) is not None:
        return []
    ids = [s.id for s in settings.sections]
    return [Problem(record.source, record.lines.get("section", 1), "section", f"unknown section '{section}'",
                    expected=", ".join(ids), fix=f"{_near(section, ids)}sections are listed in site_config/magazine.yml",
                    code="unknown-section")]


def _linked(record: StoryRecord) -> tuple[str, ...]:
    return tuple(sorted(set(record.link_targets))) if record.link_targets else ()


def resolve_stories(records: list[StoryRecord], settings: Settings, people: dict[str, Contributor],
                    left_out: frozenset[str] = frozenset()) -> tuple[list[Story], list[Problem]]:
    """Records (resolved when read: see `load.load_records`) checked against the registry and
    each other; a reference to a story `left_out` of the build (`build --keep-going`) is a
    warning, not an error: the story that makes it is fine, the one it names is not."""
    problems: list[Problem] = []
    stories: list[Story] = []
    for record in records:
        problems += record.problems
        problems += record.story_problems
        if record.story is not None:
            stories.append(record.story)
    problems += _authors(stories, people)
    problems += _loose_authors(records, people)
    problems += name_collisions(people)  # display names that look alike (see domain.submissions)
    by_content = {s.content_path: s for s in stories}
    problems += _translations(stories, by_content, left_out)
    problems += link_problems(records, by_content, left_out)
    problems += _addresses(stories, settings)
    return stories, problems


def _authors(stories: list[Story], people: dict[str, Contributor]) -> list[Problem]:
    return [_unknown_author(s.source, s.lines, h, people) for s in stories for h in s.authors if h not in people]


def _unknown_author(source: str, lines: dict[str, int], handle: str, people: dict[str, Contributor]) -> Problem:
    return Problem(source, lines.get("authors", 1), "authors", f"unknown contributor '{handle}'",
                   fix=f"{_near(handle, sorted(people))}register them in contributors/{handle}.yml", code="unknown-author")


def _loose_authors(records: list[StoryRecord], people: dict[str, Contributor]) -> list[Problem]:
    """Unknown authors of stories whose front matter failed its schema (see `records.loose_fields`)."""
    return [_unknown_author(r.source, r.lines, h, people) for r in records if r.story is None
            for h in r.loose.get("authors", []) if h not in people]


def _left_out(source: str, field: str, line: int, target: str, what: str) -> Problem:
    return Problem(source, line, field, f"{what} {target}, which has errors and is left out of this build",
                   Severity.WARNING, fix=f"fix content/{target} (its errors are listed with it)", code="left-out")


def _translations(stories: list[Story], by_content: dict[str, Story],
                  left_out: frozenset[str] = frozenset()) -> list[Problem]:
    out = []
    for s in stories:
        if not s.translation_of:
            continue
        target = by_content.get(s.translation_of.removeprefix("content/"))
        line = s.lines.get("translation_of", 1)
        if target is None and "content/" + s.translation_of.removeprefix("content/") in left_out:
            out.append(_left_out(s.source, "translation_of", line, s.translation_of.removeprefix("content/"),
                                 "a translation of"))
        elif target is None:
            near = _near(s.translation_of, sorted(by_content))
            out.append(Problem(s.source, line, "translation_of", f"no story at '{s.translation_of}'",
                               expected="a path below content/, such as city/river.md",
                               fix=near.strip() or "check the path", code="translation-target"))
        elif target is s or target.lang == s.lang:
            out.append(Problem(s.source, line, "translation_of",
                               "a translation must point to a story in another language",
                               found=f"{target.source} ({target.lang})", code="translation-target"))
    return out


def link_problems(records: list[StoryRecord], by_content: dict[str, Story],
                  left_out: frozenset[str] = frozenset()) -> list[Problem]:
    """Links of the records' bodies to stories that are not in `by_content`."""
    out = []
    for r in records:
        for (target, line), path in zip(r.md_links, r.link_targets):
            if path not in by_content and "content/" + path in left_out:
                out.append(_left_out(r.source, "body", line, path, "a link to"))
            elif path not in by_content:
                out.append(Problem(r.source, line, "body", f"link to a story that does not exist: {target}",
                                   fix="correct the path, relative to this file", code="broken-link"))
    return out


def _addresses(stories: list[Story], settings: Settings) -> list[Problem]:
    registry = PathRegistry()
    out = []
    reserved = set(RESERVED) | set(settings.languages)
    for s in settings.sections:
        if s.id in reserved:
            out.append(Problem("site_config/magazine.yml", 0, "sections", f"section id '{s.id}' is a reserved address",
                               fix=f"reserved: {', '.join(sorted(reserved))}", code="reserved"))
        registry.claim(f"{s.id}/", "site_config/magazine.yml")
    for story in stories:
        path = story_path(story, settings.language)
        earlier = registry.claim(path, story.source)
        if earlier:
            out.append(Problem(story.source, 0, "slug", f"duplicate URL /{path}: {earlier} has it too",
                               fix="rename one of the files or set a different 'slug'", code="duplicate-url"))
    return out
