"""Authors as old sites write them, turned into contributor handles and a registry.

A front-matter value may be a name, a list, one string naming several people ("A, B and C",
"A & B"), a Markdown link with an affiliation ("[Ana Ruiz](https://x.example) (Univ. of Y)"),
an old registry's slug, a team, or nothing. The `--authors` file merges spellings of one
person and maps teams to their members; everything else is a guess, and the report says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from masthead.domain.problems import UsageError
from masthead.domain.slugs import make_slug
from masthead.sources.frontmatter import load_yaml

from .model import Person
from .report import Report

LINK = re.compile(r"^\[([^\]]+)\]\((\S+?)\)\s*(.*)$")
AFFILIATION = re.compile(r"^(.*?)\s*[\(\[]([^()\[\]]+)[\)\]]\s*$")
SEPARATORS = re.compile(r"\s*(?:;|&|\band\b|\bund\b|\bet\b|\by\b|,)\s*", re.I)
ORG_WORDS = re.compile(r"\b(univ\w*|institut\w*|college|school|lab\w*|inc|ltd|gmbh|llc|foundation|"
                       r"department|dept|centre|center|society|association|press|team|group)\b", re.I)


@dataclass(frozen=True)
class Named:
    """One person named in a byline."""

    name: str
    url: str = ""
    affiliation: str = ""


def handle_of(name: str) -> str:
    """A contributor handle (lower-case ASCII letters, digits, hyphens, 2-39) for a name in any
    script (transliterated: 'Анна Соколова' -> 'anna-sokolova')."""
    handle = make_slug(name, max_length=39)
    if handle == "untitled" or len(handle) < 2:  # nothing to transliterate
        handle = "person-" + "-".join(f"{ord(c):x}" for c in name.strip()[:4])
    return handle


def split_byline(value: Any) -> tuple[list[Named], bool]:
    """The people a front-matter value names, and whether splitting it was a guess."""
    if value is None or value == "" or value == []:
        return [], False
    if isinstance(value, dict):  # {name: ..., url: ...} or Hugo's {name: bio}
        name = value.get("name") or value.get("title") or next(iter(value), "")
        return [Named(str(name).strip(), str(value.get("url") or value.get("link") or ""))], False
    if isinstance(value, (list, tuple)):
        out: list[Named] = []
        guessed = False
        for item in value:
            names, guess = split_byline(item)
            out += names
            guessed = guessed or guess
        return out, guessed
    return _split_text(str(value).strip())


def _split_text(text: str) -> tuple[list[Named], bool]:
    text = re.sub(r"\s*<?\b[\w.+-]+@[\w-]+\.[\w.-]+\b>?", "", text).strip()  # "Ana <ana@x.org>": the name only
    link = LINK.match(text)
    if link:
        rest = link.group(3).strip()
        affiliation, more = _affiliation_and_rest(rest)
        names, guessed = _split_text(more) if more else ([], False)
        return [Named(link.group(1).strip(), link.group(2), affiliation), *names], guessed or bool(more)
    parts = [p for p in SEPARATORS.split(text) if p and p.strip()]
    if len(parts) <= 1:
        m = AFFILIATION.match(text)
        if m and m.group(1):
            return [Named(m.group(1).strip(), "", m.group(2).strip())], True
        return ([Named(text)] if text else []), False
    out: list[Named] = []
    for part in parts:
        part = part.strip()
        if out and ORG_WORDS.search(part) and not out[-1].affiliation:
            out[-1] = Named(out[-1].name, out[-1].url, part)  # "Ana Ruiz, University of Y"
            continue
        link = LINK.match(part)
        if link:
            out.append(Named(link.group(1).strip(), link.group(2), _affiliation_and_rest(link.group(3))[0]))
            continue
        m = AFFILIATION.match(part)
        out.append(Named(m.group(1).strip(), "", m.group(2).strip()) if m and m.group(1) else Named(part))
    return out, True


def _affiliation_and_rest(rest: str) -> tuple[str, str]:
    """`(Univ. of Y) and [B](u)` -> ("Univ. of Y", "[B](u)")."""
    m = re.match(r"^[\(\[]([^()\[\]]+)[\)\]]\s*(.*)$", rest)
    if m:
        return m.group(1).strip(), re.sub(r"^(?:,|;|&|and\b)\s*", "", m.group(2).strip())
    return "", re.sub(r"^(?:,|;|&|and\b)\s*", "", rest.strip())


@dataclass
class AuthorMap:
    """The `--authors` file: `people: {handle: {name, also: [spellings]}}`, `teams: {name: [handles]}`."""

    names: dict[str, str] = field(default_factory=dict)  # handle -> the name to show
    spellings: dict[str, str] = field(default_factory=dict)  # lower-cased spelling -> handle
    teams: dict[str, list[str]] = field(default_factory=dict)  # lower-cased team name -> handles
    default: str = ""  # the handle of stories that name nobody

    def handle(self, spelling: str) -> str | None:
        return self.spellings.get(spelling.strip().lower())


def load_map(path: Path | None) -> AuthorMap:
    """Read the `--authors` file; a mistake in it is a usage error naming the line."""
    amap = AuthorMap()
    if path is None:
        return amap
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--authors {path}: cannot be read ({exc.strerror})") from None
    data, problems = load_yaml(str(path), text)
    if problems:
        raise UsageError(problems[0].text())
    if not isinstance(data, dict):
        raise UsageError(f"{path}:1: expected a mapping with 'people:' and 'teams:'")
    for handle, entry in (data.get("people") or {}).items():
        entry = entry if isinstance(entry, dict) else {"name": str(entry)}
        handle = str(handle)
        if handle_of(handle) != handle:
            raise UsageError(f"{path}: people: '{handle}' is not a handle (use lower-case letters, digits "
                             f"and hyphens, e.g. '{handle_of(handle)}')")
        amap.names[handle] = str(entry.get("name") or handle)
        for spelling in [handle, amap.names[handle], *(entry.get("also") or [])]:
            amap.spellings[str(spelling).strip().lower()] = handle
    for team, members in (data.get("teams") or {}).items():
        members = members if isinstance(members, list) else [members]
        amap.teams[str(team).strip().lower()] = [amap.handle(str(m)) or handle_of(str(m)) for m in members]
    amap.default = str(data.get("default") or "")
    return amap


@dataclass
class Registry:
    """The contributors an import makes: handle -> Person, and the first date each wrote on."""

    people: dict[str, Person] = field(default_factory=dict)

    def add(self, handle: str, person: Person) -> None:
        known = self.people.get(handle)
        if known is None:
            self.people[handle] = person
            return
        known.bio = known.bio or person.bio
        known.links = known.links or person.links
        known.avatar = known.avatar or person.avatar


def resolve_byline(value: list[str], old: dict[str, Person], amap: AuthorMap, registry: Registry,
                   report: Report, source: str, line: int) -> list[str]:
    """The handles a draft's byline names, adding each person to `registry`."""
    handles: list[str] = []
    for raw in value:
        if raw in old:  # an old registry's key (Hugo data file, Ghost user id, WordPress login)
            person = old[raw]
            handle = amap.handle(person.name) or amap.handle(raw) or handle_of(person.name)
            registry.add(handle, _copy(person, amap.names.get(handle)))
            handles.append(handle)
            continue
        team = amap.teams.get(raw.strip().lower())
        if team:
            report.converted(source, line, "team", f"'{raw}' -> {', '.join(team)} (--authors)")
            for h in team:
                registry.add(h, Person(amap.names.get(h, h)))
            handles += team
            continue
        named, guessed = split_byline(raw)
        if guessed:
            report.guessed(source, line, "authors", f"'{raw}' read as " + "; ".join(
                n.name + (f" ({n.affiliation})" if n.affiliation else "") for n in named))
        for n in named:
            handles.append(_one(n, old, amap, registry, report, source, line))
    return list(dict.fromkeys(handles))


def _one(n: Named, old: dict[str, Person], amap: AuthorMap, registry: Registry, report: Report,
         source: str, line: int) -> str:
    mapped = amap.handle(n.name)
    by_key = old.get(n.name) or old.get(handle_of(n.name)) or next(
        (p for p in old.values() if p.name.strip().lower() == n.name.strip().lower()), None)
    if mapped is None and by_key is not None:
        mapped = amap.handle(by_key.name)
    handle = mapped or handle_of(by_key.name if by_key else n.name)
    if mapped is None and handle not in registry.people:
        report.guessed(source, line, "contributor", f"'{n.name}' registered as '{handle}' "
                       "(merge spellings with --authors)")
    person = _copy(by_key, amap.names.get(handle)) if by_key else Person(amap.names.get(handle, n.name))
    if n.url and not person.links:
        person.links = [("Website", n.url)]
    if n.affiliation and not person.bio:
        person.bio = n.affiliation
    registry.add(handle, person)
    return handle


def _copy(person: Person, name: str | None) -> Person:
    return Person(name or person.name, person.key, person.bio, list(person.links), person.avatar)
