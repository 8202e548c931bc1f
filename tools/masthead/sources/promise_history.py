"""The Git side of promises: the day each story landed on main, signs of work, and the day
someone became an editor. Dates become local days in the site's time zone here, once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from masthead.domain.journey import LEADING_ROLES
from masthead.domain.magazine import Magazine
from masthead.domain.promises import Delivery, Windows, evaluate_all

from .frontmatter import parse_yaml_file


@dataclass(frozen=True)
class Landing:
    """Story path -> the local day it first appeared on main; None (with `note`) when unknown."""

    days: dict[str, date] | None
    note: str = ""


def landed_days(root: Path, magazine: Magazine, windows: Windows, deepen: bool = True) -> Landing:
    from masthead import gitrepo  # GitPython: only where history is read
    try:
        seen = gitrepo.first_seen(root, windows.branch, "content/", deepen)
    except gitrepo.GitError as exc:
        return Landing(None, str(exc))
    if seen.added is None:
        return Landing(None, seen.reason)
    tz = magazine.settings.timezone
    return Landing({path: moment.astimezone(tz).date() for path, moment in seen.added.items()})


def deliveries(root: Path, magazine: Magazine, windows: Windows, today: date,
               deepen: bool = True) -> tuple[list[Delivery], Landing]:
    """Every promise made by `today`, judged by what the main branch holds."""
    if any(s.promise in magazine.promises for s in magazine.stories):
        landing = landed_days(root, magazine, windows, deepen)
    else:
        landing = Landing({})  # no story names a promise: history has nothing to add (and costs time)
    return evaluate_all(magazine.promises.values(), magazine.stories, landing.days, today), landing


def activity(root: Path, magazine: Magazine, today: date) -> dict[str, date]:
    """For each promise, the last commit (any branch) touching a story that names it, drafts
    included: the sign of work the reminders look for. A story not committed yet is work
    going on here, today."""
    from masthead import gitrepo  # GitPython: only where history is read
    named = {s.source: s.promise for s in magazine.stories if s.promise in magazine.promises}
    try:
        touched = gitrepo.last_touched(root, sorted(named))
    except gitrepo.GitError:
        touched = {}
    out: dict[str, date] = {}
    for path, promise in named.items():
        day = touched[path].astimezone(magazine.settings.timezone).date() if path in touched else today
        out[promise] = max(day, out.get(promise, day))
    return out


def leading_since(root: Path, magazine: Magazine, branch: str) -> dict[str, date]:
    """When each editor or organiser took the role: the first version of their file with it
    (their `joined` day when they had it from the start). Absent when history has no answer."""
    from masthead import gitrepo  # GitPython: only where history is read
    out: dict[str, date] = {}
    for person in magazine.people.values():
        if not any(r in person.roles for r in LEADING_ROLES):
            continue
        try:
            versions = gitrepo.file_versions(root, person.source, branch)
        except gitrepo.GitError:
            return {}
        for n, (moment, raw) in enumerate(versions):
            data = parse_yaml_file(person.source, raw).data or {}
            roles = data.get("roles")
            roles = [roles] if isinstance(roles, str) else roles if isinstance(roles, list) else []
            if any(r in roles for r in LEADING_ROLES):
                out[person.handle] = person.joined if n == 0 else moment.astimezone(magazine.settings.timezone).date()
                break
    return out
