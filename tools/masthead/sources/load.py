"""The load stage: files in the repository to settings, contributors and story records.

Every problem is collected; nothing here raises for bad content.
"""

from __future__ import annotations

import os
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from masthead.domain.contributors import Contributor, Link
from masthead.domain.problems import Problem
from masthead.domain.site import term_labels, Bridge, Section, Settings, Share, Targets, Window
from masthead.domain.images import is_raster
from masthead.domain.slugs import HANDLE_RE

from .files import inside, link_loops, svg_problem
from .frontmatter import load_mkdocs_yaml, parse_yaml_file
from .config_cache import ConfigCache, through
from .record_cache import RecordCache
from .records import StoryRecord, read_record, stamp
from .resolve import resolve_record

from masthead.paths import CONFIG, find_root  # noqa: F401 - re-exported
MKDOCS = "site_config/mkdocs.yml"


def _localised(value: Any, default_lang: str) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return {default_lang: str(value)} if value else {}


def site_url(root: Path) -> str:
    """`site_url` from mkdocs.yml: the one place the public address is set."""
    path = root / MKDOCS
    if not path.is_file():
        return "http://127.0.0.1:8000/"
    data, _ = load_mkdocs_yaml(MKDOCS, path.read_text(encoding="utf-8"))
    url = (data if isinstance(data, dict) else {}).get("site_url") or "http://127.0.0.1:8000/"
    return str(url).rstrip("/") + "/"


def load_settings(root: Path, url: str | None = None,
                  cache: ConfigCache | None = None) -> tuple[Settings | None, list[Problem]]:
    # the address is read first, not kept: `!ENV [SITE_URL, ...]` depends on the environment
    url = url or site_url(root)
    return through(cache, "settings", [CONFIG, MKDOCS], url, lambda: _load_settings(root, url))


def _load_settings(root: Path, url: str | None) -> tuple[Settings | None, list[Problem]]:
    from .schemas import MagazineFields, validate  # pydantic: only when the settings changed

    raw = (root / CONFIG).read_bytes()
    parsed = parse_yaml_file(CONFIG, raw)
    if parsed.data is None:
        return None, parsed.problems
    model, problems = validate(MagazineFields, parsed.data, CONFIG, parsed.lines)
    if model is None:
        return None, parsed.problems + problems
    try:
        tz = ZoneInfo(model.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return None, [Problem(CONFIG, parsed.lines.get("timezone", 1), "timezone", "unknown time zone",
                              expected="an IANA name such as Europe/Paris", found=repr(model.timezone),
                              code="timezone")]
    lang = model.language
    windows = tuple(Window(w.id, days=w.days, year=w.since == "year") for w in model.leaderboard.windows)
    settings = Settings(
        title=model.title, url=url or site_url(root), language=lang,
        languages=tuple(dict.fromkeys([lang, *model.languages])), timezone=tz, timezone_name=model.timezone,
        sections=tuple(Section(s.id, _localised(s.title, lang), _localised(s.description, lang))
                       for s in model.sections),
        taglines=_localised(model.tagline, lang), descriptions=_localised(model.description, lang),
        per_page=model.per_page, feed_items=model.feed_items, feed_content=model.feed_content,
        websub_hub=model.websub_hub,
        trust_raw_html=model.trust_raw_html, licence=model.licence, windows=windows,
        targets=Targets(model.targets.daily_pieces, model.targets.community_share),
        words_per_minute=model.words_per_minute, send_form=model.send_form, toc_headings=model.toc_headings,
        search_shard_stories=model.search_shard_stories,
        labels=term_labels(model.labels.tags, model.labels.places), embeds=tuple(model.embeds),
        event_home_days=model.events.home_days, share=Share(tuple(model.share.networks), model.share.mastodon),
        bridge=Bridge(model.fediverse_bridge.url.rstrip("/"), model.fediverse_bridge.actor)
        if model.fediverse_bridge else None)
    return settings, parsed.problems + _section_problems(settings, parsed.lines)


def _section_problems(settings: Settings, lines: dict[str, int]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for s in settings.sections:
        if s.id in seen:
            out.append(Problem(CONFIG, lines.get("sections", 1), "sections", f"section '{s.id}' is listed twice",
                               fix="give each section its own id", code="duplicate-section"))
        seen.add(s.id)
    return out


def walk(root: Path, sub: str, suffixes: tuple[str, ...]) -> tuple[list[str], list[Problem]]:
    """Files below `root/sub` with one of `suffixes`, sorted. A link is followed only while
    it stays inside the repository (`files.inside`); one that leaves it, or goes round in a
    loop, is reported instead, and a folder is visited once however many links lead to it."""
    found: list[str] = []
    problems: list[Problem] = []
    seen: set[str] = set()

    def visit(folder: str, rel_folder: str) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except FileNotFoundError:
            return
        except OSError as exc:
            problems.append(_unreadable(rel_folder, exc))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = f"{rel_folder}/{entry.name}"
            if entry.is_symlink():
                problem = _link_problem(root, entry.path, rel)
                if problem is not None and (problem.code == "symlink-loop" or entry.name.endswith(suffixes)
                                            or os.path.isdir(entry.path)):
                    problems.append(problem)
                    continue
            try:
                is_dir = entry.is_dir()
            except OSError as exc:
                problems.append(_unreadable(rel, exc))
                continue
            if is_dir:
                real = os.path.realpath(entry.path)
                if real in seen:
                    problems.append(Problem(rel, 0, "", "this folder is reached twice (a link leads back into "
                                            "the folders around it)", fix="remove the link", code="symlink-loop"))
                    continue
                seen.add(real)
                visit(entry.path, rel)
            elif entry.name.endswith(suffixes):
                found.append(rel)

    top = root / sub
    problem = _link_problem(root, top, sub) if top.is_symlink() else None
    if problem is not None:
        return [], [problem]
    seen.add(os.path.realpath(top))
    visit(str(top), sub)
    return found, problems


def _link_problem(root: Path, path: str | Path, rel: str) -> Problem | None:
    """What is wrong with the link at `path`, if it loops or leads out of the repository."""
    if link_loops(path):
        return Problem(rel, 0, "", "link loop: following this link leads back to itself",
                       fix="remove the link, or point it at a real file", code="symlink-loop")
    if inside(root, path) is None:
        return Problem(rel, 0, "", "path escapes the repository (a link to a file outside it)",
                       fix="copy the file into the repository instead of linking it", code="path-escape")
    return None


def _unreadable(rel: str, exc: OSError) -> Problem:
    return Problem(rel, 0, "", f"cannot be read: {exc.strerror or exc}",
                   fix="check the file's permissions, or remove it", code="unreadable")


def load_contributors(root: Path, cache: ConfigCache | None = None) -> tuple[dict[str, Contributor], list[Problem]]:
    files, problems = walk(root, "contributors", (".yml", ".yaml"))
    people, more = through(cache, "contributors", files, None, lambda: _contributors(root, files))
    # not kept with the people: the avatar files can change while the registry does not
    avatars = [p for person in people.values() for p in avatar_problems(root, person)]
    return people, problems + more + avatars


def avatar_problems(root: Path, person: Contributor) -> list[Problem]:
    """An avatar is an http(s) address or a file inside the repository, named from contributors/."""
    avatar, rel = person.avatar, person.source
    if not avatar:
        return []
    line = person.fields_lines.get("avatar", 1)
    if "://" in avatar or avatar.startswith("//"):
        if avatar.startswith(("https://", "http://")):
            return []
        return [Problem(rel, line, "avatar", "an avatar address must start with https://", found=repr(avatar),
                        fix="use an https:// address, or put the image in contributors/ and give its file name",
                        code="bad-avatar")]
    target = os.path.join(root, "contributors", avatar)
    real = inside(root, target)
    if real is None or os.path.isabs(avatar):
        return [Problem(rel, line, "avatar", f"avatar path leaves the repository: {avatar}",
                        expected="a file inside the repository, such as contributors/avatars/ana.jpg",
                        fix="copy the image into contributors/ and give its path from there (avatars/ana.jpg)",
                        code="path-escape")]
    if not real.is_file():
        return [Problem(rel, line, "avatar", f"missing avatar: {avatar}", expected="a file below contributors/",
                        fix=f"add {os.path.relpath(target, root)} or correct the name", code="missing-avatar")]
    why = svg_problem(real) if avatar.lower().endswith(".svg") else None
    if why is not None:
        return [Problem(rel, line, "avatar", f"the SVG cannot be read: {why}", fix="export it again as plain SVG",
                        code="bad-svg")]
    from .images import image_problem  # Pillow: only when an avatar is checked

    if is_raster(avatar) and (why := image_problem(real)) is not None:  # docs/images.md
        return [Problem(rel, line, "avatar", f"the image {avatar} cannot be published: {why}",
                        fix="export it again as JPEG or PNG, about 512 pixels square", code="bad-image")]
    return []


def _contributors(root: Path, files: list[str]) -> tuple[dict[str, Contributor], list[Problem]]:
    from .schemas import ContributorFields, emails_in, validate  # pydantic: only when a file changed

    problems: list[Problem] = []
    people: dict[str, Contributor] = {}
    for rel in files:
        handle = rel.rsplit("/", 1)[1].rsplit(".", 1)[0]
        if "/" in rel.removeprefix("contributors/"):
            continue  # sub-folders (promises, topics) belong to other loaders
        if not HANDLE_RE.match(handle):
            problems.append(Problem(rel, 0, "", f"'{handle}' is not a valid handle",
                                    expected="2-39 lower-case letters, digits, '-' or '_'",
                                    fix=f"rename the file to contributors/{handle.lower()}.yml", code="handle"))
            continue
        parsed = parse_yaml_file(rel, (root / rel).read_bytes())
        problems += parsed.problems
        if parsed.data is None:
            continue
        problems += emails_in(parsed.data, rel, parsed.lines)
        model, more = validate(ContributorFields, parsed.data, rel, parsed.lines)
        problems += more
        if model is not None:
            people[handle] = Contributor(
                handle=handle, name=model.name, joined=model.joined, roles=tuple(model.roles), source=rel,
                bio=model.bio, links=tuple(Link(x.label, x.url) for x in model.links), avatar=model.avatar,
                avatar_alt=model.avatar_alt, languages=tuple(model.languages), places=tuple(model.places),
                github=model.github, fediverse=model.fediverse, fields_lines=parsed.lines)
    return people, problems


def _read_chunk(args: tuple[str, list[str], Settings]) -> list[StoryRecord]:
    root, rels, settings = args
    return [resolve_record(read_record(root, rel), settings) for rel in rels]


PARALLEL_FROM = 200  # stories to parse before a pool pays off


def load_records(root: Path, settings: Settings, cache: RecordCache | None = None,
                 executor: Executor | None = None) -> tuple[list[StoryRecord], list[Problem]]:
    """Every story file as a record resolved under `settings`; unchanged files come from the
    cache (`RecordCache.at`, read here), the rest are parsed, in chunks on the executor's
    workers when one is given and there are many. The few stories changed since the cache
    was saved are parsed on the executor while it is being read (parsing needs pydantic,
    which takes as long to import as the cache takes to read)."""
    files, problems = walk(root, "content", (".md", ".markdown"))
    files = [rel for rel in files if not rel.startswith(("content/newsletter/", "content/events/"))]  # editions, events: their own loaders
    folders: dict[str, int] = {}
    base = str(root) + os.sep
    stamps = {rel: stamp(base + rel, folders) for rel in files}
    early: Future[list[StoryRecord]] | None = None
    if cache is not None:
        since = cache.written_at()
        changed = [rel for rel in files if stamps[rel][0] > since]
        if executor is not None and 0 < len(changed) <= PARALLEL_FROM:
            early = executor.submit(_read_chunk, (str(root), changed, settings))
        cache.read()
    entries = cache.entries if cache else {}
    stale = [rel for rel in files if rel not in entries or entries[rel][0] != stamps[rel]]
    fresh: list[StoryRecord] = early.result() if early is not None else []
    done = {r.source for r in fresh}
    todo = [rel for rel in stale if rel not in done]
    if executor is not None and len(todo) > PARALLEL_FROM:
        size = max(50, len(todo) // 16)
        chunks = [(str(root), todo[i:i + size], settings) for i in range(0, len(todo), size)]
        for batch in executor.map(_read_chunk, chunks):
            fresh.extend(batch)
    else:
        fresh += _read_chunk((str(root), todo, settings))
    stale_set = set(stale)
    new_entries = {rel: entries[rel] for rel in files if rel not in stale_set}
    for record in fresh:
        new_entries[record.source] = (stamps[record.source], record)
    if cache is not None:
        cache.replace(new_entries)
    return [new_entries[rel][1] for rel in files], problems


def workers_available() -> int:
    """Cores this process may use; MASTHEAD_WORKERS overrides (1 turns forking off)."""
    if os.environ.get("MASTHEAD_WORKERS", "").isdigit():
        return max(1, int(os.environ["MASTHEAD_WORKERS"]))
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
