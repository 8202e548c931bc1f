"""Topics and promises: files in, checked against the registry and the stories; files out.

One file per topic (`contributors/topics/<id>.yml`) and per promise
(`contributors/promises/<id>.yml`), so two volunteers promising at once touch different files.
Sub-folders are allowed (an editor may archive by year); the id is the file name, once.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any, Iterable

from masthead.domain.contributors import Contributor
from masthead.domain.magazine import Magazine
from masthead.domain.problems import Problem, Severity
from masthead.domain.promises import Extension, Promise, Topic, Windows
from masthead.domain.site import Settings
from masthead.domain.slugs import SLUG_RE, make_slug
from masthead.domain.stories import Story

from .frontmatter import dump_yaml, parse_yaml_file
from .load import CONFIG, walk
from .config_cache import ConfigCache, through

TOPICS = "contributors/topics"
PROMISES = "contributors/promises"
VERBS = {"released": "release", "dropped": "drop"}


def _near(word: str, choices: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'? " if match else ""


def _read_folder(root: Path, sub: str, model: type[Any]) -> tuple[list[tuple[str, str, Any, dict[str, int]]],
                                                                    list[Problem]]:
    """(path, id, fields, lines) of each valid file; bad names, duplicates and field errors reported."""
    from .schemas import emails_in, validate  # pydantic: only when a file changed

    files, problems = walk(root, sub, (".yml", ".yaml"))
    seen: dict[str, str] = {}
    out = []
    for rel in files:
        ident = rel.rsplit("/", 1)[1].rsplit(".", 1)[0]
        if not SLUG_RE.match(ident):
            problems.append(Problem(rel, 0, "", f"'{ident}' cannot be an id",
                                    expected="lower-case letters, digits and hyphens",
                                    fix=f"rename the file to {make_slug(ident)}{rel[rel.rindex('.'):]}",
                                    code="bad-id"))
            continue
        if ident in seen:
            problems.append(Problem(rel, 0, "", f"duplicate id '{ident}': {seen[ident]} has it too",
                                    fix="rename one of the files; ids are file names and must be unique",
                                    code="duplicate-id"))
            continue
        seen[ident] = rel
        parsed = parse_yaml_file(rel, (root / rel).read_bytes())
        problems += parsed.problems
        if parsed.data is None:
            continue
        problems += emails_in(parsed.data, rel, parsed.lines)
        truthy = _boolean_keys(parsed.data, rel, parsed.lines)
        if truthy:
            problems += truthy
            continue
        fields, more = validate(model, parsed.data, rel, parsed.lines)
        problems += more
        if fields is not None:
            out.append((rel, ident, fields, parsed.lines))
    return out, problems


def _boolean_keys(data: Any, path: str, lines: dict[str, int], top: str = "") -> list[Problem]:
    """YAML 1.1 reads the keys on/off/yes/no as true/false; say so rather than 'keys should be strings'."""
    out: list[Problem] = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, value in items:
        where = top or str(key)
        if isinstance(key, bool) and isinstance(data, dict):
            word = "'on'" if key else "'off'"
            out.append(Problem(path, lines.get(where, 1), where, f"YAML reads the key {word} as {str(key).lower()}, "
                               "not as a name", expected="'asked:'" if key else "a documented field",
                               fix="write 'asked:' for the day an extension was asked", code="boolean-key"))
        out += _boolean_keys(value, path, lines, where)
    return out


def load_topics(root: Path, cache: ConfigCache | None = None) -> tuple[dict[str, Topic], list[Problem]]:
    return through(cache, "topics", walk(root, TOPICS, (".yml", ".yaml"))[0], None, lambda: _topics(root))


def _topics(root: Path) -> tuple[dict[str, Topic], list[Problem]]:
    from .promise_schemas import TopicFields  # pydantic: only when a topic changed

    rows, problems = _read_folder(root, TOPICS, TopicFields)
    return {ident: Topic(ident, _first(f.title), rel, f.section, f.notes, f.proposed_by or "", f.proposed, lines,
                         titles=f.title if isinstance(f.title, dict) else {})
            for rel, ident, f, lines in rows}, problems


def _first(title: str | dict[str, str]) -> str:
    return title if isinstance(title, str) else next(iter(title.values()), "")


def load_promises(root: Path, cache: ConfigCache | None = None) -> tuple[dict[str, Promise], list[Problem]]:
    return through(cache, "promises", walk(root, PROMISES, (".yml", ".yaml"))[0], None, lambda: _promises(root))


def _promises(root: Path) -> tuple[dict[str, Promise], list[Problem]]:
    from .promise_schemas import PromiseFields  # pydantic: only when a promise changed

    rows, problems = _read_folder(root, PROMISES, PromiseFields)
    return {ident: Promise(ident, f.topic, tuple(dict.fromkeys(f.by)), f.made, f.due, rel,
                           tuple(Extension(e.asked, e.was, e.reason) for e in f.extensions),
                           f.status, f.closed, f.reason, f.notes, lines)
            for rel, ident, f, lines in rows}, problems


def load_windows(root: Path) -> Windows:
    """The `promises:` block of site_config/magazine.yml; defaults when it is missing or broken
    (`masthead check` reports what is broken)."""
    parsed = parse_yaml_file(CONFIG, (root / CONFIG).read_bytes())
    block = (parsed.data or {}).get("promises")
    if not isinstance(block, dict):
        return Windows()
    from .schemas import PromiseSettingsFields, validate  # pydantic: only when there is a block to read

    model, _ = validate(PromiseSettingsFields, block, CONFIG, {})
    if model is None:
        return Windows()
    return Windows(model.due_soon_days, model.stale_days, model.recent_days, model.regular_pieces, model.branch)


# --- the check ----------------------------------------------------------------------------

def _err(src: Any, field: str, message: str, code: str, at: str = "", **facts: Any) -> Problem:
    """A problem with `field` of a topic or promise, on the line of `at` (default: the field)."""
    return Problem(src.source, src.lines.get(at or field, 1), field, message, code=code, **facts)


def check_promise(p: Promise, people: dict[str, Contributor], topics: dict[str, Topic]) -> list[Problem]:
    """One promise against the registry and its own dates."""
    out = []
    for h in p.contributors:
        if h not in people:
            out.append(_err(p, "by", f"unknown contributor '{h}'", "unknown-contributor",
                            fix=f"{_near(h, people)}register them in contributors/{h}.yml"))
    if p.topic not in topics:
        out.append(_err(p, "topic", f"unknown topic '{p.topic}'", "unknown-topic",
                        fix=f"{_near(p.topic, topics)}add it with: masthead topic add {p.topic} --title ..."))
    if p.original_due < p.made:
        out.append(_err(p, "due", "due before the promise was made", "due-before-made",
                        expected=f"on or after {p.made}", found=str(p.original_due),
                        fix="a promise is due on or after the day it is made"))
    dues = [e.was for e in p.extensions] + [p.due]
    for ext, new in zip(p.extensions, dues[1:]):
        if new <= ext.was:
            out.append(_err(p, "extensions", "an extension must move the due date later", "bad-extension",
                            expected=f"after {ext.was}", found=str(new),
                            fix="list extensions oldest first; 'was' is the due date each one replaced"))
        if ext.asked < p.made:
            out.append(_err(p, "extensions", "extension asked before the promise was made", "bad-extension",
                            expected=f"on or after {p.made}", found=str(ext.asked)))
    out += _check_closing(p)
    return out


def _check_closing(p: Promise) -> list[Problem]:
    if p.status == "open":
        return [_err(p, "closed", "'closed' is set but the promise is open", "closed-open",
                     fix="remove 'closed', or set 'status: released' or 'status: dropped'")] if p.closed else []
    out = []
    if p.closed is None:
        out.append(_err(p, "closed", f"a {p.status} promise needs the day it was {p.status}", "missing",
                        at="status", fix=f"add 'closed: YYYY-MM-DD'; masthead promise {VERBS[p.status]} writes it"))
    elif p.closed < p.made:
        out.append(_err(p, "closed", f"{p.status} before the promise was made", "closed-before-made",
                        expected=f"on or after {p.made}", found=str(p.closed)))
    if p.status == "dropped" and not p.reason:
        out.append(_err(p, "reason", "a dropped promise needs a reason", "missing", at="status",
                        fix="add 'reason: ...' saying why, for the record"))
    return out


def check_topic(t: Topic, people: dict[str, Contributor], settings: Settings | None) -> list[Problem]:
    out = []
    if t.proposed_by and t.proposed_by not in people:
        out.append(_err(t, "proposed_by", f"unknown contributor '{t.proposed_by}'", "unknown-contributor",
                        fix=f"{_near(t.proposed_by, people)}register them in contributors/{t.proposed_by}.yml"))
    if settings and any(code not in settings.languages for code in t.titles):
        out.append(_err(t, "title", "a title in a language the site does not publish in", "unknown-language",
                        expected=", ".join(settings.languages),
                        found=", ".join(c for c in t.titles if c not in settings.languages),
                        fix=f"correct the code, or add the language to 'languages' in {CONFIG}"))
    if settings and t.section and settings.section(t.section) is None:
        ids = [s.id for s in settings.sections]
        out.append(_err(t, "section", f"unknown section '{t.section}'", "unknown-section",
                        expected=", ".join(ids), fix=f"{_near(t.section, ids)}sections are in {CONFIG}"))
    return out


def check_stories(stories: Iterable[Story], promises: dict[str, Promise]) -> list[Problem]:
    """Stories naming a promise: it must exist, be theirs, and still be held."""
    out = []
    for s in stories:
        if not s.promise:
            continue
        line = s.lines.get("promise", 1)
        p = promises.get(s.promise)
        if p is None:
            out.append(Problem(s.source, line, "promise", f"unknown promise '{s.promise}'",
                               fix=f"{_near(s.promise, promises)}promises are files in {PROMISES}/",
                               code="unknown-promise"))
        elif not any(p.is_by(a) for a in s.authors):
            out.append(Problem(s.source, line, "promise", f"promise '{p.id}' is someone else's",
                               expected=f"a promise by one of {', '.join(s.authors)}",
                               found=f"by {', '.join(p.contributors)}",
                               fix="name your own promise, or add yourself to its 'by' with its authors' "
                                   "agreement", code="foreign-promise"))
        elif p.status != "open":
            out.append(Problem(s.source, line, "promise", f"promise '{p.id}' was {p.status} on {p.closed}",
                               Severity.WARNING, fix="reopen it (status: open) or make a new promise",
                               code="closed-promise"))
    return out


def _shared_topics(promises: dict[str, Promise]) -> list[Problem]:
    holders: dict[str, Promise] = {}
    out = []
    for p in sorted(promises.values(), key=lambda p: (p.made, p.id)):
        if p.status != "open":
            continue
        first = holders.setdefault(p.topic, p)
        if first is not p:
            out.append(_err(p, "topic", f"topic '{p.topic}' is already promised in {first.source}", "shared-topic",
                            severity=Severity.WARNING,
                            fix="write it together (one promise, several people in 'by') or pick another topic"))
    return out


def load_promise_data(root: Path, people: dict[str, Contributor], stories: list[Story], settings: Settings | None,
                      cache: ConfigCache | None = None) -> tuple[dict[str, Topic], dict[str, Promise], list[Problem]]:
    """Topics and promises read and checked against the registry and the stories."""
    topics, problems = load_topics(root, cache)
    promises, more = load_promises(root, cache)
    problems += more
    for t in topics.values():
        problems += check_topic(t, people, settings)
    for p in promises.values():
        problems += check_promise(p, people, topics)
    problems += _shared_topics(promises)
    problems += check_stories(stories, promises)
    return topics, promises, problems


def promise_problems(root: Path, magazine: Magazine) -> list[Problem]:
    """Everything wrong with the promise files and the stories' `promise` fields."""
    return load_promise_data(root, magazine.people, magazine.stories, magazine.settings)[2]


# --- writing (the commands) -------------------------------------------------------------

def _write(path: Path, data: dict[str, Any]) -> None:
    """Atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(dump_yaml(data), encoding="utf-8")
    os.replace(tmp, path)


def topic_path(root: Path, topic: Topic) -> Path:
    return root / (topic.source or f"{TOPICS}/{topic.id}.yml")


def promise_path(root: Path, promise: Promise) -> Path:
    return root / (promise.source or f"{PROMISES}/{promise.id}.yml")


def write_topic(root: Path, topic: Topic) -> Path:
    data: dict[str, Any] = {"title": topic.titles or topic.title}
    data |= {k: v for k, v in (("section", topic.section), ("notes", topic.notes),
                               ("proposed_by", topic.proposed_by), ("proposed", topic.proposed)) if v}
    path = topic_path(root, topic)
    _write(path, data)
    return path


def write_promise(root: Path, p: Promise) -> Path:
    data: dict[str, Any] = {"topic": p.topic, "by": list(p.contributors), "made": p.made, "due": p.due}
    if p.extensions:
        data["extensions"] = [{"asked": e.asked, "was": e.was} | ({"reason": e.reason} if e.reason else {})
                              for e in p.extensions]
    data["status"] = p.status
    if p.closed:
        data["closed"] = p.closed
    if p.reason:
        data["reason"] = p.reason
    if p.notes:
        data["notes"] = p.notes
    path = promise_path(root, p)
    _write(path, data)
    return path
