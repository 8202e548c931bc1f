"""What a submission adds to the magazine, summed up for the editor who reviews it.

Pure: the changed paths, the magazine before and after, the problems and `today` are passed
in. The same summary feeds the pull-request comment, `masthead review` and `masthead desk`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Mapping

from .magazine import Magazine
from .problems import Problem, Severity
from .promises import Promise, evaluate
from .stories import Story, reading_minutes

STORY_SUFFIXES = (".md", ".markdown")
MARKER = "<!-- masthead:pr-summary -->"  # how the comment poster finds the comment it wrote before


@dataclass(frozen=True)
class Change:
    """One path the submission touches: A(dded), M(odified), D(eleted) or R(enamed)."""

    status: str
    path: str

    @property
    def is_story(self) -> bool:
        return self.path.startswith("content/") and self.path.endswith(STORY_SUFFIXES)


@dataclass(frozen=True)
class Author:
    handle: str
    name: str
    first_piece: bool  # no story on the base branch names them
    registered_here: bool  # their contributor file arrives with this submission


@dataclass(frozen=True)
class PromiseCheck:
    id: str
    known: bool
    verdict: str  # "on time", "late by 3 days", "unknown promise", ...


@dataclass(frozen=True)
class StorySummary:
    path: str
    status: str
    title: str
    authors: tuple[Author, ...]
    words: int
    minutes: int
    section: str
    lang: str
    date: datetime
    draft: bool
    scheduled: bool  # its date is still to come
    promise: PromiseCheck | None


@dataclass(frozen=True)
class Summary:
    stories: tuple[StorySummary, ...]
    removed: tuple[str, ...]  # story files the submission deletes
    other_files: tuple[str, ...]  # everything else it touches
    problems: tuple[Problem, ...]  # problems in the files it touches
    problems_elsewhere: int  # problems in files it does not touch
    errors: int
    warnings: int

    @property
    def passed(self) -> bool:
        return self.errors == 0

    @property
    def title(self) -> str:
        """A one-line name for the submission: its first story's title."""
        if self.stories:
            more = len(self.stories) - 1
            return self.stories[0].title + (f" (+{more} more)" if more else "")
        return "no story" if not self.other_files else f"{len(self.other_files)} file(s), no story"

    @property
    def authors(self) -> tuple[Author, ...]:
        seen: dict[str, Author] = {}
        for s in self.stories:
            for a in s.authors:
                seen.setdefault(a.handle, a)
        return tuple(seen.values())


def authors_on(magazine: Magazine | None) -> set[str]:
    """Handles with at least one story (drafts included) in a magazine."""
    if magazine is None:
        return set()
    return {a for s in magazine.stories for a in s.authors}


def check_promise(story: Story, promises: Mapping[str, Promise] | None, today: date) -> PromiseCheck | None:
    """Would this story deliver its promise on time if it landed `today`?"""
    if not story.promise:
        return None
    if promises is None:
        return PromiseCheck(story.promise, False, "promises are not loaded")
    promise = promises.get(story.promise)
    if promise is None:
        return PromiseCheck(story.promise, False, "unknown promise")
    if not any(promise.is_by(a) for a in story.authors):
        return PromiseCheck(story.promise, True, "made by someone else: " + ", ".join(promise.contributors))
    delivery = evaluate(promise, [story], {story.source: today}, today)
    return PromiseCheck(promise.id, True, delivery.describe().removeprefix("delivered "))


def summarise_story(story: Story, status: str, head: Magazine, earlier_authors: set[str],
                    base_people: set[str], promises: Mapping[str, Promise] | None, now: datetime) -> StorySummary:
    settings = head.settings
    section = settings.section(story.section)
    authors = tuple(
        Author(h, head.people[h].name if h in head.people else h, h not in earlier_authors, h not in base_people)
        for h in story.authors)
    return StorySummary(
        path=story.source, status=status, title=story.title, authors=authors, words=story.words,
        minutes=reading_minutes(story.words, settings.words_per_minute),
        section=section.title(story.lang, settings.language) if section else story.section,
        lang=story.lang, date=story.date, draft=story.draft, scheduled=story.date > now,
        promise=check_promise(story, promises, head.local_day(now)))


def summarise(changes: Iterable[Change], head: Magazine, base: Magazine | None, problems: Iterable[Problem],
              now: datetime, promises: Mapping[str, Promise] | None = None) -> Summary:
    """The submission as `changes` between `base` and `head`, with the problems `head` has."""
    changes = list(changes)
    by_source = {s.source: s for s in head.stories}
    earlier = authors_on(base)
    base_people = set(base.people) if base is not None else set()
    stories, removed, others = [], [], []
    for c in changes:
        if c.is_story and c.status == "D":
            removed.append(c.path)
        elif c.is_story and c.path in by_source:
            stories.append(summarise_story(by_source[c.path], c.status, head, earlier, base_people, promises, now))
        else:
            others.append(c.path)
    touched = {c.path for c in changes}
    problems = list(problems)
    mine = tuple(p for p in problems if p.path in touched)
    errors = sum(p.severity is Severity.ERROR for p in problems)
    return Summary(tuple(stories), tuple(removed), tuple(others), mine, len(problems) - len(mine),
                   errors, len(problems) - errors)


# --- the record an accept or decline leaves in Git ---------------------------------------

def merge_message(branch: str, summary: Summary, editor: str, editor_name: str) -> str:
    """The merge commit of an accepted submission: who accepted it, and whom it thanks."""
    authors = summary.authors
    names = ", ".join(a.name for a in authors) or "the author"
    firsts = [a.name for a in authors if a.first_piece]
    lines = [f"Accept {branch}: {summary.title}", "",
             f"Accepted by {editor_name} (@{editor}). Thank you, {names}, for writing for the magazine."]
    if firsts:
        lines.append(f"Welcome, {', '.join(firsts)}: this is your first piece with us.")
    lines += ["", f"Accepted-by: {editor}", *(f"Thanks: {a.handle}" for a in authors)]
    return "\n".join(lines) + "\n"


def trailers(message: str) -> dict[str, list[str]]:
    """`Key: value` lines of a commit message's last paragraph."""
    last = message.strip().split("\n\n")[-1]
    out: dict[str, list[str]] = {}
    for line in last.splitlines():
        key, sep, value = line.partition(": ")
        if sep and key and " " not in key:
            out.setdefault(key, []).append(value.strip())
    return out


@dataclass(frozen=True)
class Decline:
    """An editor's decision not to publish a submission, kept beside its branch."""

    reason: str
    editor: str
    on: date

    def to_note(self) -> str:
        # The first line is the reason so `git notes --ref masthead show` reads naturally.
        return f"{self.reason}\n\nDeclined-by: {self.editor}\nDeclined-on: {self.on.isoformat()}\n"

    @classmethod
    def from_note(cls, text: str) -> "Decline | None":
        found = trailers(text)
        if "Declined-by" not in found:
            return None
        reason = "\n\n".join(text.strip().split("\n\n")[:-1]).strip()
        try:
            on = date.fromisoformat(found.get("Declined-on", [""])[0])
        except ValueError:
            on = date.min
        return cls(reason, found["Declined-by"][0], on)
