"""Load and resolve the whole magazine: the entry of `check` and `build`."""

from __future__ import annotations

import hashlib
from concurrent.futures import Executor
from pathlib import Path
from typing import Callable

from masthead.domain.magazine import Magazine, StaticPage
from masthead.domain.problems import Problem, sort_problems
from masthead.domain.slugs import is_slug
from masthead.domain.urls import RESERVED

from .frontmatter import parse_story
from .config_cache import ConfigCache, through
from .load import RecordCache, load_contributors, load_records, load_settings, walk
from .promises import load_promise_data
from .resolve import resolution_key, resolve_stories


def load_pages(root: Path, languages: tuple[str, ...], default_lang: str,
               cache: ConfigCache | None = None) -> tuple[list[StaticPage], list[Problem]]:
    files, problems = walk(root, "site_config/pages", (".md",))
    pages, more = through(cache, "pages", files, (languages, default_lang),
                          lambda: _pages(root, files, default_lang))
    return pages, problems + more


def _pages(root: Path, files: list[str], default_lang: str) -> tuple[list[StaticPage], list[Problem]]:
    from .schemas import PageFields, validate  # pydantic: only when a page changed

    problems: list[Problem] = []
    pages = []
    for rel in files:
        raw = (root / rel).read_bytes()
        parsed = parse_story(rel, raw)
        problems += parsed.problems
        if parsed.data is None:
            continue
        model, more = validate(PageFields, parsed.data, rel, parsed.lines)
        problems += more
        slug = rel.rsplit("/", 1)[1][:-3]
        if not is_slug(slug) or slug in RESERVED:
            problems.append(Problem(rel, 0, "", f"'{slug}' cannot be a page address",
                                    fix="use lower-case letters, digits and hyphens, and not a reserved word",
                                    code="bad-slug"))
            continue
        if model is not None:
            pages.append(StaticPage(rel, slug, model.title, model.lang or default_lang,
                                    hashlib.blake2b(raw, digest_size=16).hexdigest()))
    return pages, problems


def load_magazine(root: Path, *, use_cache: bool = True, executor: Executor | None = None,
                  url: str | None = None, leave_out: frozenset[str] = frozenset(),
                  between: Callable[[], None] = lambda: None) -> tuple[Magazine | None, list[Problem]]:
    """Every file read and checked; the magazine is None only when the settings are unusable.
    Stories and contributors whose files are in `leave_out` are read but not part of it
    (`build --keep-going`, sources/keep_going.py). `between` is called between the steps
    (`masthead serve` gives a load up when a newer save comes: it raises)."""
    config = ConfigCache(root) if use_cache else None
    settings, problems = load_settings(root, url, config)
    people, more = load_contributors(root, config)
    problems += more
    if leave_out:
        people = {handle: p for handle, p in people.items() if p.source not in leave_out}
    if settings is None:
        return None, sort_problems(problems)
    between()
    cache = RecordCache.at(root, resolution_key(settings)) if use_cache else None
    records, more = load_records(root, settings, cache, executor)
    problems += more
    if leave_out:
        records = [r for r in records if r.source not in leave_out]
    between()
    stories, more = resolve_stories(records, settings, people, leave_out)
    problems += more
    between()
    pages, more = load_pages(root, settings.languages, settings.language, config)
    problems += more
    # promises (sources/promises.py): topics and promises, checked against people and stories
    topics, promises, more = load_promise_data(root, people, stories, settings, config)
    problems += more
    if cache is not None:
        cache.save()
    if config is not None:
        config.save()
    magazine = Magazine(settings, people, stories, pages, sort_problems(problems), topics=topics, promises=promises)
    magazine.sort()
    return magazine, magazine.problems
