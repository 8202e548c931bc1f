"""Newsletter editions in: `content/newsletter/<date>[.<lang>].md` to `Edition`s, every problem collected."""

from __future__ import annotations

import hashlib
import os
import re
from datetime import date
from pathlib import Path

from masthead.domain.newsletter import Edition
from masthead.domain.problems import Problem
from masthead.domain.site import Settings

from .config_cache import ConfigCache
from .frontmatter import dump_front_matter, parse_story

FOLDER = "content/newsletter"
NAME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\.([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?))?\.md$")
MAX_BYTES = 200_000  # an editors' note, not a book


def cached_editions(root: Path, settings: Settings) -> tuple[list[Edition], list[Problem]]:
    """`load_editions`, or its result from the config cache while no edition's file changed
    (a build that reads no YAML imports no pydantic: see config_cache.py)."""
    try:
        names = sorted(e.name for e in os.scandir(root / FOLDER))
    except (FileNotFoundError, NotADirectoryError):
        return [], []
    if not any(name.endswith(".md") for name in names):
        return [], []
    cache = ConfigCache(root)
    result = cache.get("newsletter", [f"{FOLDER}/{name}" for name in names], repr(settings),
                       lambda: load_editions(root, settings))
    cache.save()
    return result


def load_editions(root: Path, settings: Settings) -> tuple[list[Edition], list[Problem]]:
    """Every edition, oldest first. Links are not followed: an edition is a file of this folder."""
    folder = root / FOLDER
    editions: list[Edition] = []
    problems: list[Problem] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return [], []
    for entry in entries:
        rel = f"{FOLDER}/{entry.name}"
        if entry.name.startswith(".") or not entry.name.endswith(".md"):
            continue
        if entry.is_symlink() or not entry.is_file():
            problems.append(Problem(rel, 0, "", "an edition must be a plain file, not a link",
                                    fix="copy the file into content/newsletter/", code="newsletter-link"))
            continue
        edition, more = load_edition(root, rel, settings)
        problems += more
        if edition is not None:
            editions.append(edition)
    return editions, problems


def load_edition(root: Path, rel: str, settings: Settings) -> tuple[Edition | None, list[Problem]]:
    name = rel.rsplit("/", 1)[-1]
    m = NAME_RE.match(name)
    day = _day(m.group(1)) if m else None
    if m is None or day is None:
        return None, [Problem(rel, 0, "", "not an edition's file name", expected="YYYY-MM-DD.md or YYYY-MM-DD.<lang>.md",
                              found=repr(name), fix="name it after the edition's date, e.g. 2026-11-30.fr.md",
                              code="newsletter-name")]
    lang = m.group(2) or settings.language
    if lang not in settings.languages:
        return None, [Problem(rel, 0, "", f"language '{lang}' is not one of the magazine's",
                              expected=", ".join(settings.languages), fix="add it to languages in site_config/magazine.yml",
                              code="newsletter-lang")]
    from .schemas import NewsletterFields, validate  # pydantic: only when an edition is read again

    raw = (root / rel).read_bytes()
    parsed = parse_story(rel, raw, MAX_BYTES)
    if parsed.data is None:
        return None, parsed.problems
    model, problems = validate(NewsletterFields, parsed.data, rel, parsed.lines)
    if model is None:
        return None, parsed.problems + problems
    made = model.made if model.made is None or model.made.tzinfo else model.made.replace(tzinfo=settings.timezone)
    return Edition(source=rel, day=day, lang=lang, title=model.title, note=parsed.body.strip("\n"),
                   stories=tuple(model.stories), made=made,
                   digest=hashlib.blake2b(raw, digest_size=16).hexdigest()), parsed.problems


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def edition_text(edition: Edition) -> str:
    """The file of an edition: its front matter (through the safe dumper), then the note."""
    fields: dict[str, object] = {}
    if edition.title:
        fields["title"] = edition.title
    if edition.made is not None:
        fields["made"] = edition.made.isoformat(timespec="seconds")
    fields["stories"] = list(edition.stories)
    note = edition.note.strip("\n")
    return dump_front_matter(fields) + ("\n" + note + "\n" if note else "")
